"""The HTTP API served for real: uvicorn on a free port, the demo KG on the real graph server, a real (tiny,
random) causal LM, SQLite sessions; clients are httpx, the official ``openai`` client and LangChain's
``ChatOpenAI``."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
import uvicorn
from langchain_core.callbacks import BaseCallbackHandler
from langchain_openai import ChatOpenAI
from openai import OpenAI
from pydantic import SecretStr

from tests.agent.test_consultant import consultant
from tests.conftest import free_port
from tests.test_readme import python_examples
from wenzhen.agent.config import AgentSettings
from wenzhen.agent.consultant import Consultant
from wenzhen.agent.gate import GenerationGate
from wenzhen.api.app import create_app
from wenzhen.api.config import ServerSettings
from wenzhen.api.keys import KeyStore
from wenzhen.core.errors import ConfigError
from wenzhen.finetune.chat_model import WenzhenChatModel
from wenzhen.kg_loader.store import GraphStore
from wenzhen.retrieval.search import LiteratureSearcher

QUESTION_TURN = "我最近黄疸，还乏力"
ANSWER_TURN = "晚期肝癌可以用免疫治疗吗"  # a knowledge question: answered at once, by the generator


@contextmanager
def serving(settings: ServerSettings, c: Consultant) -> Iterator[str]:
    """The app on a real uvicorn server in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, c), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def served(
    store: GraphStore, model: Path, searcher: LiteratureSearcher, settings: ServerSettings
) -> Iterator[tuple[Consultant, str]]:
    """The test consultant (tiny model, SQLite sessions where the server keeps them), served."""
    sessions = settings.sessions_path
    with consultant(store, model, searcher, sessions=sessions) as c, serving(settings, c) as url:
        yield c, url


def settings_for(tmp_path: Path, **values: Any) -> ServerSettings:
    return ServerSettings(
        sessions=str(tmp_path / "sessions.sqlite"), api_keys_file=tmp_path / "keys.json", **values
    )


def ready(http: httpx.Client) -> httpx.Response:
    """/readyz once the generator has loaded (503, saying so, until then)."""
    deadline = time.monotonic() + 120
    while (response := http.get("/readyz")).status_code == 503 and time.monotonic() < deadline:
        assert response.json()["problems"] == {"generator": "loading"}
        time.sleep(0.1)
    return response


def sse_events(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    event = ""
    for line in lines:
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield event, json.loads(line.removeprefix("data: "))


def test_a_consultation_over_http_sessions(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    with (
        served(demo_graph, tiny_model_dir, searcher, settings) as (_, url),
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        assert http.get("/healthz").json() == {"status": "ok"}
        assert ready(http).json() == {"ready": True, "problems": {}, "literature": "loaded"}
        session = http.post("/v1/sessions").json()["session_id"]
        first = http.post(f"/v1/sessions/{session}/messages", json={"text": QUESTION_TURN})
        assert first.status_code == 200 and first.headers["x-request-id"]
        reply = first.json()
        assert reply["kind"] == "question" and reply["question"]["kind"] and reply["candidates"]
        turns = 0
        while reply["kind"] == "question" and turns < 8:
            text = "没有了" if reply["question"]["kind"] == "open" else "没有"
            reply = http.post(f"/v1/sessions/{session}/messages", json={"text": text}).json()
            turns += 1
        assert reply["kind"] == "answer" and {x["kind"] for x in reply["citations"]} == {"kg", "literature"}
        history = http.get(f"/v1/sessions/{session}").json()["messages"]
        assert history[0] == {"role": "user", "content": QUESTION_TURN}
        assert history[-1] == {"role": "assistant", "content": reply["text"]}

        streamed = http.post("/v1/sessions").json()["session_id"]
        with http.stream("POST", f"/v1/sessions/{streamed}/messages/stream", json={"text": ANSWER_TURN}) as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
            events = list(sse_events(r.iter_lines()))
        tokens = "".join(data["text"] for event, data in events if event == "token")
        assert [event for event, _ in events][-1] == "reply" and len(events) > 3
        assert events[-1][1]["kind"] == "answer" and tokens.rstrip() == events[-1][1]["text"]

        metrics = http.get("/metrics").text
        assert f'wenzhen_turns_total{{kind="question"}} {turns}.0' in metrics
        assert 'wenzhen_turns_total{kind="answer"} 2.0' in metrics
        posted = 'method="POST",route="/v1/sessions/{session_id}/messages",status="200"'
        assert f"wenzhen_http_requests_total{{{posted}}} {turns + 1}.0" in metrics
        assert session not in metrics and "wenzhen_generation_queue_depth 0.0" in metrics
        generated = re.search(r"^wenzhen_generated_tokens_total (\S+)$", metrics, re.M)
        assert generated and float(generated.group(1)) > 0

        assert http.delete(f"/v1/sessions/{session}").status_code == 204
        gone = http.get(f"/v1/sessions/{session}")
        assert gone.status_code == 404 and gone.json()["error"] == "not_found"
        stored = b"".join(p.read_bytes() for p in tmp_path.glob("sessions.sqlite*"))  # with the WAL
        assert QUESTION_TURN.encode() not in stored  # deleted, and its pages overwritten
        assert ANSWER_TURN.encode() in stored  # (the session not deleted is still there)


def test_the_openai_client_and_chat_openai_work_unchanged(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    with served(demo_graph, tiny_model_dir, searcher, settings) as (c, url):
        client = OpenAI(base_url=f"{url}/v1", api_key="unused-on-loopback")
        assert [m.id for m in client.models.list()] == ["wenzhen"]
        said: list[Any] = [{"role": "user", "content": QUESTION_TURN}]
        first = client.chat.completions.create(model="wenzhen", messages=said)
        extra = (first.model_extra or {})["wenzhen"]
        assert (
            extra["reply"]["kind"] == "question"
            and first.choices[0].message.content == extra["reply"]["text"]
        )
        said += [
            {"role": "assistant", "content": first.choices[0].message.content},
            {"role": "user", "content": "没有"},
        ]
        second = client.chat.completions.create(model="wenzhen", messages=said)
        assert (second.model_extra or {})["wenzhen"]["session_id"] == extra["session_id"]  # the same session
        assert len(c.history(extra["session_id"])) == 4

        chunks = list(
            client.chat.completions.create(
                model="wenzhen", messages=[{"role": "user", "content": ANSWER_TURN}], stream=True
            )
        )
        text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
        final = (chunks[-1].model_extra or {})["wenzhen"]["reply"]
        assert final["kind"] == "answer" and text.rstrip() == final["text"] and len(chunks) > 3

        named = "my-own-session-1"
        chat = ChatOpenAI(
            base_url=f"{url}/v1",
            api_key=SecretStr("unused"),
            model="wenzhen",
            default_headers={"X-Session-Id": named},
        )
        assert chat.invoke(QUESTION_TURN).text
        assert c.history(named)[0] == {"role": "user", "content": QUESTION_TURN}


def test_keys_limits_and_errors(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="auth = off"):
        create_app(settings_for(tmp_path, host="0.0.0.0", auth="off"))
    with pytest.raises(ConfigError, match="holds none"):
        create_app(settings_for(tmp_path, host="0.0.0.0"))
    settings = settings_for(tmp_path, auth="on", rate_limit=20, max_body_bytes=8192)
    keys = KeyStore(settings.keys_path)
    clinic, other = keys.add("clinic"), keys.add("other")
    assert clinic.encode() not in settings.keys_path.read_bytes()  # only its hash is kept
    with (
        served(demo_graph, tiny_model_dir, searcher, settings) as (c, url),
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {clinic}"}) as http,
    ):
        anonymous = httpx.post(f"{url}/v1/sessions")
        assert anonymous.status_code == 401 and anonymous.json()["error"] == "unauthorized"
        assert httpx.post(f"{url}/v1/sessions", headers={"X-Api-Key": "wz-forged"}).status_code == 401
        session = http.post("/v1/sessions").json()["session_id"]
        assert http.post(f"/v1/sessions/{session}/messages", json={"text": QUESTION_TURN}).status_code == 200
        theirs = httpx.get(f"{url}/v1/sessions/{session}", headers={"X-Api-Key": other})
        assert theirs.status_code == 404  # another key's session does not exist for this one
        posted = httpx.post(
            f"{url}/v1/sessions/{session}/messages", json={"text": "没有"}, headers={"X-Api-Key": other}
        )
        assert posted.status_code == 404 and len(c.history(session)) == 2

        big = http.post(f"/v1/sessions/{session}/messages", json={"text": "痛" * 3000})
        assert big.status_code == 413 and big.json()["error"] == "too_large"
        assert big.json()["request_id"] == big.headers["x-request-id"]
        long = http.post(f"/v1/sessions/{session}/messages", json={"text": "痛" * 2500})
        assert long.status_code == 400 and "too long" in long.json()["detail"]
        malformed = http.post(
            f"/v1/sessions/{session}/messages",
            content=b'{"text": ',
            headers={"Content-Type": "application/json"},
        )
        assert malformed.status_code == 422 and malformed.json()["error"] == "invalid_request"
        secret = "我有乙肝病史"
        unknown_field = http.post(f"/v1/sessions/{session}/messages", json={"txt": secret})
        assert unknown_field.status_code == 422 and secret not in unknown_field.text  # no echo of the input
        assert len(c.history(session)) == 2  # nothing was taken in

        statuses = [http.get("/v1/models").status_code for _ in range(30)]
        limited = http.get("/v1/models")
        assert 429 in statuses and limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert httpx.get(f"{url}/v1/models", headers={"X-Api-Key": other}).status_code == 200  # per key


class TokenCounter(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens = 0

    def on_llm_new_token(self, token: Any, *, run_id: UUID, **kwargs: Any) -> Any:
        self.tokens += 1


def test_a_busy_generator_is_503_at_once_and_question_turns_do_not_wait(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    gate = GenerationGate(slots=1, queue=0, retry_after=7)
    chat_model = WenzhenChatModel(model=str(tiny_model_dir), max_tokens=12)
    c = Consultant(
        demo_graph,
        chat_model,
        searcher,
        AgentSettings(max_new_tokens=12, sessions=settings.sessions_path),
        gate=gate,
    )
    with c, serving(settings, c) as url, httpx.Client(base_url=url, timeout=60) as http:
        waiting = http.post("/v1/sessions").json()["session_id"]
        with gate.slot():  # the generator busy with another answer
            busy = http.post(f"/v1/sessions/{waiting}/messages", json={"text": ANSWER_TURN})
            assert busy.status_code == 503 and busy.headers["Retry-After"] == "7"
            assert busy.json()["error"] == "busy"
            assert http.get(f"/v1/sessions/{waiting}").json()["messages"] == []  # the turn was undone
            asking = http.post("/v1/sessions").json()["session_id"]
            question = http.post(f"/v1/sessions/{asking}/messages", json={"text": QUESTION_TURN})
            assert question.status_code == 200 and question.json()["kind"] == "question"
        retried = http.post(f"/v1/sessions/{waiting}/messages", json={"text": ANSWER_TURN})
        assert retried.status_code == 200 and retried.json()["kind"] == "answer"
        assert len(http.get(f"/v1/sessions/{waiting}").json()["messages"]) == 2


def test_a_client_that_disconnects_cancels_its_generation(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    counter, budget = TokenCounter(), 1500
    chat_model = WenzhenChatModel(model=str(tiny_model_dir), max_tokens=budget, callbacks=[counter])
    c = Consultant(
        demo_graph,
        chat_model,
        searcher,
        AgentSettings(max_new_tokens=budget, sessions=settings.sessions_path),
    )
    with c, serving(settings, c) as url, httpx.Client(base_url=url, timeout=60) as http:
        session = http.post("/v1/sessions").json()["session_id"]
        with http.stream("POST", f"/v1/sessions/{session}/messages/stream", json={"text": ANSWER_TURN}) as r:
            assert r.status_code == 200, r.read()
            first = next(sse_events(r.iter_lines()))
            assert first[0] == "token"
        # the connection is closed: the turn stops, is undone, and the session takes a new message
        deadline = time.monotonic() + 60
        while c.gate.depth and time.monotonic() < deadline:
            time.sleep(0.05)
        assert c.gate.depth == 0 and 0 < counter.tokens < budget
        assert http.get(f"/v1/sessions/{session}").json()["messages"] == []
        again = http.post(f"/v1/sessions/{session}/messages", json={"text": QUESTION_TURN})
        assert again.status_code == 200 and again.json()["kind"] == "question"


def test_the_readme_openai_example_runs(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher, tmp_path: Path
) -> None:
    (example,) = [e for e in python_examples() if "from openai import OpenAI" in e]
    settings = settings_for(tmp_path)
    with served(demo_graph, tiny_model_dir, searcher, settings) as (_, url):
        namespace: dict[str, Any] = {}
        exec(compile(example.replace("http://127.0.0.1:8000", url), "README.md", "exec"), namespace)
        assert namespace["reply"].model_extra["wenzhen"]["reply"]["kind"] == "question"


def test_sessions_expire_after_the_retention_time_and_cors_is_by_configuration(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher, tmp_path: Path
) -> None:
    origin = "https://clinic.example"
    settings = settings_for(tmp_path, retention_hours=2 / 3600, cors_origins=[origin])  # two seconds
    with (
        served(demo_graph, tiny_model_dir, searcher, settings) as (c, url),
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        session = http.post("/v1/sessions").json()["session_id"]
        assert http.post(f"/v1/sessions/{session}/messages", json={"text": QUESTION_TURN}).status_code == 200
        assert len(c.history(session)) == 2
        deadline = time.monotonic() + 30
        while http.get(f"/v1/sessions/{session}").status_code == 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert http.get(f"/v1/sessions/{session}").status_code == 404 and c.history(session) == []

        preflight = {"Origin": origin, "Access-Control-Request-Method": "POST"}
        allowed = http.options("/v1/sessions", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == origin
        elsewhere = http.options("/v1/sessions", headers={**preflight, "Origin": "https://other.example"})
        assert "access-control-allow-origin" not in elsewhere.headers
