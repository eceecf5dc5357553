"""Benchmark: how long triage takes for one patient message, against the rules alone and against
sentence-transformers' own ``encode_query`` of the same text, in one run.

    python bench/triage.py [--repeat 3]

Messages: the kept-aside presentations (``agent/data/triage_aside.jsonl``), each checked as the newest of
its conversation. Prints the mean and 95th percentile per message of (a) the rules alone, (b) rules and the
meaning layer (what a consultation runs), (c) ``model.encode_query`` + the rules, and the ratio b/c.
Target: (b) at most 20 ms a message on this machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from wenzhen.agent.evaluation import read_triage_cases
from wenzhen.agent.triage import MeaningLayer, Triage, meaning_layer
from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.embedder import load_embedder

ASIDE = Path(__file__).resolve().parents[1] / "agent" / "data" / "triage_aside.jsonl"


def per_message_ms(
    check: Callable[[tuple[str, ...]], object], conversations: list[tuple[str, ...]], repeat: int
) -> list[float]:
    times = []
    for _ in range(repeat):
        for messages in conversations:
            start = time.perf_counter()
            check(messages)
            times.append((time.perf_counter() - start) * 1000)
    return times


def describe(name: str, times: list[float]) -> float:
    mean = statistics.fmean(times)
    print(f"{name:<46} mean {mean:6.2f} ms   p95 {float(np.percentile(times, 95)):6.2f} ms")
    return mean


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    conversations = [case.messages for case in read_triage_cases(ASIDE)]
    settings = RetrievalSettings()
    model = load_embedder(settings)
    meaning = meaning_layer(settings, model)
    assert meaning is not None, "the meaning layer needs the default embedding model"
    rules = Triage.load()
    full = Triage.load(meaning=meaning)
    plain = Triage.load(
        meaning=MeaningLayer(
            meaning.model, lambda text: model.encode_query([text], normalize_embeddings=True)[0]
        )
    )
    for triage in (rules, full, plain):  # warm up
        per_message_ms(triage.check, conversations[:5], 1)
    print(f"{len(conversations)} presentations x {args.repeat}")
    describe("(a) rules alone", per_message_ms(rules.check, conversations, args.repeat))
    b = describe(
        "(b) rules + meaning layer (QueryEncoder)", per_message_ms(full.check, conversations, args.repeat)
    )
    c = describe(
        "(c) rules + meaning via encode_query", per_message_ms(plain.check, conversations, args.repeat)
    )
    print(f"b/c = {b / c:.2f}x; target (b) <= 20 ms: {'met' if b <= 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
