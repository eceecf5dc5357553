"""``wenzhen eval all`` and ``wenzhen eval compare``: a tiny slice of every evaluation with the tiny test
model (the pipeline and the report are asserted, not the scores)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.agent.test_diagnosis import BRONCHITIS, PNEUMONIA, RHINITIS, row
from tests.agent.test_exam import CMEXAM, write_jsonl
from wenzhen.agent.evaluation import sample_cases, write_cases
from wenzhen.agent.report import compare, flat
from wenzhen.agent.report_sections import retrieval_section
from wenzhen.api.cli import app
from wenzhen.kg_loader.store import GraphStore
from wenzhen.retrieval.evaluation import EvalQuery
from wenzhen.retrieval.kg import KGRetriever
from wenzhen.retrieval.search import LiteratureSearcher

PNG = b"\x89PNG\r\n\x1a\n"


def test_eval_all_writes_the_report_and_compare_reads_two(
    demo_graph: GraphStore, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WENZHEN_MODEL", str(tiny_model_dir))
    cases = tmp_path / "cases.jsonl"
    write_cases(sample_cases(KGRetriever(demo_graph).concept_profiles(), 4, 0), cases)
    exam = write_jsonl(tmp_path / "exam.jsonl", CMEXAM)
    (tmp_path / "dxy").mkdir()
    records = write_jsonl(
        tmp_path / "dxy" / "train.jsonl", [row(r) for r in [PNEUMONIA, BRONCHITIS, RHINITIS] * 4]
    )
    out = tmp_path / "report"
    args = ["eval", "all", "--out", str(out), "--mcq", str(exam), "--mcq-limit", "2", "--cases", str(cases)]
    args += ["--records", str(records), "--answers", "2", "--kgqa-per-relation", "2"]
    monkeypatch.setenv("WENZHEN_MAX_NEW_TOKENS", "8")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = (out / "report.md").read_text(encoding="utf-8")
    titles = (
        "Red-flag triage",
        "Graph question answering",
        "Inquiry",
        "Multiple-choice exams",
        "Answers",
        "Diagnosis benchmark: dxy",
    )
    for title in titles:
        assert f"## {title}" in report and title in (out / "report.html").read_text(encoding="utf-8")
    for plot in ("triage.png", "kgqa.png", "inquiry.png", "mcq.png", "answers.png", "diagnosis-dxy.png"):
        assert (out / plot).read_bytes().startswith(PNG) and f"]({plot})" in report
    predictions = (out / "mcq-exam.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(predictions) == 8  # 2 questions x 4 grounding modes
    figures = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert figures["triage/triage_aside/sensitivity"] == 1.0  # rules and meaning, as a consultation triages
    assert {"mcq/exam/none/accuracy", "mcq/exam/both/accuracy", "inquiry/graph terms/budget6/top1"} <= set(
        figures
    )
    assert "inquiry/a relative's words/budget6/top1" in figures  # the third patient, as eval inquiry has it
    assert figures["diagnosis/dxy/budget0/accuracy"] <= figures["diagnosis/dxy/budget6/accuracy"]
    assert figures["answers/answers"] + figures["answers/not_answers"] == 2
    run = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert run["generator"]["model"] == str(tiny_model_dir) and run["seeds"]["seed"] == 0
    assert {d["path"] for d in run["data"]} >= {str(exam), str(cases)} and all(
        len(d["sha256"]) == 64 for d in run["data"]
    )
    assert "transformers" in run["versions"]

    other = tmp_path / "other"
    shutil.copytree(out, other)
    changed = figures | {"mcq/exam/kg/accuracy": figures["mcq/exam/kg/accuracy"] + 0.5}
    (other / "summary.json").write_text(json.dumps(changed), encoding="utf-8")
    (other / "manifest.json").write_text(
        json.dumps(run | {"generator": {"model": "other"}}), encoding="utf-8"
    )
    rows, differences = compare(out, other)
    assert ("mcq/exam/kg/accuracy", figures["mcq/exam/kg/accuracy"], changed["mcq/exam/kg/accuracy"]) in rows
    assert len(differences) == 1 and differences[0].startswith("generator:")
    shown = CliRunner().invoke(app, ["eval", "compare", str(out), str(other)])
    assert shown.exit_code == 0 and "+0.500" in shown.output and "differs: generator" in shown.output


def test_the_retrieval_section_plots_recall_at_k(searcher: LiteratureSearcher, tmp_path: Path) -> None:
    queries = [
        EvalQuery("肝癌高危人群多久查一次超声", ("hcc-screen",)),
        EvalQuery("乙肝吃什么抗病毒药", ("hbv",)),
    ]
    section = retrieval_section(searcher, queries, tmp_path)
    assert [row["mode"] for row in section.rows] == ["dense", "bm25", "hybrid"]
    assert section.figures["retrieval/hybrid/recall@10"] == 1.0
    assert (tmp_path / section.plots[0]).read_bytes().startswith(PNG)


def test_nested_figures_are_named_by_path() -> None:
    assert flat({"a": {"b": 1, "c": {"d": 0.5}}, "e": "text", "f": True}) == {"a/b": 1.0, "a/c/d": 0.5}
