"""One mapping from an error to its exit code, and the problem report every command writes the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wenzhen.core.console import exit_code, report_issues
from wenzhen.core.errors import ConfigError, InputError, ResourceMissing, ServiceUnavailable, WenzhenError
from wenzhen.core.issues import Issue
from wenzhen.core.params import parse_assignments


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (WenzhenError("another load holds the lock"), 1),
        (PermissionError(13, "Permission denied", "out.jsonl"), 1),
        (InputError("cases.jsonl:3: expected {disease}"), 2),
        (ConfigError("invalid agent settings"), 2),
        (ServiceUnavailable("cannot reach the graph server"), 3),
        (ResourceMissing("no index at /x"), 4),
        (KeyError("a bug"), None),  # not expected: the traceback is kept
    ],
)
def test_each_kind_of_failure_has_its_exit_code(error: BaseException, code: int | None) -> None:
    assert exit_code(error) == code


def test_the_kinds_are_also_the_builtin_errors_they_refine() -> None:
    assert isinstance(InputError("x"), ValueError) and isinstance(ResourceMissing("x"), FileNotFoundError)
    assert isinstance(ServiceUnavailable("x"), ConnectionError)


def test_problems_go_to_the_data_dirs_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WENZHEN_DATA_DIR", str(tmp_path))
    issues = [Issue("train.jsonl", line, "too long after truncation") for line in range(1, 13)]
    report = report_issues(issues, "train.jsonl")
    assert report == tmp_path / "reports" / "train.jsonl.issues.jsonl"
    assert [json.loads(row)["line"] for row in report.read_text(encoding="utf-8").splitlines()] == list(
        range(1, 13)
    )
    shown = capsys.readouterr().err
    assert "skipped train.jsonl:10: too long" in shown and "train.jsonl:11" not in shown
    assert f"12 problems, all in {report}" in " ".join(shown.split())
    assert (
        report_issues([], "nothing") is None and not (tmp_path / "reports" / "nothing.issues.jsonl").exists()
    )


@pytest.mark.parametrize("item", ["no-equals", "=3", " =x"])
def test_a_key_value_without_a_key_is_refused_naming_the_option(item: str) -> None:
    with pytest.raises(InputError, match=r"--param .*: expected KEY=VALUE"):
        parse_assignments([item], "--param")


def test_values_are_json_when_they_parse_and_text_otherwise() -> None:
    parsed = parse_assignments(
        ["a=1", "b=1.5e-4", "c=true", "d=null", 'e="2023"', "f=乙肝=2", "a=2"], "--set"
    )
    assert parsed == {"a": 2, "b": 1.5e-4, "c": True, "d": None, "e": "2023", "f": "乙肝=2"}
