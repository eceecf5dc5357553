"""Inquiry over a fitted answer model: a posterior over a fixed list of diseases (a department's, a
benchmark's), the next closed question by expected information gain.

>>> from wenzhen.agent.answer_model import fit_answer_model
>>> from wenzhen.agent.case_records import CaseRecord
>>> records = [CaseRecord("肺炎", {"咳嗽": True}, {"发热": True}),
...            CaseRecord("支气管炎", {"咳嗽": True}, {"发热": False})] * 5
>>> inquiry = CaseInquiry(fit_answer_model(records))
>>> state = CaseState({"咳嗽": True})
>>> inquiry.next_question(state)
'发热'
>>> inquiry.ranking(inquiry.answer(state, "发热", True))[0].disease
'肺炎'

The patient's opening statement is read as the whole list of symptoms: every symptom of the model they did
not mention counts as "not mentioned" (the model's ``stated`` UNSURE), so what a patient leaves out is
evidence too, as it is in the records the model was fitted on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from wenzhen.agent.answer_model import AnswerModel, FloatArray
from wenzhen.agent.case_records import Answer, Reply
from wenzhen.agent.inquiry import Objective, Ranked, expected_loss, loss


@dataclass(frozen=True)
class CaseInquiryParameters:
    confidence: float = 0.95
    """Stop asking when the leading disease reaches this probability."""
    max_questions: int = 6
    min_gain: float = 0.0
    """Stop asking when no question is expected to reduce the loss by more than this."""
    objective: Objective = "entropy"


@dataclass(frozen=True)
class CaseState:
    stated: Mapping[str, Answer] = field(default_factory=dict)
    """The opening statement: symptoms the patient has (True), denies (False) or is unsure of (None)."""
    answers: tuple[tuple[str, Reply], ...] = ()
    """The closed questions asked, in order, with the answers."""

    @property
    def asked(self) -> list[str]:
        return [symptom for symptom, _ in self.answers]


class CaseInquiry:
    def __init__(self, model: AnswerModel, parameters: CaseInquiryParameters | None = None) -> None:
        self.model = model
        self.parameters = parameters or CaseInquiryParameters()

    def answer(self, state: CaseState, symptom: str, reply: Reply) -> CaseState:
        return replace(state, answers=(*state.answers, (symptom, reply)))

    def log_posterior(self, state: CaseState) -> FloatArray:
        """Unnormalised; symptoms the model does not know tell nothing."""
        return self.model.log_posterior(state.stated, state.answers)

    def probabilities(self, state: CaseState) -> FloatArray:
        log = self.log_posterior(state)
        weights = np.exp(log - log.max())
        return weights / weights.sum()  # type: ignore[no-any-return]

    def ranking(self, state: CaseState, limit: int = 10) -> list[Ranked]:
        """Diseases by posterior probability (ties in the model's order)."""
        probabilities = self.probabilities(state)
        order = np.argsort(-probabilities, kind="stable")[:limit]
        return [Ranked(self.model.diseases[i], float(probabilities[i])) for i in order]

    def next_question(self, state: CaseState) -> str | None:
        """The symptom whose answer is expected to reduce the loss most, or None to stop: the budget spent,
        the leading disease at ``confidence``, nothing left to ask or worth asking."""
        p = self.parameters
        if len(state.answers) >= p.max_questions:
            return None
        prior = self.probabilities(state)
        if float(prior.max()) >= p.confidence:
            return None
        known = {*state.stated, *state.asked}
        candidates = [j for j, s in enumerate(self.model.symptoms) if s not in known]
        if not candidates:
            return None
        expected = expected_loss(p.objective, prior, np.exp(self.model.asked[:, candidates, :]))
        best = int(np.argmin(expected))
        current = float(loss(p.objective, prior[:, None, None])[0, 0])
        return self.model.symptoms[candidates[best]] if current - expected[best] > p.min_gain else None
