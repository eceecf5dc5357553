"""``wenzhen eval kgqa``: questions made from the demo graph, answered through the agent's graph path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wenzhen.agent.kgqa import TEMPLATES, answer, evaluate, generate_questions, intent_of, score, summary
from wenzhen.api.cli import app
from wenzhen.kg_loader.store import GraphStore
from wenzhen.retrieval.kg import KGRetriever


@pytest.mark.parametrize(
    ("question", "relation"),
    [
        ("乙肝挂什么科？", "IN_DEPARTMENT"),
        ("乙肝会引起哪些并发症？", "HAS_COMPLICATION"),
        ("怀疑乙肝应该查什么？", "NEEDS_CHECK"),
        ("乙肝吃什么药好？", "TREATED_WITH_DRUG"),
        ("乙肝有哪些表现？", "HAS_SYMPTOM"),
        ("拉肚子是哪些病的症状？", "DISEASES_WITH_SYMPTOM"),
        ("乙肝会传染吗？", None),
    ],
)
def test_the_question_words_name_the_relation(question: str, relation: str | None) -> None:
    assert intent_of(question) == relation


def test_scores_of_answer_sets() -> None:
    assert score({"a", "b", "c"}, {"a"}) == pytest.approx((1 / 3, 1.0, 0.5))
    assert score(set(), {"a"}) == (0.0, 0.0, 0.0) and score(set(), set()) == (1.0, 1.0, 1.0)


def test_questions_by_name_and_alias_are_answered_as_the_graph_holds(demo_graph: GraphStore) -> None:
    kg = KGRetriever(demo_graph)
    questions = generate_questions(kg, 4, seed=0, lay_words={"腹泻": ("拉肚子",), "黄疸": ("眼睛发黄",)})
    forms = {(q.relation, q.form) for q in questions}
    assert {(relation, "name") for relation in TEMPLATES} <= forms and ("HAS_SYMPTOM", "alias") in forms
    assert [q.form for q in questions].count("lay") == 2 and all(q.answers for q in questions)
    answers = evaluate(kg, questions)
    assert all(a.f1 == 1.0 for a in answers if a.form in ("name", "alias")), [
        (a.question, a.predicted) for a in answers if a.f1 < 1
    ]
    result = summary(answers)
    assert result["all"]["questions"] == len(questions) and result["form:name"]["f1"] == 1.0
    assert result["form:name"]["f1_low"] == result["form:name"]["f1_high"] == 1.0  # all right: no spread
    # a disease name inside the question is not read as what is asked (乙肝 has no 科 in it, 妇科炎症 would)
    assert answer(kg, "乙型肝炎挂什么科？") == answer(kg, "乙肝挂什么科？") != set()


def test_cli_runs_a_question_file(demo_graph: GraphStore, tmp_path: Path) -> None:
    kg = KGRetriever(demo_graph)
    departments = sorted(answer(kg, "乙肝挂什么科？"))
    rows = [
        {"question": "乙肝挂什么科？", "answers": departments, "relation": "IN_DEPARTMENT", "form": "name"},
        {"question": "乙肝挂什么科？", "answers": ["骨科"], "relation": "IN_DEPARTMENT", "form": "name"},
    ]
    questions = tmp_path / "q.jsonl"
    questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "answers.jsonl"
    args = ["eval", "kgqa", "--questions", str(questions), "--no-meaning", "--json", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary_row = json.loads(result.stdout.strip().splitlines()[-1])["all"]
    assert summary_row["questions"] == 2 and summary_row["recall"] == 0.5
    assert (summary_row["f1_low"], summary_row["f1_high"]) == (0.0, 1.0)  # two answers, one wrong: wide
    assert [json.loads(line)["f1"] for line in out.read_text(encoding="utf-8").splitlines()] == [1.0, 0.0]
