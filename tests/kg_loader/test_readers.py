"""Readers: each format, row rejects with file/line/field/reason, dropped items, decoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from wenzhen.core.files import InputFileError, decode_file
from wenzhen.core.issues import Issue
from wenzhen.kg_loader.readers import READERS, detect_format
from wenzhen.kg_loader.records import NodeKey, Record
from wenzhen.kg_loader.schema import Label

DATA = Path(__file__).parents[1] / "data"


def read(name: str) -> tuple[list[Record], list[Issue]]:
    path = DATA / name
    text = decode_file(path).text
    items = list(READERS[detect_format(name, text)](name, text))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, Issue)]


def test_formats_are_detected() -> None:
    expected = {
        "cmekg_sample.jsonl": "cmekg",
        "disease_39net_sample.csv": "39net",
        "qakg_sample.json": "qakg",
        "spo_sample.json": "spo",
        "triples_sample.tsv": "triples",
    }
    for name, fmt in expected.items():
        assert detect_format(name, decode_file(DATA / name).text) == fmt, name


def test_format_detection_says_why_it_cannot_and_is_not_fooled_by_a_long_or_broken_first_row() -> None:
    for text, reason in (("", "is empty"), ("  \n\n", "is empty"), ('{"中心词": "乙\x00肝"}', "NUL bytes")):
        with pytest.raises(InputFileError, match=reason):
            detect_format("kg.jsonl", text)
    long_row = '{"中心词": "乙肝", "简介": "' + "很长的介绍" * 2000 + '"}'  # 10,000 characters
    assert detect_format("kg.jsonl", long_row + "\n") == "cmekg"
    assert detect_format("kg.jsonl", '{"中心词": oops}\n{"中心词": "乙肝"}\n') == "cmekg"
    assert detect_format("kg.json", '[{"broken": 1}, {"name": "感冒", "symptom": ["发热"]}]') == "qakg"
    with pytest.raises(InputFileError, match="pass --format \\(cmekg, 39net"):
        detect_format("kg.jsonl", '{"whatever": 1}\n')


def test_cmekg_rejects_bad_rows_whole_and_keeps_the_good_ones() -> None:
    records, issues = read("cmekg_sample.jsonl")
    assert len(records) == 5
    by_line = {issue.line: issue for issue in issues}
    assert set(by_line) == {4, 5, 6, 7}
    assert "duration" in by_line[4].reason and by_line[4].field == "中心词" and by_line[4].value == "2-10天"
    assert by_line[5].field == "检查" and "expected a list" in by_line[5].reason
    assert "malformed JSON" in by_line[6].reason
    assert by_line[7].field == "中心词" and "missing" in by_line[7].reason
    assert all(issue.action == "row rejected" and issue.source == "cmekg_sample.jsonl" for issue in issues)
    subjects = [next(iter(r.nodes)) for r in records]
    assert NodeKey(Label.DISEASE, "胆囊炎") not in subjects  # the malformed row left nothing behind
    assert NodeKey(Label.DISEASE, "肝吸虫病") not in subjects  # nor did the row with a bad field


def test_cmekg_record_maps_fields_to_relations_and_attributes() -> None:
    records, _ = read("cmekg_sample.jsonl")
    hepatitis_b = next(r for r in records if NodeKey(Label.DISEASE, "乙肝") in r.nodes)
    assert hepatitis_b.line == 2
    types = {(e.type, e.predicate, e.tail.label, e.tail.name) for e in hepatitis_b.edges}
    assert ("HAS_SYMPTOM", "相关症状", Label.SYMPTOM, "肝肿大") in types
    assert ("HAS_ALIAS", "别名", Label.ALIAS, "乙型肝炎") in types
    assert ("HAS_COMPLICATION", "并发症", Label.DISEASE, "肝硬化") in types
    assert ("IN_DEPARTMENT", "所属科室", Label.DEPARTMENT, "传染科") in types
    attributes = hepatitis_b.nodes[NodeKey(Label.DISEASE, "乙肝")]
    assert attributes["infectivity"] == "有传染性"
    assert attributes["treatment_period"] == "3-6月"


def test_39net_splits_cells_reports_shifted_truncated_and_short_rows() -> None:
    records, issues = read("disease_39net_sample.csv")
    reasons = {issue.line: issue.reason for issue in issues if issue.action == "row rejected"}
    assert any("duration" in r for r in reasons.values())
    assert any("truncated" in r for r in reasons.values())
    assert any("columns" in r for r in reasons.values())
    impotence = next(r for r in records if NodeKey(Label.DISEASE, "阳痿") in r.nodes)
    drugs = {e.tail.name for e in impotence.edges if e.type == "TREATED_WITH_DRUG"}
    assert drugs == {"他达拉非片"}  # the two "枸橼酸西地那非..." were cut short by the site: dropped
    assert sum(d.field == "drug" and d.action == "item dropped" for d in impotence.dropped) == 2
    treatments = {e.tail.name for e in impotence.edges if e.type == "TREATED_BY"}
    assert treatments == {"药物治疗", "心理治疗"}
    aliases = {e.tail.name for e in impotence.edges if e.type == "HAS_ALIAS"}
    assert "勃起功能障碍" in aliases and "[详细]" not in {e.tail.name for e in impotence.edges}


def test_qakg_maps_english_fields() -> None:
    records, issues = read("qakg_sample.json")
    assert len(records) == 3 and not issues
    first = records[0]
    subject = next(iter(first.nodes))
    assert subject == NodeKey(Label.DISEASE, "肺泡蛋白质沉积症")
    assert {e.tail.name for e in first.edges if e.type == "HAS_SYMPTOM"} >= {"紫绀", "胸痛"}
    assert "description" in first.nodes[subject] and first.nodes[subject]["cure_rate"] == "约40%"


def test_spo_infers_subject_labels_and_keeps_text_as_attributes() -> None:
    records, _ = read("spo_sample.json")
    subjects = {next(iter(r.nodes)) for r in records}
    assert NodeKey(Label.CHECK, "12小时尿沉渣计数") in subjects
    assert NodeKey(Label.DRUG, "18种氨基酸注射液") in subjects
    check = next(r for r in records if NodeKey(Label.CHECK, "12小时尿沉渣计数") in r.nodes)
    assert {e.tail for e in check.edges if e.type == "RELATED_DISEASE"} >= {
        NodeKey(Label.DISEASE, "慢性肾炎")
    }
    drug = next(r for r in records if NodeKey(Label.DRUG, "18种氨基酸注射液") in r.nodes)
    assert "usage" in drug.nodes[NodeKey(Label.DRUG, "18种氨基酸注射液")]


def test_triples_accept_chinese_and_english_kinds_and_reject_unknowns() -> None:
    records, issues = read("triples_sample.tsv")
    edges = {(e.type, e.tail) for r in records for e in r.edges}
    assert ("HAS_SYMPTOM", NodeKey(Label.SYMPTOM, "肝区疼痛")) in edges
    assert ("NEEDS_CHECK", NodeKey(Label.CHECK, "甲胎蛋白")) in edges
    assert ("HAS_COMPLICATION", NodeKey(Label.DISEASE, "肝性脑病")) in edges
    population = [r.nodes[NodeKey(Label.DISEASE, "原发性肝癌")] for r in records if not r.edges]
    assert population == [{"population": "中老年男性"}]
    problems = {issue.line: (issue.field, issue.reason) for issue in issues}
    assert problems[5][0] == "relation" and "喜欢" in problems[5][1]
    assert problems[6][0] == "head_type"
    assert problems[7][0] == "head"


def test_unknown_format_is_a_clear_error() -> None:
    with pytest.raises(InputFileError, match="pass --format"):
        detect_format("x.csv", "a,b,c\n1,2,3\n")


def test_one_corrupted_byte_leaves_out_its_row_and_the_file_stays_utf8(tmp_path: Path) -> None:
    lines = (DATA / "cmekg_sample.jsonl").read_bytes().split(b"\n")
    lines[2] = lines[2].replace("癫痫".encode(), b"\xff\xfe", 1)
    path = tmp_path / "corrupt.jsonl"
    path.write_bytes(b"\n".join(lines))
    decoded = decode_file(path, bad_lines="report")
    assert decoded.encoding == "utf-8" and [i.line for i in decoded.issues] == [3]
    assert "癫痫" not in decoded.text and "乙肝" in decoded.text  # its row out, the rest as written
    with pytest.raises(InputFileError, match="line 3: not UTF-8"):
        decode_file(path)  # strict callers hear of it
    gb = tmp_path / "gb.jsonl"
    gb.write_bytes((DATA / "cmekg_sample.jsonl").read_text(encoding="utf-8").encode("gb18030"))
    assert decode_file(gb).encoding == "gb18030" and "乙肝" in decode_file(gb).text  # GB18030 throughout
