"""Benchmark: the consultation agent's own cost per turn vs the generator's, on the demo model.

    python bench/consultation_turn.py [--turns 4] [--max-new-tokens 64]

Loads the demo KG into a fresh embedded store and builds the demo literature index (both in a temporary data
directory), then runs answer turns (knowledge questions: triage, linking, KG facts, literature search,
prompt, generation) and question turns (symptom reports: triage, linking, posterior, next question). The
generator's time is measured by a LangChain callback from the chat model's start to its end; overhead =
turn time - generation time. Target: overhead <= 10% of an answer turn.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler

QUESTIONS = [
    "晚期肝癌可以用免疫治疗吗",
    "乙肝患者平时要注意什么",
    "肝硬化腹水怎么治疗",
    "脂肪肝需要做哪些检查",
]
REPORTS = ["我最近皮肤发黄，还乏力", "我右上腹疼，吃完饭腹胀", "最近总是恶心，没有食欲", "我经常头晕乏力"]


class GenerationTimer(BaseCallbackHandler):
    """Seconds spent inside the chat model, per run."""

    def __init__(self) -> None:
        self.started: dict[UUID, float] = {}
        self.seconds = 0.0

    def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.started[run_id] = time.perf_counter()

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.seconds += time.perf_counter() - self.started.pop(run_id)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=4)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wz-bench-") as tmp:
        os.environ["WENZHEN_DATA_DIR"] = tmp
        from typer.testing import CliRunner

        from wenzhen.agent.config import AgentSettings
        from wenzhen.agent.consultant import Consultant, make_chat_model, open_literature
        from wenzhen.api.cli import app
        from wenzhen.kg_loader.config import GraphSettings
        from wenzhen.kg_loader.store import open_store
        from wenzhen.retrieval.config import RetrievalSettings

        runner = CliRunner()
        for command in (["kg", "load", "--demo"], ["index", "build", "--demo"]):
            result = runner.invoke(app, command)
            assert result.exit_code == 0, result.output
        settings = AgentSettings(max_new_tokens=args.max_new_tokens)
        timer = GenerationTimer()
        chat_model = make_chat_model(settings)
        chat_model.callbacks = [timer]
        with open_store(GraphSettings()) as store:
            consultant = Consultant(store, chat_model, open_literature(RetrievalSettings()), settings)
            consultant.reply(consultant.start_session(), QUESTIONS[-1])  # loads the model, warms up
            answers, overheads, asks = [], [], []
            for question in (QUESTIONS * args.turns)[: args.turns]:
                timer.seconds = 0.0
                started = time.perf_counter()
                reply = consultant.reply(consultant.start_session(), question)
                turn = time.perf_counter() - started
                assert reply.kind == "answer", reply.kind
                answers.append(turn)
                overheads.append(turn - timer.seconds)
            for report in (REPORTS * args.turns)[: args.turns]:
                started = time.perf_counter()
                reply = consultant.reply(consultant.start_session(), report)
                asks.append(time.perf_counter() - started)
            consultant.close()
    turn, overhead = statistics.median(answers), statistics.median(overheads)
    print(f"answer turn   median {turn * 1000:8.0f} ms   generation {(turn - overhead) * 1000:8.0f} ms")
    print(
        f"overhead      median {overhead * 1000:8.0f} ms = {overhead / turn:.1%} of the turn (target <= 10%)"
    )
    print(f"question turn median {statistics.median(asks) * 1000:8.0f} ms (no generation)")


if __name__ == "__main__":
    main()
