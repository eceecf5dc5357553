"""Multiple-choice exam questions from the shapes the public Chinese medical exams come in: CMExam (Question;
Options with a literal "\\n" between "A 甲" lines; Answer, one or several letters; Explanation) and CNMLEQA
(question, opa–ope, answer "opc", question_type), as a JSON array or JSON Lines.

>>> row = {"Question": "夜间阵发性呼吸困难，可见于", "Options": "A 癔病\\\\nB 左心功能不全", "Answer": "B"}
>>> question = exam_question(row, "dev", 1)
>>> question.options, question.answer, question.kind
({'A': '癔病', 'B': '左心功能不全'}, ('B',), '单选')

A row that fits neither shape, lacks options or names an answer that is not an option is reported (file,
line, field) and skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wenzhen.core.files import decode_file, iter_json_values
from wenzhen.core.issues import Issue

LETTERS = "ABCDEFGH"
OPTION_LINE = re.compile(r"^\s*([A-H])\s*[.、．:：)）]?\s*(.*\S)\s*$")
CNMLEQA_FIELDS = tuple(f"op{c}" for c in "abcdefgh")


@dataclass(frozen=True)
class ExamQuestion:
    """One question: options by letter, the right letters, and its kind (the file's type, else 单选/多选)."""

    id: str
    question: str
    options: dict[str, str]
    answer: tuple[str, ...]
    kind: str
    source: str
    line: int


class RowError(ValueError):
    """A row that cannot be a question: the field and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


def _cmexam(row: dict[str, Any]) -> tuple[str, dict[str, str], tuple[str, ...], str | None]:
    options: dict[str, str] = {}
    for piece in str(row["Options"]).replace("\\n", "\n").splitlines():
        if not piece.strip():
            continue
        match = OPTION_LINE.match(piece)
        if match is None:
            raise RowError("Options", f"an option line without its letter: {piece[:40]!r}")
        options[match.group(1)] = match.group(2)
    answer = tuple(sorted(set(str(row["Answer"]).strip().upper())))
    return str(row["Question"]), options, answer, None


def _cnmleqa(row: dict[str, Any]) -> tuple[str, dict[str, str], tuple[str, ...], str | None]:
    options = {
        field[-1].upper(): str(row[field]).strip()
        for field in CNMLEQA_FIELDS
        if field in row and str(row[field]).strip()
    }
    answer = tuple(
        sorted({str(item).strip().removeprefix("op").upper() for item in str(row["answer"]).split(",")})
    )
    kind = row.get("question_type")
    return str(row["question"]), options, answer, str(kind) if kind else None


def exam_question(row: Any, source: str, line: int) -> ExamQuestion:
    """One row of either shape as a question, or a :class:`RowError`."""
    if not isinstance(row, dict):
        raise RowError("row", f"expected a JSON object, got {type(row).__name__}")
    if "Question" in row and "Options" in row and "Answer" in row:
        text, options, answer, kind = _cmexam(row)
    elif "question" in row and "answer" in row and "opa" in row:
        text, options, answer, kind = _cnmleqa(row)
    else:
        raise RowError(
            "row", "neither CMExam (Question, Options, Answer) nor CNMLEQA (question, opa…, answer)"
        )
    if not text.strip():
        raise RowError("question", "empty question")
    if len(options) < 2:
        raise RowError("options", f"{len(options)} option(s); a multiple-choice question needs two or more")
    wrong = [letter for letter in answer if letter not in options]
    if not answer or wrong:
        raise RowError(
            "answer", f"answer {''.join(answer) or '(empty)'} is not among options {''.join(options)}"
        )
    default_kind = "单选" if len(answer) == 1 else "多选"
    return ExamQuestion(
        str(row.get("id") or f"{Path(source).name}:{line}"),
        text.strip(),
        options,
        answer,
        kind or default_kind,
        source,
        line,
    )


def read_exam(path: Path) -> tuple[list[ExamQuestion], list[Issue]]:
    """Every question of ``path`` (JSON array or JSON Lines, either shape) and the rows skipped, with why."""
    questions: list[ExamQuestion] = []
    issues: list[Issue] = []
    for item in iter_json_values(str(path), decode_file(path).text):
        if isinstance(item, Issue):
            issues.append(item)
            continue
        line, row = item
        try:
            questions.append(exam_question(row, str(path), line))
        except RowError as err:
            issues.append(Issue(str(path), line, str(err), field=err.field, value=str(row)[:200]))
        except (KeyError, TypeError) as err:
            issues.append(Issue(str(path), line, f"missing or malformed field {err}", value=str(row)[:200]))
    return questions, issues
