"""Retrieval evaluation: recall@k and MRR of each search mode over a file of queries with known answers.

>>> queries = dialogue_queries(Path("huatuo_liver_cancer.json"))          # doctest: +SKIP
>>> evaluate(searcher, queries)["hybrid"].recall[5]                        # doctest: +SKIP

A query file is JSONL: ``{"query": "...", "relevant": ["doc id", ...]}``. Relevance is by document: a query
is answered at rank r when the r-th distinct document among the hits is relevant.

The development set is made from Bentsao's liver-cancer literature QA (or any file of that shape: a JSON
array of ``{"instruction": "<user>: … <bot>: … <user>: …", "output": …}``): each record gives one query,
its last patient turn, whose answer is the record itself (document id ``<file name>#<n>``, as the
``huatuo`` preset names it when indexing).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from wenzhen.core.files import decode_file, iter_json_values, read_json_lines
from wenzhen.core.issues import Issue
from wenzhen.retrieval.search import MODES, LiteratureSearcher, Mode

CUTOFFS = (1, 5, 10)
_USER_TURN = re.compile(r"<user>:\s*(.*?)\s*(?=<bot>:|$)", re.S)


@dataclass(frozen=True)
class EvalQuery:
    query: str
    relevant: tuple[str, ...]


@dataclass
class ModeScores:
    recall: dict[int, float] = field(default_factory=dict)
    mrr: float = 0.0


def dialogue_queries(path: Path) -> list[EvalQuery]:
    """One query per record of a Bentsao-style dialogue file: its last ``<user>`` turn."""
    queries = []
    for index, item in enumerate(iter_json_values(str(path), decode_file(path).text)):
        if isinstance(item, Issue) or not isinstance(item[1], dict):
            continue
        turns = _USER_TURN.findall(str(item[1].get("instruction", "")))
        if turns and turns[-1].strip():
            queries.append(EvalQuery(turns[-1].strip(), (f"{path.name}#{index + 1}",)))
    return queries


def read_queries(path: Path) -> list[EvalQuery]:
    return read_json_lines(
        path,
        lambda row: EvalQuery(str(row["query"]), tuple(str(r) for r in row["relevant"])),
        '{"query", "relevant": [...]}',
    )


def write_queries(queries: list[EvalQuery], path: Path) -> None:
    path.write_text(
        "".join(
            json.dumps({"query": q.query, "relevant": list(q.relevant)}, ensure_ascii=False) + "\n"
            for q in queries
        ),
        encoding="utf-8",
    )


def first_relevant_rank(doc_ids: list[str], relevant: tuple[str, ...]) -> int | None:
    """1-based rank of the first relevant document among distinct documents, or None."""
    distinct = list(dict.fromkeys(doc_ids))
    for rank, doc_id in enumerate(distinct, start=1):
        if doc_id in relevant:
            return rank
    return None


def evaluate(
    searcher: LiteratureSearcher, queries: list[EvalQuery], modes: tuple[Mode, ...] = MODES, depth: int = 30
) -> dict[Mode, ModeScores]:
    """Recall@1/5/10 and MRR (within the top 10 documents) of each mode."""
    results: dict[Mode, ModeScores] = {}
    for mode in modes:
        ranks = []
        for query in queries:
            hits = searcher.search(query.query, k=depth, mode=mode)
            ranks.append(first_relevant_rank([hit.chunk.doc_id for hit in hits], query.relevant))
        total = max(len(queries), 1)
        scores = ModeScores()
        for cutoff in CUTOFFS:
            scores.recall[cutoff] = sum(1 for r in ranks if r is not None and r <= cutoff) / total
        scores.mrr = sum(1.0 / r for r in ranks if r is not None and r <= max(CUTOFFS)) / total
        results[mode] = scores
    return results
