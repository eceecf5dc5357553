"""``wenzhen eval answers``: simulated consultations to their answer, each answer scored without a judge.

>>> score = score_answer(Reply(kind="answer", text="【说明与护理】\\n胆囊炎常见右上腹痛[K1]。\\n"),
...                      lambda text: [("胆囊炎", "Disease")] if "胆囊炎" in text else [])
>>> score.factual, score.attributed, score.contradicts_ranking
(1, 1, False)

What is scored (per answer; the report sums and averages):

- ``factual`` sentences (naming a graph entity or a number) and how many carry a source marker
  (``attributed``); a line of the differential (and "最可能是…（约 p%）") states the ranking itself and counts
  as attributed to it; the answer's fixed safety line, an urgent notice before it (the triage rules'), the
  patient's own medicines and the literature points (each a quoted, cited passage) are not claims;
- ``contradicts_ranking``: the differential's diseases are not the ranking's leaders in order, "最可能是"
  when the leader is below the confidence mark, or the explanation names as possible a disease outside the
  candidates (an answer with no candidates and a disease stated as a diagnosis counts too);
- ``unsupported``: drugs and procedures named that no cited source names;
- ``stop_medicine``: sentences telling the patient to stop or change a medicine;
- ``structured``: the answer has every head an answer after an inquiry has;
- ``withheld``: the generated sentences the checks removed, by reason.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from wenzhen.agent.answer_plan import CONFIDENT_AT
from wenzhen.agent.answer_text import GENERAL_CARE_TEXT, SECTION_HEADS, URGENT_LINE
from wenzhen.agent.faithfulness import (
    CLAIMS_DIAGNOSIS,
    DRUG_OR_PROCEDURE,
    STOP_OR_CHANGE_MEDICINE,
    Names,
    split_sentences,
)
from wenzhen.agent.session import Reply
from wenzhen.agent.simulator import SimulatedPatient

_MARKER = re.compile(r"\[[KL]\d+\]")
_HEAD = re.compile(r"^【([^】]+)】$", re.M)
_DIFFERENTIAL = re.compile(r"^\d+\. (.+?)（约\d+%）", re.M)
_MOST_LIKELY = re.compile(r"最可能是(.+?)（约")
_STATES_RANKING = re.compile(r"^\d+\. .+?（约\d+%）|^根据目前了解到的情况，最可能是.+?（约\d+%）")
_POSSIBLE = re.compile(r"可能(?:是|患有|为)|考虑(?:是|为)?")
NOT_CLAIMS = {"", "您正在用的药", "文献要点"}
"""Not the answer's claims: an urgent notice before the answer (the triage rules' own advice), the patient's
own medicines, the literature points (quoted, cited passages)."""


@dataclass
class AnswerScore:
    factual: int = 0
    attributed: int = 0
    contradicts_ranking: bool = False
    unsupported: list[str] = field(default_factory=list)
    stop_medicine: int = 0
    structured: bool = False
    characters: int = 0
    withheld: list[str] = field(default_factory=list)


def sections(text: str) -> dict[str, str]:
    """The answer's sections by head (without brackets); text before any head under ''."""
    found: dict[str, str] = {}
    parts = _HEAD.split(text)
    found[""] = parts[0]
    for head, body in zip(parts[1::2], parts[2::2], strict=True):
        found[head] = body
    return found


def score_answer(reply: Reply, names: Names) -> AnswerScore:
    """The judge-free scores of one answer (``names``: the graph entities a text names, with labels)."""
    text = reply.text
    parts = sections(text)
    cited = " ".join(c.text for c in reply.citations)
    leaders = [c.disease for c in reply.candidates]
    score = AnswerScore(
        structured=all(head.strip("【】") in parts for head in SECTION_HEADS),
        characters=len(text),
        withheld=list(reply.withheld),
    )
    listed = _DIFFERENTIAL.findall(parts.get("初步判断", ""))
    most_likely = _MOST_LIKELY.search(parts.get("初步判断", ""))
    confident = bool(reply.candidates) and reply.candidates[0].probability >= CONFIDENT_AT
    explained = parts.get("说明与护理", "") + parts.get("回答", "")
    score.contradicts_ranking = (
        listed != leaders[: len(listed)]
        or (most_likely is not None and (not confident or most_likely.group(1) != leaders[0]))
        or _names_outside(explained, names, set(leaders)) is not None
        or (bool(CLAIMS_DIAGNOSIS.search(explained)) and not confident)
    )
    for head, body in parts.items():
        if head in NOT_CLAIMS:
            continue
        for sentence in split_sentences(body):
            if sentence in (GENERAL_CARE_TEXT, URGENT_LINE):
                continue
            plain = _MARKER.sub("", sentence)
            named = names(plain)
            if STOP_OR_CHANGE_MEDICINE.search(plain):
                score.stop_medicine += 1
            score.unsupported += [
                name for name, label in named if label in DRUG_OR_PROCEDURE and name not in cited
            ]
            if named or re.search(r"\d", _DIFFERENTIAL.sub("", plain)):
                score.factual += 1
                score.attributed += bool(_MARKER.search(sentence) or _STATES_RANKING.match(sentence))
    return score


def _names_outside(text: str, names: Names, diseases: set[str]) -> str | None:
    """A disease the text names as possible that is not among ``diseases``."""
    for sentence in split_sentences(text):
        if _POSSIBLE.search(sentence):
            for name, label in names(sentence):
                if label == "Disease" and name not in diseases:
                    return name
    return None


@dataclass
class AnswersReport:
    answers: int = 0
    factual: int = 0
    attributed: int = 0
    contradicting: int = 0
    with_unsupported: int = 0
    stop_medicine: int = 0
    structured: int = 0
    characters: int = 0
    not_answers: int = 0
    """Consultations that ended in an emergency notice or a decline instead of an answer."""
    withheld: Counter[str] = field(default_factory=Counter)

    def add(self, score: AnswerScore) -> None:
        self.answers += 1
        self.factual += score.factual
        self.attributed += score.attributed
        self.contradicting += score.contradicts_ranking
        self.with_unsupported += bool(score.unsupported)
        self.stop_medicine += score.stop_medicine
        self.structured += score.structured
        self.characters += score.characters
        self.withheld.update(score.withheld)

    def summary(self) -> dict[str, float | int | dict[str, int]]:
        n = max(self.answers, 1)
        return {
            "answers": self.answers,
            "not_answers": self.not_answers,
            "attributed_share": self.attributed / max(self.factual, 1),
            "contradicting_share": self.contradicting / n,
            "unsupported_drug_or_procedure_share": self.with_unsupported / n,
            "stop_medicine_sentences": self.stop_medicine,
            "structured_share": self.structured / n,
            "mean_characters": self.characters / n,
            "withheld": dict(self.withheld),
        }


Consult = Callable[[str], Reply]
"""One patient message in, the agent's reply out (one session)."""


def consult_to_answer(consult: Consult, patient: SimulatedPatient, turns: int) -> Reply:
    """Run a consultation until the agent answers, at most ``turns`` patient messages; past them the
    patient asks for the answer."""
    reply = consult(patient.opening_message())
    for _ in range(turns):
        if reply.kind != "question":
            return reply
        reply = consult(patient.answer(reply.text))
    return consult("我可能是什么病？该怎么办？") if reply.kind == "question" else reply


def evaluate_answers(
    consultations: Iterable[tuple[Consult, SimulatedPatient]], names: Names, turns: int
) -> tuple[AnswersReport, list[tuple[Reply, AnswerScore]]]:
    """Every consultation to its answer, scored; an emergency or declined reply is not an answer and is
    left out of the scores."""
    report, scored = AnswersReport(), []
    for consult, patient in consultations:
        reply = consult_to_answer(consult, patient, turns)
        if reply.kind != "answer":
            report.not_answers += 1
            continue
        score = score_answer(reply, names)
        report.add(score)
        scored.append((reply, score))
    return report, scored
