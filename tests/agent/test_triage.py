"""Red-flag triage rules: the packaged rule set on labelled presentations, negation, exclusions, KG terms."""

from __future__ import annotations

from pathlib import Path

import pytest

from wenzhen.agent.evaluation import evaluate_triage, read_triage_cases
from wenzhen.agent.triage import Triage

CASES = Path(__file__).parents[2] / "agent" / "data" / "triage_cases.jsonl"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "eval"


def test_every_labelled_emergency_is_caught_and_no_ordinary_case_alarms() -> None:
    triage = Triage.load()
    cases = read_triage_cases(CASES)
    report = evaluate_triage(triage, cases)
    assert report.emergencies >= 30 and report.ordinary >= 20
    assert report.misses == [] and report.alarms == []
    for case in cases:
        if case.emergency:
            result = triage.check(case.text)
            assert result is not None and result.rule.id == case.rule, case.text


def test_the_reply_sends_the_patient_to_emergency_care() -> None:
    result = Triage.load().check("我爸突然胸口痛，满头大汗")
    assert result is not None
    text = result.reply_text()
    assert "120" in text and "急诊" in text and result.rule.name in text


def test_negated_terms_and_exclusions_do_not_fire() -> None:
    triage = Triage.load()
    assert triage.check("没有胸痛，也没有出冷汗") is None
    assert triage.check("痔疮，大便时喷血") is None  # `unless` of massive_bleeding
    assert triage.check("大便时喷血") is not None


def test_groups_take_knowledge_graph_symptoms_containing_their_substrings() -> None:
    assert Triage.load().check("今天出现大量咖啡样呕吐物") is None
    widened = Triage.load(symptoms=["咖啡样呕吐物", "乏力"])
    assert widened.check("今天出现大量咖啡样呕吐物") is None  # not a kg_contains substring
    widened = Triage.load(symptoms=["呕血不止"])
    result = widened.check("昨晚开始呕血不止")
    assert result is not None and "呕血不止" in result.rule.groups[0]


def test_a_malformed_rule_file_names_the_file_and_rule(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nid = "x"\nname = "X"\nall = [["a"]]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"rules.toml: rule 1: missing advice"):
        Triage.load(path)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not beside the checkout")
def test_ordinary_disc_intent_questions_get_no_emergency_reply() -> None:
    report = evaluate_triage(Triage.load(), read_triage_cases(SHARED / "disc_cmid" / "cmid_samples.json"))
    assert report.ordinary == 120 and report.alarms == []


def test_the_rules_page_lists_every_rule() -> None:
    page = (Path(__file__).parents[2] / "docs" / "TRIAGE.md").read_text(encoding="utf-8")
    for rule in Triage.load().rules:
        assert f"| `{rule.id}` | {rule.name} |" in page, rule.id
