"""Retrieval evaluation: dialogue queries, document ranks, recall@k and MRR per mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from wenzhen.api.cli import app
from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.documents import JsonMapping
from wenzhen.retrieval.evaluation import (
    EvalQuery,
    dialogue_queries,
    evaluate,
    first_relevant_rank,
    read_queries,
)
from wenzhen.retrieval.indexer import index_sources
from wenzhen.retrieval.search import LiteratureSearcher
from wenzhen.retrieval.store import LiteratureIndex


def test_ranks_count_distinct_documents() -> None:
    assert first_relevant_rank(["a", "a", "b", "c"], ("c",)) == 3
    assert first_relevant_rank(["a", "b"], ("z",)) is None


def test_dialogue_queries_take_the_last_patient_turn(tmp_path: Path) -> None:
    source = tmp_path / "dialogues.json"
    source.write_text(
        json.dumps(
            [
                {"instruction": " <user>: 甲问题？ <bot>: 甲答。 <user>: 追问甲？", "output": "答"},
                {"instruction": "<user>: 乙问题？", "output": "答"},
                {"instruction": "没有对话", "output": "答"},
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    assert dialogue_queries(source) == [
        EvalQuery("追问甲？", ("dialogues.json#1",)),
        EvalQuery("乙问题？", ("dialogues.json#2",)),
    ]


def test_bad_query_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"query": "a", "relevant": ["x"]}\n{"query": "b"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"q.jsonl:2"):
        read_queries(path)


def test_evaluate_and_the_cli_report_every_mode(
    corpus: Path, settings: RetrievalSettings, embedder: Any, tmp_path: Path
) -> None:
    index_sources([corpus], settings, embedder, JsonMapping(text=("text",), id="id").read, replace=True)
    queries = [
        EvalQuery("肝硬化呕血怎么办", ("cirrhosis-bleed",)),
        EvalQuery("乙肝吃什么抗病毒药", ("hbv",)),
        EvalQuery("完全无关的问题", ("no-such-doc",)),
    ]
    scores = evaluate(LiteratureSearcher(LiteratureIndex.open(settings.index_dir), embedder), queries)
    for mode in ("bm25", "dense", "hybrid"):
        assert scores[mode].recall[1] == pytest.approx(2 / 3) and scores[mode].recall[10] == pytest.approx(
            2 / 3
        )
        assert scores[mode].mrr == pytest.approx(2 / 3)
    query_file = tmp_path / "queries.jsonl"
    query_file.write_text(
        "".join(
            json.dumps({"query": q.query, "relevant": list(q.relevant)}, ensure_ascii=False) + "\n"
            for q in queries
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["eval", "retrieval", "--queries", str(query_file), "--index", str(settings.index_dir), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["hybrid"]["mrr"] == pytest.approx(2 / 3)
