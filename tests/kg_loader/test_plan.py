"""Load plans: deduplication across rows, provenance, attribute merging, batching into lanes."""

from __future__ import annotations

import json
from collections.abc import Mapping

from wenzhen.kg_loader.plan import EdgeBatch, LoadPlan, build_plan
from wenzhen.kg_loader.readers.fielded import CMEKG
from wenzhen.kg_loader.records import NodeKey, Record
from wenzhen.kg_loader.schema import Label


def plan_of(*rows: Mapping[str, object]) -> LoadPlan:
    text = "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
    return build_plan("kg.jsonl", CMEKG.read("kg.jsonl", text))


def test_nodes_and_relations_are_deduplicated_across_rows() -> None:
    plan = plan_of(
        {"中心词": "肝硬化", "相关症状": ["乏力", "黄疸", "乏力"], "并发症": ["肝性脑病"]},
        {"中心词": "肝性脑病", "相关症状": ["乏力", "意识障碍"]},
        {"中心词": "肝硬化", "相关症状": ["黄疸", "腹水"]},
    )
    assert len(plan.nodes) == 6
    symptoms = {key.name for key in plan.nodes if key.label is Label.SYMPTOM}
    assert symptoms == {"乏力", "黄疸", "意识障碍", "腹水"}
    assert len(plan.edges) == 6  # 肝硬化: 乏力 黄疸 腹水 + complication; 肝性脑病: 乏力 意识障碍


def test_provenance_prefers_the_row_about_the_node() -> None:
    plan = plan_of(
        {"中心词": "肝硬化", "并发症": ["肝性脑病"]},
        {"中心词": "肝性脑病", "多发群体": "肝硬化患者"},
    )
    encephalopathy = plan.nodes[NodeKey(Label.DISEASE, "肝性脑病")]
    assert (encephalopathy.source, encephalopathy.line) == ("kg.jsonl", 2)
    assert encephalopathy.props == {"population": "肝硬化患者"}
    edge = plan.edges[
        ("HAS_COMPLICATION", NodeKey(Label.DISEASE, "肝硬化"), NodeKey(Label.DISEASE, "肝性脑病"))
    ]
    assert (edge.predicate, edge.line) == ("并发症", 1)


def test_attributes_merge_first_scalar_wins_lists_union() -> None:
    drug = NodeKey(Label.DRUG, "阿司匹林")
    plan = build_plan(
        "kg.json",
        [
            Record(1, {drug: {"storage": "密闭", "usage": ["口服"]}}),
            Record(2, {drug: {"storage": "阴凉处", "usage": ["口服", "饭后"], "efficacy": "解热"}}),
        ],
    )
    assert plan.nodes[drug].props == {"storage": "密闭", "usage": ["口服", "饭后"], "efficacy": "解热"}
    assert plan.nodes[drug].line == 1


def test_batches_put_nodes_first_and_split_relations_by_head_lane() -> None:
    rows = [{"中心词": f"疾病{i}", "相关症状": [f"症状{i}", "共同症状"]} for i in range(50)]
    plan = plan_of(*rows)
    batches = plan.batches(batch_size=10, lanes=2)
    kinds = [type(b) for b in batches]
    assert kinds == sorted(kinds, key=lambda k: k is EdgeBatch)  # every node batch before any edge batch
    assert all(len(b.rows) <= 10 for b in batches)
    assert len({b.id for b in batches}) == len(batches)
    heads_by_lane: dict[int, set[str]] = {0: set(), 1: set()}
    for batch in batches:
        if isinstance(batch, EdgeBatch):
            heads_by_lane[batch.lane] |= {row[0] for row in batch.rows}
    assert heads_by_lane[0] and heads_by_lane[1] and not heads_by_lane[0] & heads_by_lane[1]
    assert sum(len(b.rows) for b in batches if isinstance(b, EdgeBatch)) == len(plan.edges) == 100


def test_batch_ids_are_stable_between_plans() -> None:
    rows = [{"中心词": f"疾病{i}", "相关症状": [f"症状{i}"]} for i in range(30)]
    first = [(b.id, b.rows) for b in plan_of(*rows).batches(7, 2)]
    second = [(b.id, b.rows) for b in plan_of(*rows).batches(7, 2)]
    assert first == second
