"""Evaluations of the consultation agent: inquiry with simulated patients, and red-flag triage.

>>> cases = sample_cases(profiles, n=300, seed=0)                                   # doctest: +SKIP
>>> report = evaluate_inquiry(kg, profiles, cases, InquiryParameters())           # doctest: +SKIP
>>> report.top1, report.top3, report.mean_questions                                # doctest: +SKIP

The inquiry runs through the agent's text interface: the simulated patient's words are linked to the graph
and read as observations exactly as a user's would be, the policy picks each question and its template text
is what the patient hears (``wenzhen.agent.simulator``). Every question counts. The baseline ranks by the
opening symptom alone, in the same run.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from wenzhen.agent.findings import Linker, read_message
from wenzhen.agent.inquiry import DiseaseIndex, InquiryParameters, InquiryPolicy, InquiryState, Ranked
from wenzhen.agent.locations import BodyLocations
from wenzhen.agent.population import read_population
from wenzhen.agent.questions import Gloss, template_text
from wenzhen.agent.simulator import Case, GraphTerms, LayWords, RelativeWords, SimulatedPatient, Speech
from wenzhen.agent.triage import Triage
from wenzhen.core.errors import InputError, ResourceMissing
from wenzhen.core.files import decode_file, parse_json_lines, read_json_lines
from wenzhen.retrieval.kg import DiseaseProfile, KGRetriever


def sample_cases(profiles: list[DiseaseProfile], n: int, seed: int = 0, min_symptoms: int = 2) -> list[Case]:
    """``n`` diseases with at least ``min_symptoms`` symptoms, each with one opening symptom (seeded)."""
    eligible = [p for p in profiles if len(set(p.symptoms)) >= min_symptoms]
    if not eligible:
        raise ResourceMissing(f"no disease in the graph has {min_symptoms} or more symptoms")
    rng = random.Random(seed)
    chosen = rng.sample(eligible, min(n, len(eligible)))
    return [Case(p.disease, rng.choice(sorted(set(p.symptoms)))) for p in chosen]


def read_cases(path: Path) -> list[Case]:
    return read_json_lines(
        path,
        lambda row: Case(str(row["disease"]), str(row["opening_symptom"])),
        '{"disease", "opening_symptom"}',
    )


def write_cases(cases: list[Case], path: Path) -> None:
    path.write_text(
        "".join(
            json.dumps({"disease": c.disease, "opening_symptom": c.opening_symptom}, ensure_ascii=False)
            + "\n"
            for c in cases
        ),
        encoding="utf-8",
    )


@dataclass(frozen=True)
class InquiryReport:
    patient: str
    """How the simulated patients spoke: "graph terms" or "everyday words"."""
    mode: str
    cases: int
    top1: float
    top3: float
    mean_questions: float
    baseline_top1: float
    baseline_top3: float
    skipped: int = 0


def run_case(
    policy: InquiryPolicy,
    linker: Linker,
    patient: SimulatedPatient,
    locations: BodyLocations | None = None,
    everyday: Gloss | None = None,
) -> tuple[list[Ranked], list[Ranked], int]:
    """One consultation: (ranking after the opening only, final ranking, questions asked); the patient's
    words are read as a consultation reads them (with ``locations``: where they say it is, unprompted),
    and hears questions as a consultation asks them (``everyday``: a symptom's gloss)."""
    parts = policy.index.body_part_names
    reading = read_message(linker, patient.opening_message(), None, parts, locations)
    facts = reading.facts
    state = policy.observe(InquiryState(patient=facts.population()), *reading.observations)
    baseline = policy.ranking(state, 3)
    while (question := policy.next_question(state)) is not None:
        state = policy.ask(state, question)
        answer = patient.answer(template_text(question, everyday=everyday))
        reading = read_message(linker, answer, question, parts, locations)
        facts = facts.merge(reading.facts)
        state = replace(policy.observe(state, *reading.observations), patient=facts.population())
    return baseline, policy.ranking(state, 3), len(state.asked)


def evaluate_inquiry(
    linker: Linker,
    profiles: list[DiseaseProfile],
    cases: list[Case],
    parameters: InquiryParameters,
    seed: int = 0,
    lay: dict[str, tuple[str, ...]] | None = None,
    concept_of: Callable[[str], str] = str,
    patient_linker: Linker | None = None,
    locations: BodyLocations | None = None,
    broader: Callable[[str], Sequence[str]] | None = None,
    relatives: bool = False,
    everyday: Gloss | None = None,
) -> InquiryReport:
    """Simulated consultations over ``profiles`` (symptoms as concepts; ``concept_of`` maps a case's
    opening symptom to its concept). With ``lay`` (a concept's everyday phrasings) the patients speak them
    and answer closed questions with a bare yes or no (with ``relatives``, told by a relative, not always
    sure: 好像有, 应该没有吧); else they speak the graph's terms. The patients read
    the doctor's questions with ``patient_linker`` (default: ``linker``): the graph's names, which questions
    use, without the agent's linking by meaning. ``broader``: as the consultation's policy has it;
    ``everyday``: the gloss a consultation's question gives a symptom (腹泻（拉肚子）)."""
    by_name = {p.disease: p for p in profiles}
    policy = InquiryPolicy(DiseaseIndex(profiles), parameters, broader)
    top1 = top3 = base1 = base3 = questions = done = 0
    for case in cases:
        profile = by_name.get(case.disease)
        opening = concept_of(case.opening_symptom)
        if profile is None or opening not in profile.symptoms:
            continue
        speech: Speech = GraphTerms()
        if lay is not None:
            key = f"{seed}:{case.disease}"
            population = read_population(profile.population, profile.disease)
            speech = RelativeWords(lay, key, population) if relatives else LayWords(lay, key)
        baseline, final, asked = run_case(
            policy,
            linker,
            SimulatedPatient(profile, opening, patient_linker or linker, seed, speech),
            locations,
            everyday,
        )
        done += 1
        questions += asked
        top1 += final[0].disease == case.disease
        top3 += case.disease in [r.disease for r in final]
        base1 += baseline[0].disease == case.disease
        base3 += case.disease in [r.disease for r in baseline]
    if not done:
        raise InputError("none of the cases names a disease and opening symptom of the loaded graph")
    mode = "open+closed" if parameters.open_questions else "closed only"
    patient = "graph terms" if lay is None else "a relative's words" if relatives else "everyday words"
    return InquiryReport(
        patient,
        mode,
        done,
        top1 / done,
        top3 / done,
        questions / done,
        base1 / done,
        base3 / done,
        len(cases) - done,
    )


def evaluate_graph_inquiry(
    kg: KGRetriever,
    profiles: list[DiseaseProfile],
    cases: list[Case],
    parameters: InquiryParameters,
    seed: int = 0,
    lay: dict[str, tuple[str, ...]] | None = None,
    locations: BodyLocations | None = None,
    relatives: bool = False,
) -> InquiryReport:
    """:func:`evaluate_inquiry` read as a consultation reads: through ``kg``'s linker and symptom concepts
    (broader ones included), the patients hearing questions through the graph's names."""
    return evaluate_inquiry(
        kg,
        profiles,
        cases,
        parameters,
        seed,
        lay,
        kg.concepts.concept_of,
        kg.dictionary,
        locations,
        kg.concepts.with_broader,
        relatives,
        kg.concepts.everyday,
    )


def inquiry_modes(parameters: InquiryParameters, closed_max_questions: int = 5) -> list[InquiryParameters]:
    """The configured policy and its closed-questions-only variant (budget ``closed_max_questions``)."""
    return [parameters, replace(parameters, open_questions=False, max_questions=closed_max_questions)]


@dataclass(frozen=True)
class TriageCase:
    """A labelled presentation: the patient's messages (oldest first) and how urgent it really is."""

    messages: tuple[str, ...]
    level: TriageLevel
    rule: str | None = None

    @property
    def emergency(self) -> bool:
        return self.level == "emergency"

    @property
    def text(self) -> str:
        return " / ".join(self.messages)


TriageLevel = Literal["emergency", "urgent", "routine"]
_TRIAGE_LEVELS: tuple[TriageLevel, ...] = ("emergency", "urgent", "routine")


def _triage_case(row: dict[str, Any]) -> TriageCase:
    messages = tuple(str(m) for m in row["turns"]) if "turns" in row else (str(row["text"]),)
    wanted = row["level"] if "level" in row else ("emergency" if row["emergency"] else "routine")
    level = next((known for known in _TRIAGE_LEVELS if known == wanted), None)
    if level is None or not messages:
        raise ValueError(f"level must be one of {', '.join(_TRIAGE_LEVELS)}, with at least one message")
    return TriageCase(messages, level, row.get("rule"))


def read_triage_cases(path: Path) -> list[TriageCase]:
    """JSONL of ``{"text" or "turns": [...], "level": emergency|urgent|routine, "rule"?}`` (or the older
    ``{"text", "emergency": true|false}``), or a DISC sample file (a JSON list of ordinary ``question``s)."""
    text = decode_file(path).text
    if text.lstrip().startswith("["):
        return [TriageCase((str(row["question"]),), "routine") for row in json.loads(text)]
    return parse_json_lines(
        str(path), text, _triage_case, '{"text" or "turns", "level" or "emergency", "rule"?}'
    )


@dataclass(frozen=True)
class TriageReport:
    """Emergencies caught and false alarms (an emergency reply to a non-emergency), urgent cases sent to a
    doctor today, and non-emergencies that were asked a screening question first."""

    emergencies: int
    caught: int
    ordinary: int
    false_alarms: int
    urgent: int
    urgent_caught: int
    screened: int
    misses: list[str]
    alarms: list[str]
    urgent_misses: list[str]

    @property
    def recall(self) -> float:
        return self.caught / self.emergencies if self.emergencies else 1.0


def evaluate_triage(triage: Triage, cases: list[TriageCase]) -> TriageReport:
    misses, alarms, urgent_misses, screened = [], [], [], 0
    for case in cases:
        result = triage.check(case.messages)
        level = result.level if result is not None else None
        if case.emergency and level != "emergency":
            misses.append(case.text)
        elif not case.emergency and level == "emergency":
            alarms.append(case.text)
        if case.level == "urgent" and level not in ("urgent", "emergency"):
            urgent_misses.append(case.text)
        screened += not case.emergency and level == "screen"
    emergencies = sum(c.emergency for c in cases)
    urgent = sum(c.level == "urgent" for c in cases)
    return TriageReport(
        emergencies,
        emergencies - len(misses),
        len(cases) - emergencies,
        len(alarms),
        urgent,
        urgent - len(urgent_misses),
        screened,
        misses,
        alarms,
        urgent_misses,
    )
