"""``wenzhen eval mcq``: exam files of both shapes (bad rows reported), grounding from the real graph and
index, the log-likelihood scorer against the model's own logits, letters read from replies, resumable runs
and the paired statistics."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import torch
from typer.testing import CliRunner

from wenzhen.agent.exam import ExamQuestion, read_exam
from wenzhen.agent.exam_eval import (
    McqRun,
    Prediction,
    Shard,
    mcnemar_p,
    run_mcq,
    split_shots,
    summarise,
    wilson,
)
from wenzhen.agent.exam_grounding import Grounding, question_text
from wenzhen.agent.exam_scoring import ANSWER_LEAD, Choice, LogLikelihoodScorer, extract_letters
from wenzhen.api.cli import app
from wenzhen.core.errors import InputError
from wenzhen.core.locks import WriterBusy, writer_lock
from wenzhen.finetune.config import GeneratorSettings
from wenzhen.finetune.formats import ChatMessage
from wenzhen.finetune.generator import LocalGenerator
from wenzhen.kg_loader.store import GraphStore
from wenzhen.retrieval.kg import KGRetriever
from wenzhen.retrieval.search import LiteratureSearcher

CMEXAM = [
    {
        "Question": "乙肝患者出现乏力、黄疸，应首选的检查是",
        "Options": "A 肝功能\\nB 心电图\\nC 脑电图",
        "Answer": "A",
    },
    {
        "Question": "癫痫发作时应",
        "Options": "A 强行按压肢体\\nB 保持呼吸道通畅\\nC 往嘴里塞毛巾",
        "Answer": "B",
    },
    {"Question": "下列属于肝癌筛查的是", "Options": "A 甲胎蛋白\\nB 肝脏B超\\nC 视力检查", "Answer": "AB"},
    {"Question": "尿路感染的常见症状是", "Options": "A 尿频尿急\\nB 耳鸣", "Answer": "A"},
]


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_both_shapes_are_read_and_bad_rows_reported_with_line_and_field(tmp_path: Path) -> None:
    bad = [
        {"Question": "缺答案", "Options": "A 甲\\nB 乙", "Answer": "C"},
        {"Question": "选项没有字母", "Options": "甲\\n乙", "Answer": "A"},
        {"title": "not a question"},
    ]
    path = write_jsonl(tmp_path / "cmexam.jsonl", [*CMEXAM, *bad])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("{broken\n")
    questions, issues = read_exam(path)
    assert [q.answer for q in questions] == [("A",), ("B",), ("A", "B"), ("A",)]
    assert questions[2].kind == "多选" and questions[0].options == {
        "A": "肝功能",
        "B": "心电图",
        "C": "脑电图",
    }
    assert [(i.line, i.field) for i in issues] == [(5, "answer"), (6, "Options"), (7, "row"), (8, None)]
    assert "malformed JSON" in issues[3].reason

    cnmleqa = tmp_path / "cnmleqa.json"
    rows = [
        {
            "id": "x1",
            "question": "肾细胞癌最常见的类型是",
            "opa": "透明细胞癌",
            "opb": "集合管癌",
            "opc": "",
            "answer": "opa",
            "question_type": "知识问答",
        }
    ]
    cnmleqa.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    (question,), none = read_exam(cnmleqa)
    assert not none and question.id == "x1" and question.kind == "知识问答"
    assert question.options == {"A": "透明细胞癌", "B": "集合管癌"} and question.answer == ("A",)


@pytest.mark.parametrize(
    ("reply", "letters"),
    [
        ("答案：B", ("B",)),
        ("正确答案是 A、C。因为……", ("A", "C")),
        ("B. 保持呼吸道通畅", ("B",)),
        ("应该保持呼吸道通畅，不能强行按压。", ("B",)),
        ("我认为选C比较合理", ("C",)),
        ("This is about ABC", ()),
        ("不确定", ()),
    ],
)
def test_letters_are_read_from_a_reply(reply: str, letters: tuple[str, ...]) -> None:
    options = {"A": "强行按压肢体", "B": "保持呼吸道通畅", "C": "往嘴里塞毛巾"}
    assert extract_letters(reply, options) == letters


def test_mcnemar_and_wilson_match_known_values() -> None:
    assert mcnemar_p(10, 2) == pytest.approx(0.0386, abs=1e-4)  # 2 * P(X <= 2), X ~ Bin(12, 1/2)
    assert mcnemar_p(5, 5) == 1.0 and mcnemar_p(0, 0) == 1.0
    low, high = wilson(80, 100)
    assert low == pytest.approx(0.7112, abs=1e-4) and high == pytest.approx(0.8666, abs=1e-4)


def test_the_loglik_scorer_picks_the_letter_the_models_own_logits_prefer(tiny_model_dir: Path) -> None:
    generator = LocalGenerator.from_settings(GeneratorSettings(model=str(tiny_model_dir)))
    scorer = LogLikelihoodScorer(generator)
    messages = [ChatMessage("user", "乙肝患者首选的检查是\nA. 肝功能\nB. 心电图\nC. 脑电图")]
    choice = scorer.choose(messages, ["A", "B", "C"], {"A": "肝功能", "B": "心电图", "C": "脑电图"})
    ids = generator.format.prompt_ids(messages, 2000) + generator.tokenizer.encode(ANSWER_LEAD)
    with torch.no_grad():
        logprobs = torch.log_softmax(generator.model(torch.tensor([ids])).logits[0, -1], dim=-1)
    expected = {letter: float(logprobs[generator.tokenizer.encode(letter)[0]]) for letter in "ABC"}
    assert choice.scores == pytest.approx(expected, abs=1e-4)
    assert choice.letters == (max(expected, key=expected.__getitem__),)


def test_grounding_brings_graph_facts_and_passages(
    demo_graph: GraphStore, searcher: LiteratureSearcher
) -> None:
    question = ExamQuestion(
        "q", "乙肝患者出现乏力、黄疸，应首选的检查是", {"A": "肝功能", "B": "心电图"}, ("A",), "单选", "-", 1
    )
    grounding = Grounding(KGRetriever(demo_graph), searcher)
    assert grounding.context(question, "none") == ""
    kg = grounding.context(question, "kg")
    assert kg.startswith("知识图谱：") and "乙肝" in kg
    literature = grounding.context(question, "literature")
    assert literature.startswith("文献：") and len(literature.splitlines()) == 3
    assert grounding.context(question, "both") == f"{kg}\n{literature}"
    assert "肝功能" in question_text(question)


class FirstLetter:
    """A fake scorer (unit test): always the first option; counts its calls."""

    name = "first"

    def __init__(self) -> None:
        self.calls = 0

    def choose(self, messages: list[ChatMessage], letters: list[str], options: dict[str, str]) -> Choice:
        self.calls += 1
        return Choice((letters[0],))


def test_a_run_resumes_from_its_predictions_and_refuses_another_runs_file(tmp_path: Path) -> None:
    questions, _ = read_exam(write_jsonl(tmp_path / "q.jsonl", CMEXAM))
    shots, rest = split_shots(questions, 1, seed=0)
    assert len(shots) == 1 and shots[0] not in rest and len(rest) == 3
    out = tmp_path / "pred.jsonl"
    scorer = FirstLetter()
    grounding = Grounding(None, None)
    first = run_mcq(rest[:2], shots, ("none", "kg"), grounding, scorer, out)
    assert scorer.calls == 4 and len(out.read_text(encoding="utf-8").splitlines()) == 4
    again = run_mcq(rest, shots, ("none", "kg"), grounding, scorer, out)  # only the new question is scored
    assert scorer.calls == 6 and again[:4] == first
    summary = {s.mode: s for s in summarise(again, ("none", "kg"))}
    assert summary["none"].total == 3 and summary["kg"].gained == summary["kg"].lost == 0

    run = McqRun("q.jsonl", "abc", "loglik", 1, 0, None, "demo", "template")
    run.check(out)
    run.check(out)  # the same settings resume
    with pytest.raises(InputError, match=r"another run \(shots: 1, now 2\)"):
        McqRun("q.jsonl", "abc", "loglik", 2, 0, None, "demo", "template").check(out)
    assert Shard.parse("2/3").of(questions) == [questions[1]]
    with pytest.raises(InputError, match="between 1 and n"):
        Shard.parse("4/3")


def test_summary_pairs_each_mode_with_none_on_the_same_questions() -> None:
    rows = [Prediction(f"q{i}", "none", "单选", ["A"], ["A" if i < 2 else "B"], i < 2) for i in range(10)]
    rows += [Prediction(f"q{i}", "kg", "单选", ["A"], ["A" if i != 1 else "B"], i != 1) for i in range(10)]
    none, kg = summarise(rows, ("none", "kg"))
    assert (none.correct, kg.correct, kg.gained, kg.lost) == (2, 9, 8, 1)
    assert kg.p_value == pytest.approx(mcnemar_p(8, 1)) and kg.p_value < 0.05


def test_cli_scores_every_mode_and_resumes(
    demo_graph: GraphStore, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WENZHEN_MODEL", str(tiny_model_dir))
    data = write_jsonl(tmp_path / "exam.jsonl", CMEXAM)
    out = tmp_path / "pred.jsonl"
    args = [
        "eval",
        "mcq",
        "--data",
        str(data),
        "--grounding",
        "all",
        "--limit",
        "3",
        "--out",
        str(out),
        "--json",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert [m["mode"] for m in summary["modes"]] == ["none", "kg", "literature", "both"]
    assert all(m["total"] == 3 for m in summary["modes"])
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 12 and all(set(r["scores"]) == {"A", "B", "C"} or len(r["scores"]) == 2 for r in rows)
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and json.loads(again.stdout.strip().splitlines()[-1]) == summary
    assert len(out.read_text(encoding="utf-8").splitlines()) == 12  # nothing scored twice
    other = CliRunner().invoke(app, [*args[:-1], "--shots", "1", "--json"])
    assert other.exit_code != 0 and "another run" in other.output


def test_a_second_run_on_the_same_file_ends_with_one_line_while_the_first_writes(tmp_path: Path) -> None:
    questions, _ = read_exam(write_jsonl(tmp_path / "q.jsonl", CMEXAM))
    out = tmp_path / "pred.jsonl"
    scorer = FirstLetter()
    first_run = writer_lock(out.with_name(out.name + ".lock"), "exam run", str(out))
    busy = pytest.raises(WriterBusy, match=rf"another exam run is writing to {out} \(pid \d+")
    with first_run, busy:
        run_mcq(questions, [], ("none",), Grounding(None, None), scorer, out)
    assert scorer.calls == 0 and not out.exists()
    assert len(run_mcq(questions, [], ("none",), Grounding(None, None), scorer, out)) == 4  # once it ended


@pytest.fixture(scope="module")
def llama_server(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama.cpp's own OpenAI-compatible server (``llama_cpp.server``) running the tiny model as GGUF — the
    kind of server (vLLM, TGI) a large exam run uses."""
    from tests.conftest import free_port
    from wenzhen.finetune.gguf_export import export_gguf

    gguf = export_gguf(
        GeneratorSettings(model=str(tiny_model_dir)), tmp_path_factory.mktemp("gguf") / "t.gguf"
    )
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf.path), "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--model_alias", "tiny", "--n_ctx", "1024"], stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(30)


def test_a_server_answers_the_exam_through_the_generation_scorer(
    llama_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WENZHEN_OPENAI_BASE_URL", llama_server)
    monkeypatch.setenv("WENZHEN_OPENAI_MODEL", "tiny")
    data = write_jsonl(tmp_path / "exam.jsonl", CMEXAM)
    out = tmp_path / "pred.jsonl"
    base = ["eval", "mcq", "--data", str(data), "--grounding", "none", "--out", str(out), "--json"]
    result = CliRunner().invoke(app, [*base, "--scorer", "generate", "--limit", "2"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2 and all(isinstance(r["text"], str) and r["text"] for r in rows)
    assert all(r["predicted"] == list(extract_letters(r["text"], {"A": "", "B": "", "C": ""})) for r in rows)
    refused = CliRunner().invoke(app, [*base[:-3], "--out", str(tmp_path / "other.jsonl")])
    assert refused.exit_code != 0 and "--scorer generate" in refused.output


def test_shards_score_apart_and_are_summarised_together(
    tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WENZHEN_MODEL", str(tiny_model_dir))
    data = write_jsonl(tmp_path / "exam.jsonl", CMEXAM)
    runner = CliRunner()
    files = []
    for shard in ("1/2", "2/2"):
        out = tmp_path / f"shard{shard[0]}.jsonl"
        args = [
            "eval",
            "mcq",
            "--data",
            str(data),
            "--grounding",
            "none",
            "--shard",
            shard,
            "--out",
            str(out),
        ]
        assert runner.invoke(app, args).exit_code == 0
        files.append(str(out))
    ids = [json.loads(line)["id"] for f in files for line in Path(f).read_text(encoding="utf-8").splitlines()]
    assert len(ids) == len(set(ids)) == 4  # every question once, in one shard or the other
    together = runner.invoke(app, ["eval", "mcq-summary", *files, "--json"])
    assert together.exit_code == 0, together.output
    assert json.loads(together.stdout)[0]["total"] == 4
