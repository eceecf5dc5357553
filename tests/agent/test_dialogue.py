"""The DISC dialogue protocol's parts: samples, the scripted patient, the judge prompt and score parsing.
The judge here is langchain-core's fake chat model (a unit test: it only checks prompt and parsing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from wenzhen.agent.dialogue import (
    Sample,
    ScriptedPatient,
    automatic_scores,
    bigram_f1,
    judge,
    judge_prompt,
    parse_scores,
    read_samples,
    run_dialogue,
)
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


CMB_CLIN = {
    "id": 7,
    "title": "肝硬化",
    "description": "男，52岁，乙肝病史20年，乏力、腹胀1月，皮肤发黄。",
    "QA_pairs": [
        {"question": "最可能的诊断是什么？", "answer": "乙肝后肝硬化失代偿期"},
        {"question": "需要做哪些检查？", "answer": "肝功能、腹部超声、甲胎蛋白"},
        {"question": "治疗原则是什么？", "answer": "抗病毒治疗，利尿，保肝"},
    ],
}


def test_cmb_clin_cases_and_discs_cmb_clin_samples_are_read(tmp_path: Path) -> None:
    own = tmp_path / "cmb_clin.json"
    own.write_text(json.dumps([CMB_CLIN], ensure_ascii=False), encoding="utf-8")
    (case,) = read_samples(own)
    assert case.source == "CMB-Clin" and case.question.endswith("皮肤发黄。\n最可能的诊断是什么？")
    assert case.questions == ("需要做哪些检查？", "治疗原则是什么？") and len(case.references) == 3
    disc = tmp_path / "cmb_clin_samples.jsonl"
    disc.write_text(json.dumps({"id": "c1", "case": "女，30岁，头痛", "first_question": "诊断？"}) + "\n")
    assert read_samples(disc) == [Sample("c1", "女，30岁，头痛\n诊断？", "CMB-Clin")]
    own.write_text(json.dumps([{"id": 1, "QA_pairs": [{"answer": "x"}]}]), encoding="utf-8")
    with pytest.raises(ValueError, match=r"sample 1: QA_pairs must be a list of \{question, answer\}"):
        read_samples(own)


class AlternatingConsultant:
    """A fake consultant (unit test): asks one question of its own, then answers each message."""

    def __init__(self) -> None:
        self.turn = 0

    def start_session(self) -> str:
        return "s"

    def reply(self, session_id: str, text: str) -> Reply:
        self.turn += 1
        if self.turn == 1:
            return Reply(kind="question", text="有没有腹胀？", question={"kind": "symptom", "target": "腹胀"})
        return Reply(kind="answer", text=f"回答：{text}肝功能、腹部超声")


def test_a_cmb_clin_case_asks_each_question_in_turn_and_scores_the_answers(tmp_path: Path) -> None:
    path = tmp_path / "cmb.json"
    path.write_text(json.dumps([CMB_CLIN], ensure_ascii=False), encoding="utf-8")
    (case,) = read_samples(path)
    record = run_dialogue(AlternatingConsultant(), case, ScriptedPatient(), "wenzhen")
    patient = [m["content"] for m in record["conversation"] if m["role"] == "patient"]
    assert patient == [case.question, "是的，有腹胀。", "需要做哪些检查？", "治疗原则是什么？"]
    assert [r["kind"] for r in record["replies"]] == ["question", "answer", "answer", "answer"]
    scores = automatic_scores(record, case)
    assert scores["questions_asked"] == 1.0 and scores["citations_per_answer"] == 0.0
    answers = [m["content"] for m in record["conversation"] if m["role"] == "doctor"][1:]
    expected = sum(bigram_f1(a, r) for a, r in zip(answers, case.references, strict=True)) / 3
    assert scores["reference_overlap"] == pytest.approx(expected) and expected > 0
    assert bigram_f1("肝功能、腹部超声", "肝功能、腹部超声、甲胎蛋白") > bigram_f1(
        "抗病毒治疗", "肝功能、腹部超声"
    )
