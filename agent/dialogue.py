"""The DISC-MedLLM dialogue protocol: 3 patient turns per sample, transcripts in DISC's format, a judge.

>>> sample = read_samples(Path("cmd_samples.json"))[0]                                  # doctest: +SKIP
>>> record = run_dialogue(consultant, sample, ScriptedPatient(), "wenzhen")            # doctest: +SKIP
>>> judge(record, judge_model)                                                          # doctest: +SKIP
{'Proactivity': 4, 'Accuracy': 4, 'Helpfulness': 4, 'Linguistic Quality': 5}

The patient is scripted (answers the agent's questions from the sample's own text, then asks DISC-style
follow-ups) or any LangChain chat model playing the patient. The judge is any chat model (an OpenAI-compatible
endpoint serving GPT-4 or a local judge) given DISC's rubric (``agent/data/disc_judge_prompt.txt``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel

from wenzhen.agent.session import Reply
from wenzhen.core.errors import InputError

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


def read_samples(path: Path) -> list[Sample]:
    """DISC's CMD or CMID sample file: a JSON list of records with ``id`` and ``question``."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(rows, list):
        raise InputError(f"{path}: expected a JSON list of samples")
    samples = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not row.get("question"):
            raise InputError(f"{path}: sample {number}: no 'question'")
        info = {k: row[k] for k in ("department", "cate", "dataset_info") if k in row}
        source = "CMD" if "department" in row else "CMID"
        samples.append(Sample(str(row.get("id", number)), str(row["question"]), source, info))
    return samples


def transcript(conversation: list[dict[str, str]]) -> str:
    """``role: content`` lines, as the patient model and the judge read a conversation."""
    return "\n".join(f"{m['role']}: {m['content']}" for m in conversation)


class Patient(Protocol):
    def next_message(
        self, sample: Sample, conversation: list[dict[str, str]], reply: Reply
    ) -> str | None: ...


class ScriptedPatient:
    """Answers questions from the sample text (a symptom named there: yes; else no), then asks follow-ups."""

    def next_message(self, sample: Sample, conversation: list[dict[str, str]], reply: Reply) -> str | None:
        if reply.kind in ("emergency", "declined"):
            return None
        if reply.kind == "question" and reply.question is not None:
            target = reply.question.get("target")
            if reply.question["kind"] == "open":
                return "没有了。"
            if target and target in sample.question:
                return f"是的，有{target}。" if reply.question["kind"] == "symptom" else "是的。"
            return "没有。" if reply.question["kind"] == "symptom" else "不清楚。"
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


def run_dialogue(consultant: Consults, sample: Sample, patient: Patient, model_name: str) -> dict[str, Any]:
    """One sample, up to three patient turns, as a DISC dialogue record."""
    session = consultant.start_session()
    conversation: list[dict[str, str]] = []
    message: str | None = sample.question
    while message is not None and sum(m["role"] == "patient" for m in conversation) < PATIENT_TURNS:
        conversation.append({"role": "patient", "content": message})
        reply = consultant.reply(session, message)
        conversation.append({"role": "doctor", "content": reply.text})
        message = patient.next_message(sample, conversation, reply)
    return {
        "id": sample.id,
        "model": model_name,
        "source": sample.source,
        "dataset_info": sample.info,
        "conversation": conversation,
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
