"""Benchmark: the streaming chat model's tokens/s and time to first token vs raw ``model.generate``.

    python bench/generation.py [--tokens 64] [--repeat 3]

Same demo model (bf16 on CPU), prompt ids (checked equal) and greedy settings, alternating, in one process.
Raw: ``model.generate`` with a TextIteratorStreamer for the first token. Ours: ``WenzhenChatModel.stream``.
Targets: tokens/s >= 0.95x, TTFT <= 1.2x.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Iterable
from typing import Any

import torch
from langchain_core.messages import HumanMessage
from transformers import TextIteratorStreamer

from wenzhen.finetune.chat_model import WenzhenChatModel, to_chat_messages
from wenzhen.finetune.generator import LocalGenerator

QUESTION = "肝硬化患者平时饮食要注意什么？请分几点说明。"


def timed_stream(pieces: Iterable[str], tokenizer: Any) -> tuple[float, int, float]:
    """(time to first piece, tokens in the whole text, total seconds) of a stream of text pieces."""
    started = time.perf_counter()
    first, text = None, ""
    for piece in pieces:
        first = first or time.perf_counter() - started
        text += piece
    total = time.perf_counter() - started
    return first or 0.0, len(tokenizer.encode(text, add_special_tokens=False)), total


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    chat = WenzhenChatModel(format_name="template", max_tokens=args.tokens)
    generator = chat.generator()
    assert isinstance(generator, LocalGenerator)  # the transformers backend
    model, tokenizer = generator.model, generator.tokenizer
    model.to(torch.bfloat16)
    messages = [{"role": "user", "content": QUESTION}]
    ids = tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    assert ids["input_ids"][0].tolist() == generator.format.prompt_ids(
        to_chat_messages([HumanMessage(QUESTION)]), 4096
    )

    def raw() -> tuple[float, int, float]:
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
        settings = {**ids, "max_new_tokens": args.tokens, "do_sample": False, "streamer": streamer}
        worker = threading.Thread(target=model.generate, kwargs=settings)
        worker.start()
        result = timed_stream(streamer, tokenizer)
        worker.join()
        return result

    def ours() -> tuple[float, int, float]:
        return timed_stream(
            (str(chunk.content) for chunk in chat.stream([HumanMessage(QUESTION)])), tokenizer
        )

    raw()  # warm-up
    results: dict[str, list[tuple[float, int, float]]] = {"raw": [], "ours": []}
    for _ in range(args.repeat):
        results["raw"].append(raw())
        results["ours"].append(ours())
    summary = {}
    for name, runs in results.items():
        ttft = statistics.median(r[0] for r in runs)
        rate = statistics.median(r[1] / r[2] for r in runs)
        summary[name] = (ttft, rate)
        print(f"{name:<5} TTFT {ttft * 1000:7.0f} ms   {rate:5.2f} tokens/s   ({runs[0][1]} tokens)")
    print(
        f"ratio tokens/s {summary['ours'][1] / summary['raw'][1]:.2f}x (target >= 0.95), "
        f"TTFT {summary['ours'][0] / summary['raw'][0]:.2f}x (target <= 1.2)"
    )


if __name__ == "__main__":
    main()
