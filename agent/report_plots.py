"""The report's plots (matplotlib, no display): bars with confidence intervals, and lines.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> bars(folder / "a.png", "accuracy", {"none": (0.5, 0.4, 0.6), "kg": (0.6, 0.5, 0.7)})
'a.png'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def bars(
    path: Path,
    ylabel: str,
    values: Mapping[str, tuple[float, float, float]],
    title: str = "",
    reference: tuple[str, float | None] = ("", None),
) -> str:
    """One bar per name: (value, low, high) — the interval drawn as an error bar; ``reference``: a labelled
    dashed line (chance, say) when its value is given. Returns the file name."""
    plt = _pyplot()
    names = list(values)
    heights = [values[n][0] for n in names]
    below = [values[n][0] - values[n][1] for n in names]
    above = [values[n][2] - values[n][0] for n in names]
    figure, axes = plt.subplots(figsize=(max(4.0, 0.9 * len(names) + 2), 3.2))
    axes.bar(names, heights, yerr=[below, above], capsize=4, color="#4c78a8")
    label, level = reference
    if level is not None:
        axes.axhline(level, linestyle="--", color="#888888", linewidth=1, label=f"{label} {level:.2f}")
        axes.legend(loc="upper right")
    axes.set_ylabel(ylabel)
    axes.set_ylim(0, 1)
    axes.set_title(title)
    axes.tick_params(axis="x", labelrotation=30)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path.name


def lines(
    path: Path, xlabel: str, ylabel: str, series: Mapping[str, Sequence[tuple[float, float]]], title: str = ""
) -> str:
    """One line per name through its (x, y) points. Returns the file name."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(5.5, 3.4))
    for name, points in series.items():
        xs, ys = zip(*sorted(points), strict=True) if points else ((), ())
        axes.plot(xs, ys, marker="o", label=name)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_ylim(0, 1)
    axes.set_title(title)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path.name
