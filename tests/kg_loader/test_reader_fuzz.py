"""Fuzzing the KG readers with Hypothesis: whatever the bytes, a reader yields records and reported rows, or
format detection refuses the file with a clear error — never any other exception."""

from __future__ import annotations

import contextlib
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wenzhen.core.files import InputFileError, iter_json_values
from wenzhen.core.issues import Issue
from wenzhen.kg_loader.readers import FORMATS, READERS, detect_format
from wenzhen.kg_loader.records import Record

FIELD_NAMES = [
    "中心词",
    "别名",
    "相关症状",
    "name",
    "symptom",
    "spo_list",
    "concept",
    "head",
    "relation",
    "tail",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(FIELD_NAMES), children),
    max_leaves=12,
)
rows = st.lists(
    json_values.map(lambda v: json.dumps(v, ensure_ascii=False)) | st.text(max_size=60), max_size=6
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines=rows, fmt=st.sampled_from(FORMATS))
def test_every_reader_yields_records_or_reported_rows(lines: list[str], fmt: str) -> None:
    text = "\n".join(lines)
    for item in READERS[fmt]("fuzz.jsonl", text):
        assert isinstance(item, Record | Issue)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(max_size=300))
def test_detection_and_json_values_never_crash(text: str) -> None:
    with contextlib.suppress(InputFileError):
        detect_format("fuzz.jsonl", text)
    for item in iter_json_values("fuzz.jsonl", text):
        assert isinstance(item, Issue | tuple)
