"""A consultation's state as plain data (what the LangGraph checkpointer stores), and the typed reply.

>>> observation_from_dict(observation_to_dict(Answered("腹胀", False, certain=False)))
Answered(symptom='腹胀', present=False, certain=False)
>>> observation_from_dict({"kind": "answered", "symptom": "腹胀", "present": True})  # stored before hedges
Answered(symptom='腹胀', present=True, certain=True)
>>> observation_from_dict({"kind": "body_parts", "parts": ["肝", "腹部"]})
BodyParts(parts=('肝', '腹部'))
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal, TypedDict

from pydantic import BaseModel, Field

from wenzhen.agent.findings import PatientFacts
from wenzhen.agent.inquiry import (
    Answered,
    BodyPartDenied,
    BodyParts,
    BodyPartUnknown,
    InquiryState,
    Located,
    NothingElse,
    Observation,
    Question,
    Volunteered,
)

ReplyKind = Literal["question", "answer", "emergency", "declined"]
Urgency = Literal["emergency", "urgent", "routine"]
_KINDS: dict[str, type[Observation]] = {
    "volunteered": Volunteered,
    "nothing_else": NothingElse,
    "answered": Answered,
    "body_parts": BodyParts,
    "located": Located,
    "body_part_denied": BodyPartDenied,
    "body_part_unknown": BodyPartUnknown,
}


class Citation(BaseModel):
    """A source the reply rests on: a KG triple (with file and line) or a literature chunk."""

    id: str = Field(description="K1, K2 … for graph facts, L1, L2 … for literature chunks.")
    kind: Literal["kg", "literature"]
    text: str
    source: str | None = None
    line: int | None = None
    chunk_id: str | None = None
    title: str | None = Field(default=None, description="A literature passage's title or question.")


class CandidateScore(BaseModel):
    disease: str
    probability: float


class Reply(BaseModel):
    kind: ReplyKind
    text: str
    candidates: list[CandidateScore] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    question: dict[str, Any] | None = Field(
        default=None,
        description="The structured question, if asked: kind open|symptom|body_part (the inquiry) or screen "
        "(a red flag to rule out first; target is the rule's id).",
    )
    urgency: Urgency = Field(
        default="routine",
        description="emergency: call 120 now; urgent: see a doctor today; routine. Stays urgent for the rest "
        "of a consultation once a red flag said so.",
    )
    red_flag: str | None = Field(
        default=None, description="The red-flag rule behind an emergency or urgent reply."
    )
    withheld: list[str] = Field(
        default_factory=list,
        description="Why each generated sentence the checks removed from an answer was removed (no source "
        "supports it, a drug or dose, a diagnosis the ranking does not support, stopping a medicine).",
    )


class ConsultState(TypedDict, total=False):
    """What the checkpointer keeps per session; every value is JSON-able."""

    message: str
    history: list[dict[str, str]]
    observations: list[dict[str, Any]]
    asked: list[dict[str, Any]]
    pending: dict[str, Any] | None
    next_question: dict[str, Any] | None
    """The policy's choice after this turn's message (None: answer)."""
    answering: bool
    """This turn's message answers the question asked before it."""
    asked_about: list[str]
    """The diseases and drugs this turn's message asks about, reporting no complaint: it is answered."""
    facts: dict[str, Any]
    mentions: list[str]
    reply: dict[str, Any]
    urgency: str
    """The most urgent level a red flag gave this consultation (routine until one did)."""
    red_flag: str | None
    notice: str | None
    """This turn's urgent notice, put before the reply."""
    screen: dict[str, Any] | None
    """A red flag to rule out with its screening question this turn (a ``TriageResult.to_dict``)."""
    screening: dict[str, Any] | None
    """The screening question asked last turn, awaiting its answer."""
    screened: list[str]
    """Red-flag rules whose screening question was asked (each is asked once)."""
    clarified: bool
    """The patient was asked to say more about a complaint nothing in it could be linked to (asked once)."""


def observation_to_dict(observation: Observation) -> dict[str, Any]:
    kind = next(k for k, cls in _KINDS.items() if isinstance(observation, cls))
    return {"kind": kind, **asdict(observation)}


def observation_from_dict(data: dict[str, Any]) -> Observation:
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    del fields["kind"]
    return _KINDS[data["kind"]](**fields)


def inquiry_state(state: ConsultState) -> InquiryState:
    return InquiryState(
        tuple(observation_from_dict(o) for o in state.get("observations", [])),
        tuple(Question(**q) for q in state.get("asked", [])),
        PatientFacts.from_dict(state.get("facts", {})).population(),
    )
