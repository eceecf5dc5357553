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
from dataclasses import dataclass, replace
from pathlib import Path

from wenzhen.agent.findings import Linker, read_message
from wenzhen.agent.inquiry import DiseaseIndex, InquiryParameters, InquiryPolicy, InquiryState, Ranked
from wenzhen.agent.questions import template_text
from wenzhen.agent.simulator import Case, SimulatedPatient
from wenzhen.agent.triage import Triage
from wenzhen.core.errors import InputError, ResourceMissing
from wenzhen.core.files import decode_file, parse_json_lines, read_json_lines
from wenzhen.retrieval.kg import DiseaseProfile


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
    mode: str
    cases: int
    top1: float
    top3: float
    mean_questions: float
    baseline_top1: float
    baseline_top3: float
    skipped: int = 0


def run_case(
    policy: InquiryPolicy, linker: Linker, patient: SimulatedPatient
) -> tuple[list[Ranked], list[Ranked], int]:
    """One consultation: (ranking after the opening only, final ranking, questions asked)."""
    reading = read_message(linker, patient.opening_message(), None)
    state = policy.observe(InquiryState(), *reading.observations)
    baseline = policy.ranking(state, 3)
    while (question := policy.next_question(state)) is not None:
        state = policy.ask(state, question)
        answer = patient.answer(template_text(question))
        reading = read_message(linker, answer, question, policy.index.body_part_names)
        state = policy.observe(state, *reading.observations)
    return baseline, policy.ranking(state, 3), len(state.asked)


def evaluate_inquiry(
    linker: Linker,
    profiles: list[DiseaseProfile],
    cases: list[Case],
    parameters: InquiryParameters,
    seed: int = 0,
) -> InquiryReport:
    by_name = {p.disease: p for p in profiles}
    policy = InquiryPolicy(DiseaseIndex(profiles), parameters)
    top1 = top3 = base1 = base3 = questions = done = 0
    for case in cases:
        profile = by_name.get(case.disease)
        if profile is None or case.opening_symptom not in profile.symptoms:
            continue
        baseline, final, asked = run_case(
            policy, linker, SimulatedPatient(profile, case.opening_symptom, linker, seed)
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
    return InquiryReport(
        mode, done, top1 / done, top3 / done, questions / done, base1 / done, base3 / done, len(cases) - done
    )


def inquiry_modes(parameters: InquiryParameters, closed_max_questions: int = 5) -> list[InquiryParameters]:
    """The configured policy and its closed-questions-only variant (budget ``closed_max_questions``)."""
    return [parameters, replace(parameters, open_questions=False, max_questions=closed_max_questions)]


@dataclass(frozen=True)
class TriageCase:
    text: str
    emergency: bool
    rule: str | None = None


def read_triage_cases(path: Path) -> list[TriageCase]:
    """JSONL ``{"text", "emergency", "rule"?}``, or a DISC sample file (a JSON list of ``question``s)."""
    text = decode_file(path).text
    if text.lstrip().startswith("["):
        return [TriageCase(str(row["question"]), False) for row in json.loads(text)]
    return parse_json_lines(
        str(path),
        text,
        lambda row: TriageCase(str(row["text"]), bool(row["emergency"]), row.get("rule")),
        '{"text", "emergency", "rule"?}',
    )


@dataclass(frozen=True)
class TriageReport:
    emergencies: int
    caught: int
    ordinary: int
    false_alarms: int
    misses: list[str]
    alarms: list[str]

    @property
    def recall(self) -> float:
        return self.caught / self.emergencies if self.emergencies else 1.0


def evaluate_triage(triage: Triage, cases: list[TriageCase]) -> TriageReport:
    misses, alarms = [], []
    for case in cases:
        fired = triage.check(case.text) is not None
        if case.emergency and not fired:
            misses.append(case.text)
        elif not case.emergency and fired:
            alarms.append(case.text)
    emergencies = sum(c.emergency for c in cases)
    return TriageReport(
        emergencies, emergencies - len(misses), len(cases) - emergencies, len(alarms), misses, alarms
    )
