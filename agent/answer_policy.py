"""The consultation's inquiry over an answer model fitted from case records: the diseases are the model's
(a department's list), the questions its symptoms, the likelihoods and priors what its records taught.

>>> from wenzhen.agent.answer_model import fit_answer_model
>>> from wenzhen.agent.case_records import CaseRecord
>>> records = [CaseRecord("肺炎", {"咳嗽": True}, {"发热": True}),
...            CaseRecord("支气管炎", {"咳嗽": True}, {"发热": False})] * 5
>>> policy = AnswerModelPolicy(fit_answer_model(records), lambda name: {name})
>>> state = policy.observe(InquiryState(), Volunteered("咳嗽"))
>>> question = policy.next_question(state)
>>> question
Question(kind='symptom', target='发热')
>>> policy.ranking(policy.observe(policy.ask(state, question), Answered("发热", True)), 1)[0].disease
'肺炎'

It speaks the consultation's terms: what the patient says arrives as symptom concepts (发烧 → 发热), and
each model symptom stands for the concepts its name links to (``concepts_of``), so a record's 发烧 and a
patient's 发热 meet. A symptom volunteered or denied unprompted is part of the statement; an answer to one
of its questions is an answer. It never asks where (the records say nothing of body parts). It reads the
model closed-world (:meth:`AnswerModel.closed_world`): a patient's "no" counts as what the records leave
unrecorded, not as the rare recorded denial.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from wenzhen.agent.answer_model import AnswerModel
from wenzhen.agent.case_inquiry import CaseInquiry, CaseInquiryParameters, CaseState
from wenzhen.agent.case_records import Answer
from wenzhen.agent.inquiry import (
    Answered,
    InquiryState,
    Observation,
    Question,
    Ranked,
    Volunteered,
)


class AnswerModelPolicy:
    def __init__(
        self,
        model: AnswerModel,
        concepts_of: Callable[[str], set[str]],
        parameters: CaseInquiryParameters | None = None,
    ) -> None:
        self.inquiry = CaseInquiry(model.closed_world(), parameters)
        self.symptoms_of: dict[str, list[str]] = {}
        """A concept (or a model symptom's own name) -> the model symptoms that stand for it."""
        for symptom in model.symptoms:
            for name in {symptom, *concepts_of(symptom)}:
                self.symptoms_of.setdefault(name, []).append(symptom)

    @property
    def body_part_names(self) -> Sequence[str]:
        return ()

    def observe(self, state: InquiryState, *observations: Observation) -> InquiryState:
        return replace(state, observations=state.observations + observations)

    def ask(self, state: InquiryState, question: Question) -> InquiryState:
        return replace(state, asked=(*state.asked, question))

    def case_state(self, state: InquiryState) -> CaseState:
        """The consultation so far in the model's symptoms: statement, then answers to its questions."""
        asked = {q.target for q in state.asked if q.kind == "symptom"}
        stated: dict[str, Answer] = {}
        answers: list[tuple[str, Answer]] = []
        for observation in state.observations:
            if not isinstance(observation, Volunteered | Answered):
                continue
            said = isinstance(observation, Volunteered) or observation.present
            present: Answer = said if observation.certain else None  # hedged: the records' "not sure"
            for symptom in self.symptoms_of.get(observation.symptom, ()):
                if isinstance(observation, Answered) and symptom in asked:
                    answers.append((symptom, present))
                elif symptom not in asked:
                    stated.setdefault(symptom, present)
        return CaseState(stated, tuple(answers))

    def next_question(self, state: InquiryState) -> Question | None:
        """Its next symptom to ask about, or None; nothing is asked before the patient says anything."""
        if not state.present and not state.absent:
            return None
        if len(state.asked) >= self.inquiry.parameters.max_questions:
            return None
        symptom = self.inquiry.next_question(self.case_state(state))
        return Question("symptom", symptom) if symptom is not None else None

    def ranking(self, state: InquiryState, limit: int = 10) -> list[Ranked]:
        return self.inquiry.ranking(self.case_state(state), limit)
