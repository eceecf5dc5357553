"""Consultant settings: inquiry policy, retrieval depth, generator backend, session persistence.

>>> AgentSettings(max_questions=4).max_questions
4

From init arguments, then the environment (``WENZHEN_*``), then the ``[agent]`` table of the config file.
Graph, literature index and local model come from their own settings (``[graph]``, ``[retrieval]``,
``[generator]``).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from wenzhen.agent.inquiry import InquiryParameters
from wenzhen.core.settings import WenzhenSettings

_POLICY = InquiryParameters()


class AgentSettings(WenzhenSettings):
    """How the consultant questions and answers (``WENZHEN_<FIELD>`` or the ``[agent]`` table)."""

    config_table = "agent"

    max_questions: int = Field(
        default=_POLICY.max_questions,
        ge=0,
        description="Question budget per consultation.",
    )
    confidence: float = Field(
        default=_POLICY.confidence,
        gt=0,
        le=1,
        description="Stop asking at this top probability.",
    )
    min_gain: float = Field(
        default=_POLICY.min_gain,
        ge=0,
        description="Stop when no question gains more (nats).",
    )
    open_questions: bool = Field(
        default=True,
        description="Allow '还有哪些不舒服？'.",
    )
    phrase_questions: bool = Field(
        default=False,
        description="Let the generator rephrase questions.",
    )
    answer_model: Path | None = Field(
        default=None,
        description="An answer model fitted from case records (wenzhen inquiry fit): ask over its diseases "
        "and symptoms instead of the whole graph's.",
    )
    literature_k: int = Field(
        default=3,
        ge=0,
        description="Literature chunks per answer.",
    )
    kg_facts_per_disease: int = Field(default=5, ge=1, description="Graph facts cited per disease.")
    answer_candidates: int = Field(
        default=3, ge=1, le=10, description="Candidate diseases in the answer's differential."
    )
    max_new_tokens: int = Field(default=256, ge=1, description="Longest answer, in tokens.")
    sessions: str = Field(
        default="memory",
        description="'memory', or a SQLite file that keeps sessions across restarts.",
    )
    openai_base_url: str | None = Field(
        default=None,
        description="An OpenAI-compatible server (vLLM, TGI) for the generator instead of a local model.",
    )
    openai_model: str = Field(default="DISC-MedLLM", description="Model name on that server.")
    openai_api_key: str = Field(default="EMPTY", description="Key for that server.")
