"""The DISC-MedLLM dialogue protocol: 3 patient turns per sample, transcripts in DISC's format, a judge; and
the CMB-Clin protocol on the same path: the case, then each of its questions in turn, every answer compared
with the reference answer.

>>> sample = read_samples(Path("cmd_samples.json"))[0]                                  # doctest: +SKIP
>>> record = run_dialogue(consultant, sample, ScriptedPatient(), "wenzhen")            # doctest: +SKIP
>>> judge(record, judge_model)                                                          # doctest: +SKIP
{'Proactivity': 4, 'Accuracy': 4, 'Helpfulness': 4, 'Linguistic Quality': 5}

Samples: DISC's CMD / CMID files (``question``), DISC's CMB-Clin sample (``case``, ``first_question``) and
CMB-Clin's own (``description``, ``QA_pairs`` of ``question`` / ``answer``). The patient is scripted (answers
the agent's questions from the sample's own text, then asks DISC-style follow-ups, or CMB-Clin's next
question) or any LangChain chat model playing the patient. The judge is any chat model (an OpenAI-compatible
endpoint serving GPT-4 or a local judge) given DISC's rubric (``agent/data/disc_judge_prompt.txt``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel

from wenzhen.agent.faithfulness import bigrams
from wenzhen.agent.session import Reply
from wenzhen.core.errors import InputError
from wenzhen.core.files import decode_file, iter_json_values
from wenzhen.core.issues import Issue

CRITERIA = ("Proactivity", "Accuracy", "Helpfulness", "Linguistic Quality")
FOLLOW_UPS = ("那我需要做哪些检查？", "平时生活上需要注意什么？")
PATIENT_TURNS = 3


class Consults(Protocol):
    def start_session(self) -> str: ...

    def reply(self, session_id: str, text: str) -> Reply: ...


@dataclass(frozen=True)
class Sample:
    id: str
    question: str
    source: str
    info: dict[str, Any] = field(default_factory=dict)
    questions: tuple[str, ...] = ()
    """CMB-Clin: the questions after the first, asked in turn."""
    references: tuple[str, ...] = ()
    """CMB-Clin: the reference answer of the first question and of each later one."""

    def turns(self, agent_questions: int) -> int:
        """Patient turns: DISC's three, or CMB-Clin's questions and answers to the agent's own questions."""
        return PATIENT_TURNS if not self.references else len(self.references) + agent_questions


def _sample(row: Any, number: int) -> Sample:
    if not isinstance(row, dict):
        raise InputError(f"sample {number}: expected a JSON object")
    ident = str(row.get("id", number))
    if row.get("QA_pairs"):  # CMB-Clin: the case, then its questions in turn
        pairs = row["QA_pairs"]
        if not isinstance(pairs, list) or not all(isinstance(p, dict) and p.get("question") for p in pairs):
            raise InputError(f"sample {number}: QA_pairs must be a list of {{question, answer}}")
        case = f"{row.get('description', '')}\n{pairs[0]['question']}".strip()
        return Sample(
            ident,
            case,
            "CMB-Clin",
            {"title": row.get("title", "")},
            tuple(str(p["question"]) for p in pairs[1:]),
            tuple(str(p.get("answer", "")) for p in pairs),
        )
    if row.get("case") and row.get("first_question"):  # DISC's CMB-Clin sample
        return Sample(ident, f"{row['case']}\n{row['first_question']}", "CMB-Clin")
    if not row.get("question"):
        raise InputError(f"sample {number}: no 'question' (CMD/CMID), 'case' (CMB-Clin) or 'QA_pairs'")
    info = {k: row[k] for k in ("department", "cate", "dataset_info") if k in row}
    source = "CMD" if "department" in row else "CMID"
    return Sample(ident, str(row["question"]), source, info)


def read_samples(path: Path) -> list[Sample]:
    """A JSON list (or JSON Lines) of DISC's CMD / CMID / CMB-Clin samples or CMB-Clin's own cases."""
    samples = []
    for number, item in enumerate(iter_json_values(str(path), decode_file(path).text), start=1):
        if isinstance(item, Issue):
            raise InputError(str(item))
        try:
            samples.append(_sample(item[1], number))
        except InputError as err:
            raise InputError(f"{path}: {err}") from err
    return samples


def transcript(conversation: list[dict[str, str]]) -> str:
    """``role: content`` lines, as the patient model and the judge read a conversation."""
    return "\n".join(f"{m['role']}: {m['content']}" for m in conversation)


class Patient(Protocol):
    def next_message(
        self, sample: Sample, conversation: list[dict[str, str]], reply: Reply
    ) -> str | None: ...


class ScriptedPatient:
    """Answers questions from the sample text (a symptom named there: yes; else no), then asks follow-ups —
    for a CMB-Clin case, its next question (none left: the end)."""

    def next_message(self, sample: Sample, conversation: list[dict[str, str]], reply: Reply) -> str | None:
        if reply.kind in ("emergency", "declined") and not sample.references:
            return None
        if reply.kind == "question" and reply.question is not None:
            target = reply.question.get("target")
            if reply.question["kind"] == "open":
                return "没有了。"
            if target and target in sample.question:
                return f"是的，有{target}。" if reply.question["kind"] == "symptom" else "是的。"
            return "没有。" if reply.question["kind"] == "symptom" else "不清楚。"
        if sample.references:
            asked = sum(m["role"] == "patient" and m["content"] in sample.questions for m in conversation)
            return sample.questions[asked] if asked < len(sample.questions) else None
        asked = sum(m["role"] == "patient" for m in conversation)
        return FOLLOW_UPS[(asked - 1) % len(FOLLOW_UPS)]


class ModelPatient:
    """A chat model plays the patient of the sample, in Chinese, one short message per turn."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model

    def next_message(self, sample: Sample, conversation: list[dict[str, str]], reply: Reply) -> str | None:
        if reply.kind in ("emergency", "declined"):
            return None
        prompt = (
            f"你在扮演一位患者，你最初的问题是：{sample.question}\n"
            f"以下是到目前为止的对话：\n{transcript(conversation)}\n"
            "请以患者身份用一两句中文回复医生：回答医生的问题，或者提出一个相关的追问。只输出回复内容。"
        )
        return str(self.model.invoke(prompt).text).strip() or None


def run_dialogue(
    consultant: Consults, sample: Sample, patient: Patient, model_name: str, agent_questions: int = 8
) -> dict[str, Any]:
    """One sample as a DISC dialogue record: up to three patient turns, or a CMB-Clin case's questions and
    answers to at most ``agent_questions`` of the agent's own."""
    session = consultant.start_session()
    conversation: list[dict[str, str]] = []
    replies: list[dict[str, Any]] = []
    message: str | None = sample.question
    while message is not None and sum(m["role"] == "patient" for m in conversation) < sample.turns(
        agent_questions
    ):
        conversation.append({"role": "patient", "content": message})
        reply = consultant.reply(session, message)
        conversation.append({"role": "doctor", "content": reply.text})
        replies.append({"kind": reply.kind, "citations": len(reply.citations)})
        message = patient.next_message(sample, conversation, reply)
    return {
        "id": sample.id,
        "model": model_name,
        "source": sample.source,
        "dataset_info": sample.info,
        "conversation": conversation,
        "replies": replies,
    }


def judge_prompt(record: dict[str, Any]) -> str:
    template = (
        resources.files("wenzhen.agent.data").joinpath("disc_judge_prompt.txt").read_text(encoding="utf-8")
    )
    return template.replace("{conversation}", transcript(record["conversation"]))


def parse_scores(text: str) -> dict[str, int]:
    """``Proactivity: 4`` lines -> {criterion: score}; a criterion the judge left out is left out."""
    scores = {}
    for criterion in CRITERIA:
        found = re.search(rf"{criterion}\s*[:：]\s*([1-5])", text)
        if found:
            scores[criterion] = int(found.group(1))
    return scores


def judge(record: dict[str, Any], model: BaseChatModel) -> dict[str, int]:
    return parse_scores(str(model.invoke(judge_prompt(record)).text))


def bigram_f1(answer: str, reference: str) -> float:
    """Overlap of two Chinese texts: F1 of their distinct character bigrams (as attribution reads them).

    >>> round(bigram_f1("建议查肝功能", "应查肝功能和B超"), 2)
    0.5
    """
    ours, theirs = bigrams(answer), bigrams(reference)
    hit = len(ours & theirs)
    if not hit:
        return 0.0
    precision, recall = hit / len(ours), hit / len(theirs)
    return 2 * precision * recall / (precision + recall)


def automatic_scores(record: dict[str, Any], sample: Sample) -> dict[str, float]:
    """Judge-free scores of a transcript: questions the agent asked, citations per answer and, for CMB-Clin,
    each question's answer (the reply that ends it: the first after it that is not a question of the
    agent's own) against its reference."""
    kinds = [r["kind"] for r in record["replies"]]
    answers = [r for r in record["replies"] if r["kind"] == "answer"]
    scores: dict[str, float] = {
        "questions_asked": float(kinds.count("question")),
        "citations_per_answer": sum(r["citations"] for r in answers) / len(answers) if answers else 0.0,
    }
    if sample.references:
        doctor = [m["content"] for m in record["conversation"] if m["role"] == "doctor"]
        answered = [text for text, kind in zip(doctor, kinds, strict=True) if kind != "question"]
        overlaps = [bigram_f1(a, ref) for a, ref in zip(answered, sample.references, strict=False)]
        overlaps += [0.0] * (len(sample.references) - len(overlaps))  # questions never answered
        scores["reference_overlap"] = sum(overlaps) / len(overlaps)
    return scores
