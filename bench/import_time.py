"""Benchmark: what importing Wenzhen costs, against the bare interpreter, in fresh processes.

    python bench/import_time.py [--repeat 15]

For each target, the median wall time of ``python -I -c "import <target>"`` over ``--repeat`` fresh processes,
minus the median of ``python -I -c "pass"`` measured in the same run (the interpreter's own start-up);
and the self-reported cumulative time of the import from ``-X importtime``. Targets: the facade
(``import wenzhen``: nothing but the error classes), two modules that must not pull in the graph driver
(the training data reader and the inquiry policy), and the command line (what ``wenzhen --help`` pays).
Target: ``import wenzhen`` well under 0.1 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

TARGETS = ("wenzhen", "wenzhen.finetune.data", "wenzhen.agent.inquiry", "wenzhen.api.cli")


def wall(code: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-I", "-c", code], check=True, cwd="/")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def self_reported(module: str) -> float:
    """Cumulative microseconds ``-X importtime`` reports for ``module``, in seconds."""
    result = subprocess.run(
        [sys.executable, "-I", "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    )
    for line in reversed(result.stderr.splitlines()):
        fields = [part.strip() for part in line.split("|")]
        if len(fields) == 3 and fields[2] == module:
            return int(fields[1]) / 1e6
    raise RuntimeError(f"no importtime line for {module}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    baseline = wall("pass", args.repeat)
    print(f"bare interpreter start-up: {baseline * 1000:.0f} ms (median of {args.repeat})")
    for target in TARGETS:
        total = wall(f"import {target}", args.repeat)
        reported = self_reported(target)
        print(
            f"import {target:<24} +{(total - baseline) * 1000:6.0f} ms over start-up "
            f"({total / baseline:.2f}x the bare interpreter); -X importtime {reported * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
