"""Consultant settings: inquiry policy, retrieval depth, generator backend, session persistence.

>>> AgentSettings(max_questions=4).max_questions
4

From init arguments, then the environment (``WENZHEN_*``), then the ``[agent]`` table of the config file.
Graph, literature index and local model come from their own settings (``[graph]``, ``[retrieval]``,
``[generator]``).
"""

from __future__ import annotations

from pydantic import AliasChoices, Field

from agent.inquiry import InquiryParameters
from kg_loader.config import WenzhenSettings

_POLICY = InquiryParameters()


class AgentSettings(WenzhenSettings):
    config_table = "agent"

    max_questions: int = Field(
        validation_alias=AliasChoices("WENZHEN_MAX_QUESTIONS", "max_questions"),
        default=_POLICY.max_questions,
        ge=0,
        description="Question budget per consultation.",
    )
    confidence: float = Field(
        validation_alias=AliasChoices("WENZHEN_CONFIDENCE", "confidence"),
        default=_POLICY.confidence,
        gt=0,
        le=1,
        description="Stop asking at this top probability.",
    )
    min_gain: float = Field(
        validation_alias=AliasChoices("WENZHEN_MIN_GAIN", "min_gain"),
        default=_POLICY.min_gain,
        ge=0,
        description="Stop when no question gains more (nats).",
    )
    open_questions: bool = Field(
        validation_alias=AliasChoices("WENZHEN_OPEN_QUESTIONS", "open_questions"),
        default=True,
        description="Allow '还有哪些不舒服？'.",
    )
    phrase_questions: bool = Field(
        validation_alias=AliasChoices("WENZHEN_PHRASE_QUESTIONS", "phrase_questions"),
        default=False,
        description="Let the generator rephrase questions.",
    )
    literature_k: int = Field(
        validation_alias=AliasChoices("WENZHEN_LITERATURE_K", "literature_k"),
        default=3,
        ge=0,
        description="Literature chunks per answer.",
    )
    kg_facts_per_disease: int = Field(
        validation_alias=AliasChoices("WENZHEN_KG_FACTS_PER_DISEASE", "kg_facts_per_disease"), default=5, ge=1
    )
    max_new_tokens: int = Field(
        validation_alias=AliasChoices("WENZHEN_MAX_NEW_TOKENS", "max_new_tokens"), default=256, ge=1
    )
    sessions: str = Field(
        default="memory",
        validation_alias=AliasChoices("WENZHEN_SESSIONS", "sessions"),
        description="'memory', or a SQLite file that keeps sessions across restarts.",
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("WENZHEN_OPENAI_BASE_URL", "openai_base_url"),
        description="An OpenAI-compatible server (vLLM, TGI) for the generator instead of a local model.",
    )
    openai_model: str = Field(
        default="DISC-MedLLM", validation_alias=AliasChoices("WENZHEN_OPENAI_MODEL", "openai_model")
    )
    openai_api_key: str = Field(
        default="EMPTY", validation_alias=AliasChoices("WENZHEN_OPENAI_API_KEY", "openai_api_key")
    )
