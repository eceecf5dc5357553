"""Benchmark: the HTTP server against the consultant in-process, under load, and while answers generate.

    python bench/serve.py [--cases 40] [--patients 64] [--seconds 30]

Loads the demo KG into a fresh embedded store (a temporary data directory), then, on the demo model:

1. Server overhead: the same question turns (a new session's opening report) through ``Consultant.reply``
   in this process (sessions in SQLite, as the server keeps them), then through
   ``POST /v1/sessions/{id}/messages`` of a ``wenzhen serve`` process on loopback, one client. Prints the
   medians and their ratio (target <= 1.2).
2. Load: ``--patients`` simulated patients at once, each opening a session, reporting and answering the
   first follow-up question ("没有"). Throughput, p50/p99 per turn, errors (target 0).
3. Answers generating: two patients' answers stream from the demo model while other sessions' question
   turns and ``/healthz`` are timed for ``--seconds``. p99 of each (targets: 200 ms and 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import httpx

REPORTS = [
    "我最近老是拉肚子，肚子疼",
    "我最近皮肤发黄，还乏力",
    "我右上腹疼，吃完饭腹胀",
    "最近总是恶心，没有食欲",
    "孩子发烧两天了，还咳嗽",
    "最近总是胃胀，老打嗝",
    "这几天腰酸，小便有点黄",
    "嗓子疼，流鼻涕",
]
WENZHEN = [sys.executable, "-m", "wenzhen"]
ANSWER_QUESTIONS = ["肝硬化患者饮食要注意什么", "乙肝患者平时要注意什么"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def in_process(cases: list[str], sessions: str) -> list[float]:
    from wenzhen.agent.config import AgentSettings
    from wenzhen.agent.consultant import Consultant

    with Consultant.from_config(AgentSettings(sessions=sessions)) as consultant:  # as the server keeps them
        consultant.reply(consultant.start_session(), cases[0])  # warm up
        seconds = []
        for text in cases:
            session = consultant.start_session()
            started = time.perf_counter()
            assert consultant.reply(session, text).kind == "question"
            seconds.append(time.perf_counter() - started)
    return seconds


def start_server(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [*WENZHEN, "serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not become ready")


def over_http(url: str, cases: list[str]) -> list[float]:
    seconds = []
    with httpx.Client(base_url=url, timeout=120) as http:
        http.post(
            f"/v1/sessions/{http.post('/v1/sessions').json()['session_id']}/messages", json={"text": cases[0]}
        )
        for text in cases:
            session = http.post("/v1/sessions").json()["session_id"]
            started = time.perf_counter()
            reply = http.post(f"/v1/sessions/{session}/messages", json={"text": text})
            seconds.append(time.perf_counter() - started)
            assert reply.status_code == 200 and reply.json()["kind"] == "question", reply.text
    return seconds


async def patient(http: httpx.AsyncClient, text: str, turns: list[float], errors: list[str]) -> None:
    created = await http.post("/v1/sessions")
    if created.status_code != 201:
        errors.append(f"{created.status_code} {created.text}")
        return
    session = created.json()["session_id"]
    for message in (text, "没有"):
        started = time.perf_counter()
        reply = await http.post(f"/v1/sessions/{session}/messages", json={"text": message})
        turns.append(time.perf_counter() - started)
        if reply.status_code != 200:
            errors.append(f"{reply.status_code} {reply.text[:200]}")
            return
        if reply.json()["kind"] != "question":
            return


async def load(url: str, patients: int) -> tuple[list[float], list[str], float]:
    turns: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=patients)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(
            *(patient(http, REPORTS[i % len(REPORTS)], turns, errors) for i in range(patients))
        )
        elapsed = time.perf_counter() - started
    return turns, errors, elapsed


async def while_generating(url: str, seconds: float) -> tuple[list[float], list[float], int]:
    questions: list[float] = []
    health: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=600) as http:

        async def answer(text: str) -> int:
            session = (await http.post("/v1/sessions")).json()["session_id"]
            tokens = 0
            async with http.stream(
                "POST", f"/v1/sessions/{session}/messages/stream", json={"text": text}
            ) as r:
                async for line in r.aiter_lines():
                    tokens += line.startswith("event: token")
            return tokens

        generating = [asyncio.create_task(answer(text)) for text in ANSWER_QUESTIONS]
        await asyncio.sleep(2)  # the answers are under way
        deadline = time.monotonic() + seconds
        i = 0
        while time.monotonic() < deadline and not all(task.done() for task in generating):
            session = (await http.post("/v1/sessions")).json()["session_id"]
            started = time.perf_counter()
            reply = await http.post(
                f"/v1/sessions/{session}/messages", json={"text": REPORTS[i % len(REPORTS)]}
            )
            questions.append(time.perf_counter() - started)
            assert reply.status_code == 200, reply.text
            started = time.perf_counter()
            assert (await http.get("/healthz")).status_code == 200
            health.append(time.perf_counter() - started)
            i += 1
        tokens = sum(await asyncio.gather(*generating))
    return questions, health, tokens


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--patients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    cases = (REPORTS * args.cases)[: args.cases]
    with tempfile.TemporaryDirectory(prefix="wz-bench-") as tmp:
        os.environ.update(
            WENZHEN_DATA_DIR=tmp,
            WENZHEN_MAX_NEW_TOKENS="64",
            WENZHEN_GENERATION_QUEUE="64",
            WENZHEN_RATE_LIMIT="100000",
        )
        subprocess.run([*WENZHEN, "kg", "load", "--demo"], check=True, capture_output=True)
        local = in_process(cases, os.path.join(tmp, "in-process.sqlite"))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = start_server(port)
        url = f"http://127.0.0.1:{port}"
        try:
            remote = over_http(url, cases)
            ratio = statistics.median(remote) / statistics.median(local)
            print(
                f"1. question turn, one client ({len(cases)} turns): in-process p50 "
                f"{statistics.median(local) * 1000:.1f} ms, HTTP p50 "
                f"{statistics.median(remote) * 1000:.1f} ms, ratio {ratio:.2f} (target <= 1.2)"
            )
            turns, errors, elapsed = asyncio.run(load(url, args.patients))
            print(
                f"2. {args.patients} patients at once: {len(turns)} turns in {elapsed:.1f} s "
                f"({len(turns) / elapsed:.1f} turns/s), p50 {percentile(turns, 0.5) * 1000:.0f} ms, "
                f"p99 {percentile(turns, 0.99) * 1000:.0f} ms, errors {len(errors)} (target 0)"
            )
            for error in errors[:3]:
                print("   ", error)
            questions, health, tokens = asyncio.run(while_generating(url, args.seconds))
            print(
                f"3. while {len(ANSWER_QUESTIONS)} answers generated ({tokens} tokens): "
                f"{len(questions)} question turns p99 {percentile(questions, 0.99) * 1000:.0f} ms "
                f"(target <= 200), /healthz p99 "
                f"{percentile(health, 0.99) * 1000:.0f} ms (target <= 50)"
            )
        finally:
            server.terminate()
            server.wait(timeout=60)


if __name__ == "__main__":
    main()
