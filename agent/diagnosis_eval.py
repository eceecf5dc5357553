"""The automatic-diagnosis benchmarks' protocol (Dxy, MZ-4, MZ-10), cross-validated over case records.

>>> from wenzhen.agent.case_records import CaseRecord
>>> records = [CaseRecord("肺炎", {"咳嗽": True}, {"发热": True}),
...            CaseRecord("支气管炎", {"咳嗽": True}, {"发热": False})] * 10
>>> report = evaluate_diagnosis(records, "records", folds=5)
>>> report.accuracy, report.implicit_recall, report.mean_questions
(1.0, 1.0, 1.0)

The patient states the record's explicit symptoms (or, in the text protocol, whatever a reader finds in
their own words); the agent asks closed questions, which the simulated patient answers from the record:
yes, no, "not sure" for a ``null``, and "not recorded" for a symptom the record does not have, as the
standard simulators tell them apart (HRL / KR-DS: ``not_sure`` with I_DO_NOT_KNOW for a symptom outside the
goal, the goal's value otherwise; DxFormer, which released MZ-10: NOT SURE and NOT MENTIONED); the agent
then names one of the dataset's diseases. Reported: accuracy, the share of the records' implicit symptoms
the agent asked about (recall), and questions per case. Each fold's model is fitted on the other folds
only.

The ``live`` patient is the consultation's own case instead: a patient answers every question, denying
what the record lacks, and the model reads the answers as :class:`AnswerModelPolicy` does
(:meth:`AnswerModel.closed_world`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from wenzhen.agent.answer_model import BoolArray, FitSettings, fit_answer_model
from wenzhen.agent.case_inquiry import CaseInquiry, CaseInquiryParameters, CaseState
from wenzhen.agent.case_records import UNRECORDED, Answer, CaseRecord, Reply, split_folds
from wenzhen.core.errors import InputError

Variant = Literal["graph", "records", "both"]
VARIANTS: tuple[Variant, ...] = ("graph", "records", "both")
Patient = Literal["record", "live"]
PATIENTS: tuple[Patient, ...] = ("record", "live")
GraphBelief = Callable[[Sequence[str], Sequence[str]], BoolArray]
"""(diseases, symptoms) -> has[d, s], what the graph lists."""
StatementReader = Callable[[CaseRecord], dict[str, Answer]]
"""What the patient states at the start, read from a record (the text protocol reads its self-report)."""
ReaderFactory = Callable[[list[CaseRecord], Sequence[str]], StatementReader]
"""Builds a statement reader from the training records and the symptom vocabulary."""


@dataclass(frozen=True)
class Consultation:
    diagnosis: str
    asked: tuple[str, ...]


@dataclass(frozen=True)
class DiagnosisReport:
    variant: Variant
    protocol: str
    patient: Patient
    cases: int
    folds: int
    accuracy: float
    implicit_recall: float
    mean_questions: float


def patient_reply(record: CaseRecord, symptom: str, patient: Patient = "record") -> Reply:
    """The simulated patient's reply: the record's, or a ``live`` patient's, who denies what it lacks."""
    reply = record.reply(symptom)
    return False if patient == "live" and reply is UNRECORDED else reply


def consult(
    inquiry: CaseInquiry, record: CaseRecord, stated: dict[str, Answer], patient: Patient = "record"
) -> Consultation:
    """One simulated consultation: ask until the inquiry stops, then name the leading disease."""
    state = CaseState(stated)
    while (symptom := inquiry.next_question(state)) is not None:
        state = inquiry.answer(state, symptom, patient_reply(record, symptom, patient))
    return Consultation(inquiry.ranking(state, 1)[0].disease, tuple(state.asked))


def evaluate_diagnosis(
    records: Sequence[CaseRecord],
    variant: Variant,
    folds: int = 5,
    seed: int = 0,
    parameters: CaseInquiryParameters | None = None,
    settings: FitSettings | None = None,
    graph: GraphBelief | None = None,
    reader: ReaderFactory | None = None,
    patient: Patient = "record",
) -> DiagnosisReport:
    """Cross-validated figures of one variant: the answer model fitted from the graph, the records, or both
    (the records of the other folds; the graph needs ``graph``); with ``reader`` the text protocol, where the
    model learns from what the reader finds in the training records too."""
    if variant != "records" and graph is None:
        raise InputError(f"the {variant!r} variant needs the graph")
    diseases = sorted({r.disease for r in records})
    correct = asked = recalled = implicit = 0
    for train, test in split_folds(records, folds, seed):
        symptoms = sorted({s for r in train for s in r.symptoms})
        belief = graph(diseases, symptoms) if graph is not None and variant != "records" else None
        read = reader(train, symptoms) if reader is not None else None
        fitted = [] if variant == "graph" else [r.restated(read(r)) if read else r for r in train]
        model = fit_answer_model(fitted, diseases, symptoms, belief, settings)
        inquiry = CaseInquiry(model.closed_world() if patient == "live" else model, parameters)
        for record in test:
            stated = read(record) if read is not None else dict(record.explicit)
            result = consult(inquiry, record, stated, patient)
            correct += result.diagnosis == record.disease
            asked += len(result.asked)
            recalled += len(set(result.asked) & set(record.asked))
            implicit += len(record.asked)
    return DiagnosisReport(
        variant,
        "text" if reader is not None else "symptoms",
        patient,
        len(records),
        folds,
        correct / len(records),
        recalled / max(implicit, 1),
        asked / len(records),
    )
