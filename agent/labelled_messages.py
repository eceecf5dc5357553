"""Real patients' messages labelled with the symptoms a doctor reads there, as the measuring scripts read
them (``scripts/self_report_accuracy.py``, ``scripts/first_reply_accuracy.py``).

>>> report = Report("孩子拉肚子，没发烧", {"腹泻": True, "发热": False})
>>> sorted(name for name, said in report.symptoms.items() if said)
['腹泻']

Two kinds of file: a labelled ``.tsv`` (``message<TAB>symptoms``: a doctor's names, separated by 、, ``!name``
for one the message denies, ``-`` for none), such as ``agent/data/real_questions_*.tsv``; or Dxy's case
records, whose ``self_report`` (the parent's own words) is labelled by its ``explicit_symptoms``. Dxy's
records are split once, by a hash of their id: ``dev`` (four in five) is read to improve the linker, ``aside``
is only measured; a labelled file is one part.
"""

from __future__ import annotations

import argparse
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from wenzhen.agent.case_records import CaseRecord, read_case_records
from wenzhen.core.errors import InputError
from wenzhen.core.files import read_tab_rows

PARTS = ("dev", "aside", "all")
NONE = "-"
DENIED = "!"


@dataclass(frozen=True)
class Report:
    """A patient's message and the symptoms a doctor read there: True said, False denied."""

    text: str
    symptoms: Mapping[str, bool]


def part_of(record: CaseRecord) -> str:
    """``aside`` for one record in five, by its id; else ``dev``."""
    return "aside" if zlib.crc32(record.id.encode()) % 5 == 0 else "dev"


def dxy_reports(path: Path, part: str) -> list[Report]:
    """Each self-report of ``part`` with its explicit symptoms (those the patient was unsure of left out)."""
    records, issues = read_case_records(path)
    for issue in issues:
        print(f"skipped {issue}")
    return [
        Report(r.self_report, {s: a for s, a in r.explicit.items() if a is not None})
        for r in records
        if r.self_report and part in ("all", part_of(r))
    ]


def labelled_messages(path: Path) -> list[Report]:
    """Each ``message<TAB>symptoms`` line; a malformed line is an error naming it."""
    reports = []
    for message, labels in read_tab_rows(path, 2, "message<TAB>symptoms (、 between, !denied) or -"):
        names = [] if labels == NONE else labels.split("、")
        reports.append(Report(message, {n.removeprefix(DENIED): not n.startswith(DENIED) for n in names}))
    return reports


def read_reports(path: Path, part: str | None) -> list[Report]:
    """The messages of a labelled ``.tsv`` file, or the self-reports of ``part`` (default dev) of Dxy's."""
    if path.suffix != ".tsv":
        return dxy_reports(path, part or "dev")
    if part is not None:
        raise InputError(f"{path}: --part splits Dxy's records; a labelled file is one part")
    return labelled_messages(path)


def parse_command_line(description: str) -> tuple[argparse.Namespace, list[Report]]:
    """The measuring scripts' command line (the file, ``--part`` of Dxy's records, ``--show``) and the
    messages it names; a bad combination is a usage error."""
    options = argparse.ArgumentParser(description=description, formatter_class=argparse.RawTextHelpFormatter)
    options.add_argument(
        "reports", type=Path, help="A labelled .tsv file (message<TAB>symptoms or -) or Dxy's records."
    )
    options.add_argument("--part", choices=PARTS, help="Which of Dxy's records (default: dev).")
    options.add_argument("--show", action="store_true", help="Print each message read otherwise.")
    args = options.parse_args()
    try:
        return args, read_reports(args.reports, args.part)
    except InputError as err:
        options.error(str(err))
