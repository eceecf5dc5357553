"""Labelled real messages as the measuring scripts read them: labels, denials, Dxy's parts, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wenzhen.agent.labelled_messages import Report, read_reports
from wenzhen.core.errors import InputError


def test_labels_denials_and_none_are_read_and_a_bad_line_is_named(tmp_path: Path) -> None:
    labelled = tmp_path / "messages.tsv"
    labelled.write_text(
        "# message<TAB>symptoms\n胃胀，不反酸\t腹胀、!反酸\n高血压可以吃莲子吗？\t-\n", encoding="utf-8"
    )
    assert read_reports(labelled, None) == [
        Report("胃胀，不反酸", {"腹胀": True, "反酸": False}),
        Report("高血压可以吃莲子吗？", {}),
    ]
    with pytest.raises(InputError, match="--part splits Dxy's records"):
        read_reports(labelled, "aside")
    labelled.write_text("一行没有标签\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"messages\.tsv:1"):
        read_reports(labelled, None)


def test_dxy_self_reports_split_into_parts_by_id(tmp_path: Path) -> None:
    records = tmp_path / "dxy.jsonl"
    rows = [
        {
            "id": str(n),
            "disease": "小儿腹泻",
            "explicit_symptoms": {"腹泻": True, "发热": None},
            "self_report": f"孩子拉肚子{n}天",
        }
        for n in range(20)
    ]
    records.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    dev, aside, every = (read_reports(records, part) for part in ("dev", "aside", "all"))
    assert len(dev) + len(aside) == len(every) == 20 and aside and dev
    assert {r.text for r in dev}.isdisjoint(r.text for r in aside)
    assert every[0].symptoms == {"腹泻": True}  # unsure of 发热: left out
    assert read_reports(records, None) == dev
