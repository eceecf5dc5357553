"""The automatic-diagnosis benchmarks' protocol (Dxy, MZ-4, MZ-10), cross-validated over case records.

>>> from wenzhen.agent.case_records import CaseRecord
>>> records = [CaseRecord("肺炎", {"咳嗽": True}, {"发热": True}),
...            CaseRecord("支气管炎", {"咳嗽": True}, {"发热": False})] * 10
>>> run = evaluate_diagnosis(records, "records", folds=5)
>>> report = run.report()
>>> report.accuracy, report.implicit_recall, report.mean_questions
(1.0, 1.0, 1.0)
>>> run.report(budget=0).accuracy      # no question: both say only 咳嗽, and each fold's prior picks one
0.3

An inquiry asks the same questions in the same order whatever its budget (the budget only stops it sooner),
so one run at the largest budget reports every smaller one.

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
    leading: tuple[str, ...]
    """The leading disease before the first question and after each answer."""
    asked: tuple[str, ...]

    @property
    def diagnosis(self) -> str:
        return self.leading[-1]

    def cut(self, budget: int) -> Consultation:
        """The consultation an inquiry with at most ``budget`` questions has: the same questions in the same
        order (the budget only stops it sooner), so a prefix of this one."""
        return Consultation(self.leading[: budget + 1], self.asked[:budget])


@dataclass(frozen=True)
class DiagnosisReport:
    variant: Variant
    protocol: str
    patient: Patient
    max_questions: int
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
    leading = [inquiry.ranking(state, 1)[0].disease]
    while (symptom := inquiry.next_question(state)) is not None:
        state = inquiry.answer(state, symptom, patient_reply(record, symptom, patient))
        leading.append(inquiry.ranking(state, 1)[0].disease)
    return Consultation(tuple(leading), tuple(state.asked))


@dataclass(frozen=True)
class DiagnosisRun:
    """Each case of a cross-validated run, consulted once at the run's question budget."""

    variant: Variant
    protocol: str
    patient: Patient
    folds: int
    max_questions: int
    consulted: tuple[tuple[CaseRecord, Consultation], ...]

    def report(self, budget: int | None = None) -> DiagnosisReport:
        """The figures at the run's budget, or at a smaller ``budget`` (each consultation cut there)."""
        budget = self.max_questions if budget is None else budget
        if not 0 <= budget <= self.max_questions:
            raise InputError(f"a run at {self.max_questions} questions at most cannot report at {budget}")
        cut = [(record, consultation.cut(budget)) for record, consultation in self.consulted]
        cases = len(cut)
        return DiagnosisReport(
            self.variant,
            self.protocol,
            self.patient,
            budget,
            cases,
            self.folds,
            sum(c.diagnosis == r.disease for r, c in cut) / cases,
            sum(len(set(c.asked) & set(r.asked)) for r, c in cut) / max(sum(len(r.asked) for r, _ in cut), 1),
            sum(len(c.asked) for _, c in cut) / cases,
        )


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
) -> DiagnosisRun:
    """A cross-validated run of one variant: the answer model fitted from the graph, the records, or both
    (the records of the other folds; the graph needs ``graph``); with ``reader`` the text protocol, where the
    model learns from what the reader finds in the training records too. Its :meth:`~DiagnosisRun.report`
    gives the figures at any budget up to ``parameters.max_questions`` without consulting again."""
    if variant != "records" and graph is None:
        raise InputError(f"the {variant!r} variant needs the graph")
    parameters = parameters or CaseInquiryParameters()
    diseases = sorted({r.disease for r in records})
    consulted: list[tuple[CaseRecord, Consultation]] = []
    for train, test in split_folds(records, folds, seed):
        symptoms = sorted({s for r in train for s in r.symptoms})
        belief = graph(diseases, symptoms) if graph is not None and variant != "records" else None
        read = reader(train, symptoms) if reader is not None else None
        fitted = [] if variant == "graph" else [r.restated(read(r)) if read else r for r in train]
        model = fit_answer_model(fitted, diseases, symptoms, belief, settings)
        inquiry = CaseInquiry(model.closed_world() if patient == "live" else model, parameters)
        for record in test:
            stated = read(record) if read is not None else dict(record.explicit)
            consulted.append((record, consult(inquiry, record, stated, patient)))
    protocol = "text" if reader is not None else "symptoms"
    return DiagnosisRun(variant, protocol, patient, folds, parameters.max_questions, tuple(consulted))
