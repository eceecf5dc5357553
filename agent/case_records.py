"""Case records: a patient's disease, the symptoms they stated and those a doctor learnt by asking.

>>> record = parse_case_record({"disease": "肺炎", "explicit_symptoms": {"咳嗽": True},
...                             "implicit_symptoms": {"咳嗽": True, "发热": None}}, "cases.jsonl", 1)
>>> record.disease, dict(record.asked)
('肺炎', {'发热': None})

The format is the public symptom-inquiry benchmarks' (Dxy, MZ-4, MZ-10), one JSON object a line:
``{"disease", "explicit_symptoms": {name: true|false|null}, "implicit_symptoms": {...}}`` with optional
``id``, ``self_report`` (the patient's own words) and ``origin_inform_slots`` (the stated symptoms as the
patient wrote them). ``true`` = has it, ``false`` = has not, ``null`` = not sure. A hospital's records fit
the same shape: what the patient complained of, and what the doctor asked and learnt.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any, Final, Literal

from wenzhen.core.errors import InputError
from wenzhen.core.files import decode_file, iter_json_values
from wenzhen.core.issues import Issue

Answer = bool | None
"""Has the symptom (True), has not (False), not sure (None)."""


class Unrecorded(Enum):
    UNRECORDED = "unrecorded"


UNRECORDED: Final = Unrecorded.UNRECORDED
"""What a record says of a symptom it does not have: nothing (the patient was never asked, or it was not
written down). Not a patient's answer: the benchmarks' simulated patient gives it, as theirs do."""
Reply = Answer | Literal[Unrecorded.UNRECORDED]
"""The answer to a closed question: a patient's, or, from a record, :data:`UNRECORDED`."""


@dataclass(frozen=True)
class CaseRecord:
    disease: str
    explicit: Mapping[str, Answer]
    """What the patient stated before any question."""
    implicit: Mapping[str, Answer] = field(default_factory=dict)
    """What the doctor learnt by asking."""
    id: str = ""
    self_report: str | None = None
    origin_words: tuple[str, ...] = ()

    @property
    def asked(self) -> dict[str, Answer]:
        """The implicit symptoms that repeat no stated one (MZ-10 repeats many)."""
        return {name: value for name, value in self.implicit.items() if name not in self.explicit}

    @property
    def symptoms(self) -> dict[str, Answer]:
        """Everything recorded: stated and asked."""
        return {**self.explicit, **self.asked}

    def reply(self, symptom: str) -> Reply:
        """The answer the record gives when asked about ``symptom``."""
        return self.symptoms.get(symptom, UNRECORDED)

    def restated(self, stated: Mapping[str, Answer]) -> CaseRecord:
        """The record as if the patient had stated ``stated`` (read from their words, say): the rest of
        what it records becomes what the doctor learnt by asking."""
        rest = {name: value for name, value in self.symptoms.items() if name not in stated}
        return replace(self, explicit=dict(stated), implicit=rest)


def _symptom_map(row: Mapping[str, Any], key: str) -> dict[str, Answer]:
    value = row.get(key, {})
    if not isinstance(value, dict):
        raise _RowError(key, f"must be an object of symptom: true|false|null, not {type(value).__name__}")
    for name, answer in value.items():
        if not name.strip() or not (answer is None or isinstance(answer, bool)):
            raise _RowError(key, f"{name!r}: {answer!r} is not true, false or null")
    return dict(value)


class _RowError(ValueError):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name


def parse_case_record(row: Any, source: str, line: int) -> CaseRecord | Issue:
    """One record from a decoded JSON value, or the :class:`Issue` that rejects it."""
    if not isinstance(row, dict):
        return Issue(source, line, f"expected a JSON object, not {type(row).__name__}")
    try:
        disease = row.get("disease")
        if not isinstance(disease, str) or not disease.strip():
            raise _RowError("disease", "missing or empty")
        explicit = _symptom_map(row, "explicit_symptoms")
        implicit = _symptom_map(row, "implicit_symptoms")
        report = row.get("self_report")
        if report is not None and not isinstance(report, str):
            raise _RowError("self_report", "must be text")
        words = row.get("origin_inform_slots", [])
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise _RowError("origin_inform_slots", "must be a list of text")
    except _RowError as err:
        return Issue(source, line, str(err), field=err.field, value=str(row)[:200])
    return CaseRecord(
        disease.strip(), explicit, implicit, str(row.get("id", f"{source}:{line}")), report, tuple(words)
    )


def read_case_records(path: Path) -> tuple[list[CaseRecord], list[Issue]]:
    """Every well-formed record of a JSON Lines (or JSON array) file, and an issue for each rejected row."""
    records: list[CaseRecord] = []
    issues: list[Issue] = []
    for item in iter_json_values(str(path), decode_file(path).text):
        parsed = item if isinstance(item, Issue) else parse_case_record(item[1], str(path), item[0])
        if isinstance(parsed, Issue):
            issues.append(parsed)
        else:
            records.append(parsed)
    return records, issues


def split_folds(
    records: Sequence[CaseRecord], folds: int, seed: int = 0
) -> list[tuple[list[CaseRecord], list[CaseRecord]]]:
    """``folds`` (train, test) pairs over a seeded shuffle of ``records``."""
    if folds < 2 or folds > len(records):
        raise InputError(f"--folds must be between 2 and the {len(records)} records, not {folds}")
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    return [
        (
            [records[i] for n, i in enumerate(order) if n % folds != fold],
            [records[i] for n, i in enumerate(order) if n % folds == fold],
        )
        for fold in range(folds)
    ]
