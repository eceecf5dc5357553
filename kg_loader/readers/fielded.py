"""Readers for formats with one disease per row and named fields: CMeKG records, the 39.net CSV, and
QASystemOnMedicalKG ``medical.json``. Each is a :class:`FieldMap` from input fields to predicates.

>>> list(CMEKG.read("d.jsonl", '{"中心词": "乙肝", "相关症状": ["肝肿大"]}'))[0].edges[0].tail.name
'肝肿大'
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from wenzhen.core.files import iter_json_values
from wenzhen.core.issues import Issue
from wenzhen.kg_loader.readers.base import RecordBuilder, string_list, subject_or_issue
from wenzhen.kg_loader.records import Record
from wenzhen.kg_loader.schema import Label

Splitter = Callable[[str], list[str]]


@dataclass(frozen=True)
class FieldMap:
    """How one format's fields become a record about a Disease."""

    format: str
    name_field: str
    relations: dict[str, str]
    attributes: dict[str, str]
    splitters: dict[str, Splitter] = field(default_factory=dict)

    def record(self, source: str, line: int, row: dict[str, Any]) -> Record | Issue:
        """One row as a record, or the issue that rejects it whole (nothing of it is loaded)."""
        subject = subject_or_issue(source, line, Label.DISEASE, row.get(self.name_field), self.name_field)
        if isinstance(subject, Issue):
            return subject
        builder = RecordBuilder(source, line, subject)
        for field_name, predicate in self.relations.items():
            value = row.get(field_name)
            if value in (None, ""):
                continue
            splitter = self.splitters.get(field_name)
            items = splitter(value) if splitter and isinstance(value, str) else string_list(value)
            if items is None:
                return Issue(
                    source,
                    line,
                    f"field {field_name}: expected a list of strings, got {type(value).__name__}",
                    field_name,
                    repr(value)[:200],
                )
            builder.relate(predicate, items, field_name)
        for field_name, attribute in self.attributes.items():
            value = row.get(field_name)
            if value is not None and string_list(value) is None:
                return Issue(
                    source,
                    line,
                    f"field {field_name}: expected a string, got {type(value).__name__}",
                    field_name,
                    repr(value)[:200],
                )
            builder.attribute(attribute, value)
        return builder.build()

    def read_json(self, source: str, text: str) -> Iterator[Record | Issue]:
        for item in iter_json_values(source, text):
            if isinstance(item, Issue):
                yield item
            elif not isinstance(item[1], dict):
                yield Issue(source, item[0], f"expected a JSON object, got {type(item[1]).__name__}")
            else:
                yield self.record(source, item[0], item[1])

    def read_csv(self, source: str, text: str, delimiter: str = ",") -> Iterator[Record | Issue]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            return
        header = [column.strip() for column in header]
        missing = [name for name in (self.name_field, *self.relations) if name not in header]
        if missing:
            yield Issue(source, 1, f"header lacks columns {missing}; every row is skipped", value=str(header))
            return
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                yield Issue(
                    source,
                    line,
                    f"{len(cells)} columns where the header has {len(header)}",
                    value=delimiter.join(cells)[:200],
                )
                continue
            yield self.record(source, line, dict(zip(header, cells, strict=True)))

    def read(self, source: str, text: str) -> Iterator[Record | Issue]:
        if source.lower().endswith((".csv", ".tsv")):
            return self.read_csv(source, text, "\t" if source.lower().endswith(".tsv") else ",")
        return self.read_json(source, text)


_DETAIL = "[详细]"


def _space_list(cell: str) -> list[str]:
    """39.net list cells: space separated, ending with a literal "[详细]"."""
    return [item for item in cell.replace(_DETAIL, " ").split() if item]


def _split_on(pattern: str) -> Splitter:
    regex = re.compile(pattern)
    return lambda cell: [item for item in regex.split(cell.replace(_DETAIL, " ")) if item.strip()]


_CMEKG_RELATIONS = ("别名", "发病部位", "所属科室", "相关症状", "并发症", "药物治疗", "检查", "治疗方法")
_DISEASE_ATTRIBUTES = ("多发群体", "传染性", "医保", "治疗周期", "治愈率", "费用")

CMEKG = FieldMap(
    format="cmekg",
    name_field="中心词",
    relations={name: name for name in _CMEKG_RELATIONS},
    attributes={name: name for name in _DISEASE_ATTRIBUTES},
)

NET39 = FieldMap(
    format="39net",
    name_field="name",
    relations={
        "alias": "别名",
        "part": "发病部位",
        "department": "所属科室",
        "checklist": "检查",
        "symptom": "相关症状",
        "complication": "并发症",
        "treatment": "治疗方法",
        "drug": "药物治疗",
    },
    attributes={
        "age": "多发群体",
        "infection": "传染性",
        "insurance": "医保",
        "period": "治疗周期",
        "rate": "治愈率",
        "money": "费用",
    },
    splitters={
        "alias": _split_on(r"[,，、;；]"),
        "treatment": _split_on(r"[、\s]+"),
        **{
            column: _space_list
            for column in ("part", "department", "checklist", "symptom", "complication", "drug")
        },
    },
)

QAKG = FieldMap(
    format="qakg",
    name_field="name",
    relations={
        "symptom": "相关症状",
        "acompany": "并发症",
        "cure_department": "所属科室",
        "check": "检查",
        "recommand_drug": "药物治疗",
        "common_drug": "药物治疗",
        "cure_way": "治疗方法",
        "do_eat": "宜吃",
        "recommand_eat": "宜吃",
        "not_eat": "忌吃",
    },
    attributes={
        "desc": "简介",
        "prevent": "预防",
        "cause": "病因",
        "get_prob": "发病率",
        "get_way": "传染性",
        "easy_get": "多发群体",
        "cure_lasttime": "治疗周期",
        "cured_prob": "治愈率",
        "cost_money": "费用",
        "yibao_status": "医保",
    },
)
