"""The DISC dialogue protocol's parts: samples, the scripted patient, the judge prompt and score parsing.
The judge here is langchain-core's fake chat model (a unit test: it only checks prompt and parsing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from wenzhen.agent.dialogue import Sample, ScriptedPatient, judge, judge_prompt, parse_scores, read_samples
from wenzhen.agent.session import Reply

RECORD = {
    "id": "1",
    "model": "wenzhen",
    "source": "CMD",
    "conversation": [
        {"role": "patient", "content": "我最近黄疸"},
        {"role": "doctor", "content": "请问有没有乏力？"},
    ],
}


def test_samples_are_read_from_disc_files_and_bad_ones_named(tmp_path: Path) -> None:
    path = tmp_path / "cmd.json"
    path.write_text(
        json.dumps([{"id": "a", "department": "内科", "question": "头痛怎么办"}]), encoding="utf-8"
    )
    assert read_samples(path) == [Sample("a", "头痛怎么办", "CMD", {"department": "内科"})]
    path.write_text(json.dumps([{"id": "a"}]), encoding="utf-8")
    with pytest.raises(ValueError, match=r"cmd.json: sample 1: no 'question'"):
        read_samples(path)


def test_the_scripted_patient_answers_from_its_own_text_then_follows_up() -> None:
    sample = Sample("1", "我最近黄疸，还乏力", "CMD")
    patient = ScriptedPatient()
    asked = Reply(kind="question", text="有没有乏力？", question={"kind": "symptom", "target": "乏力"})
    assert patient.next_message(sample, [], asked) == "是的，有乏力。"
    other = Reply(kind="question", text="有没有发热？", question={"kind": "symptom", "target": "发热"})
    assert patient.next_message(sample, [], other) == "没有。"
    answered = Reply(kind="answer", text="建议就医。")
    assert (
        patient.next_message(sample, [{"role": "patient", "content": "x"}], answered)
        == "那我需要做哪些检查？"
    )
    assert patient.next_message(sample, [], Reply(kind="emergency", text="120")) is None


def test_the_judge_gets_discs_rubric_and_its_scores_are_parsed() -> None:
    prompt = judge_prompt(RECORD)
    assert "Proactivity:" in prompt and "patient: 我最近黄疸\ndoctor: 请问有没有乏力？" in prompt
    fake = GenericFakeChatModel(messages=iter([AIMessage("Proactivity: 4\nAccuracy: 3\nHelpfulness：5\n")]))
    assert judge(RECORD, fake) == {"Proactivity": 4, "Accuracy": 3, "Helpfulness": 5}
    assert parse_scores("Linguistic Quality: 9") == {}
