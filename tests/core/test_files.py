"""Reading input files: decoding (UTF-8, GB18030 detected), strict JSON Lines, JSON values with lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from wenzhen.core.errors import InputError
from wenzhen.core.files import InputFileError, decode_file, iter_json_values, parse_json_lines
from wenzhen.core.issues import Issue

DATA = Path(__file__).parents[1] / "data"


def test_gb18030_file_is_detected(tmp_path: Path) -> None:
    source = (DATA / "cmekg_sample.jsonl").read_text(encoding="utf-8")
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(source.encode("gb18030"))
    decoded = decode_file(path)
    assert decoded.encoding == "gb18030" and decoded.text == source


def test_undecodable_file_names_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_bytes('{"中心词": "乙肝"}\n'.encode() + b'{"x": "\xff\xfe\xff"}\n')
    with pytest.raises(InputFileError, match=r"broken.jsonl: line 2 \(byte \d+\)"):
        decode_file(path)


@pytest.mark.parametrize(
    ("text", "line"),
    [('{"q": "a"}\n{"q": "b"\n', 2), ('{"q": "a"}\n\n{"other": 1}\n', 3), ('["a"]\n', 1)],
)
def test_strict_json_lines_name_the_first_bad_line(text: str, line: int) -> None:
    with pytest.raises(InputError, match=rf"^cases.jsonl:{line}: expected \{{\"q\"\}}: "):
        parse_json_lines("cases.jsonl", text, lambda row: str(row["q"]), '{"q"}')


def test_a_missing_file_is_an_input_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nothing.jsonl: cannot read"):
        decode_file(tmp_path / "nothing.jsonl")


def test_json_values_keep_their_lines_and_report_a_broken_array_element() -> None:
    text = '[\n {"a": 1},\n {"b": 2},\n {"c": oops}\n]'
    items = list(iter_json_values("f.json", text))
    assert items[:2] == [(2, {"a": 1}), (3, {"b": 2})]
    assert isinstance(items[2], Issue) and items[2].line == 4 and "rest of the file" in items[2].reason


def test_a_huge_number_or_deep_nesting_is_a_reported_row_not_a_crash() -> None:
    huge_row, deep_row = '{"b": ' + "9" * 5000 + "}", '{"c": ' + "[" * 100_000 + "]" * 100_000 + "}"
    lines = ['{"a": 1}', huge_row, deep_row, '{"d": 4}']
    items = list(iter_json_values("f.jsonl", "\n".join(lines)))
    assert items[0] == (1, {"a": 1}) and items[3] == (4, {"d": 4})  # the rows around them are kept
    huge, deep = items[1], items[2]
    assert isinstance(huge, Issue) and huge.line == 2 and "4300 digits" in huge.reason
    assert isinstance(deep, Issue) and deep.line == 3 and "nested too deeply" in deep.reason
    in_array = list(iter_json_values("f.json", '[{"a": 1}, {"b": ' + "9" * 5000 + "}]"))
    assert in_array[0] == (1, {"a": 1}) and isinstance(in_array[1], Issue)
