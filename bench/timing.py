"""What the per-message benchmarks share: time a call over every input, and print mean and p95.

>>> times = per_call_ms(len, ["a", "bb"], repeat=2)
>>> len(times)
4
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def per_call_ms(call: Callable[[T], object], inputs: Sequence[T], repeat: int) -> list[float]:
    """Milliseconds of ``call`` on each input, ``repeat`` rounds over all of them."""
    times = []
    for _ in range(repeat):
        for item in inputs:
            start = time.perf_counter()
            call(item)
            times.append((time.perf_counter() - start) * 1000)
    return times


def describe(name: str, times: list[float], width: int = 46) -> float:
    """Print the mean and 95th percentile of ``times``; return the mean."""
    mean = statistics.fmean(times)
    print(f"{name:<{width}} mean {mean:6.2f} ms   p95 {float(np.percentile(times, 95)):6.2f} ms")
    return mean
