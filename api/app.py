"""The HTTP API: consultation sessions, an OpenAI-compatible chat endpoint, health and readiness.

>>> app = create_app(ServerSettings(), consultant=None)          # doctest: +SKIP
>>> uvicorn.run(app)                                              # doctest: +SKIP

``wenzhen serve`` runs it. Routes (OpenAPI at ``/docs``):

- ``POST /v1/sessions`` → ``{"session_id"}``; ``POST /v1/sessions/{id}/messages`` ``{"text"}`` → the reply
  (kind question / answer / emergency / declined, text, candidates, citations, the pending question);
  ``POST /v1/sessions/{id}/messages/stream``: the same as server-sent events (``token`` events as the answer
  is generated, then one ``reply`` event); ``GET /v1/sessions/{id}``: the history; ``DELETE`` removes it.
- ``POST /v1/chat/completions`` (stream or not) and ``GET /v1/models``, for the ``openai`` client and
  LangChain's ``ChatOpenAI``: the session is the ``X-Session-Id`` header, or the conversation the client
  resends; the reply, candidates and citations travel in the extra field ``wenzhen``.
- ``GET /v1/sessions/{id}/evidence``: the graph behind the ranking, to draw; ``/``: the consultation page.
- ``/healthz`` (the process is up), ``/readyz`` (graph reachable, generator loaded), ``/metrics``
  (Prometheus: requests, latency, turn kinds, the generation queue, generated tokens).

Every error is JSON ``{"error", "detail", "request_id"}``, never a traceback. Message text is not logged
unless ``log_messages`` is set.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wenzhen.agent.consultant import Consultant
from wenzhen.agent.evidence import EvidenceGraph
from wenzhen.agent.gate import Busy, TurnCancelled
from wenzhen.agent.session import Reply
from wenzhen.api.config import ServerSettings
from wenzhen.api.keys import KeyStore
from wenzhen.api.limits import BodyLimit, RateLimiter
from wenzhen.api.metrics import CONTENT_TYPE, ServerMetrics
from wenzhen.api.registry import SessionRegistry
from wenzhen.api.schemas import (
    ChatCompletionRequest,
    Extra,
    HistoryMessage,
    PatientMessage,
    Problem,
    SessionCreated,
    SessionHistory,
    completion,
    completion_chunk,
    conversation_digest,
    model_list,
)
from wenzhen.api.turns import SessionBusy, TurnRunner
from wenzhen.core.errors import ConfigError, InputError, ResourceMissing, ServiceUnavailable, WenzhenError

log = logging.getLogger("wenzhen.api")
WEB = Path(__file__).parent / "web"
"""The consultation page (``/``) and its files (``/static/…``)."""
LOCAL_CALLER = "local"


@dataclass
class Server:
    """What the routes share."""

    settings: ServerSettings
    consultant: Consultant
    registry: SessionRegistry
    keys: KeyStore
    runner: TurnRunner
    limiter: RateLimiter
    metrics: ServerMetrics
    started: float = field(default_factory=time.time)
    ready: dict[str, str] = field(default_factory=dict)
    """Component -> what keeps it from being ready; empty when ready."""


def create_app(
    settings: ServerSettings,
    consultant: Consultant | None = None,
    make_consultant: Callable[[], Consultant] | None = None,
) -> FastAPI:
    """The app over ``consultant``, or over the one ``make_consultant`` builds at start-up (and closes)."""
    settings.check()
    keys = KeyStore(settings.keys_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built = consultant if consultant is not None else await asyncio.to_thread(_required(make_consultant))
        server = Server(
            settings,
            built,
            SessionRegistry(settings.sessions_path),
            keys,
            TurnRunner(built),
            RateLimiter(settings.rate_limit),
            ServerMetrics(built.gate),
            ready={"generator": "loading"},
        )
        app.state.server = server
        warming = asyncio.create_task(_warm(server))
        purging = asyncio.create_task(_purge_forever(server))
        try:
            yield
        finally:
            for task in (warming, purging):
                task.cancel()
            server.runner.close()
            server.registry.close()
            if consultant is None:
                built.close()

    app = FastAPI(
        title="Wenzhen (问诊)",
        summary="Knowledge-graph and literature grounded Chinese medical consultation.",
        lifespan=lifespan,
        responses=ERRORS,
    )
    _install_errors(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Session-Id", "X-Api-Key"],
            expose_headers=["X-Session-Id", "X-Request-Id"],
        )
    app.add_middleware(RequestLog)  # added last: outermost, so every response has a request id
    _add_routes(app)
    app.mount("/static", StaticFiles(directory=WEB), name="static")
    return app


def _required(make: Callable[[], Consultant] | None) -> Callable[[], Consultant]:
    if make is None:
        raise ConfigError("create_app needs a consultant or a way to make one")
    return make


# --- start-up work -----------------------------------------------------------------------------------------
async def _warm(server: Server) -> None:
    """Load the local generator's weights before the first answer needs them."""
    try:
        await asyncio.to_thread(server.consultant.warm_up)
        server.ready.pop("generator", None)
    except Exception as err:  # readiness reports it
        server.ready["generator"] = f"cannot load: {err}"


async def _purge_forever(server: Server) -> None:
    retention = server.settings.retention_hours * 3600
    while True:
        removed = await asyncio.to_thread(_purge, server, time.time() - retention)
        if removed:
            log.info(json.dumps({"event": "sessions_expired", "count": removed}))
        await asyncio.sleep(max(1.0, min(600.0, retention / 10)))


def _purge(server: Server, before: float) -> int:
    expired = server.registry.untouched_since(before)
    for session_id in expired:
        server.consultant.delete_session(session_id)
        server.registry.delete(session_id)
    return len(expired)


# --- requests: who calls, logging, errors --------------------------------------------------------------
def _server(request: Request) -> Server:
    server: Server = request.app.state.server
    return server


def _caller(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> str:
    """The API key's name (``local`` when keys are not required), after the caller's rate limit."""
    server = _server(request)
    key = x_api_key or (authorization or "").removeprefix("Bearer ").strip() or None
    if server.settings.auth_required:
        name = server.keys.verify(key) if key else None
        if name is None:
            reason = "invalid API key" if key else "an API key is required (Authorization: Bearer <key>)"
            raise HTTPException(401, reason, headers={"WWW-Authenticate": "Bearer"})
    else:
        name = LOCAL_CALLER
    request.state.caller = name
    wait = server.limiter.wait(name)
    if wait > 0:
        raise HTTPException(429, "rate limit reached", headers={"Retry-After": str(max(1, round(wait)))})
    return name


Caller = Annotated[str, Depends(_caller)]


class RequestLog:
    """ASGI middleware: a request id (the client's ``X-Request-Id`` if sane) in ``request.state`` and the
    response, one JSON log line per request, and the request metrics by route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if given.isalnum() and len(given) <= 64 else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-Id", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, state, request_id, status, time.perf_counter() - started)

    @staticmethod
    def _record(scope: Scope, state: dict[str, Any], request_id: str, status: int, elapsed: float) -> None:
        route = getattr(scope.get("route"), "path", "(unrouted)")  # a template: no session ids
        server: Server | None = getattr(scope["app"].state, "server", None)
        if server is not None:
            server.metrics.requests.labels(scope["method"], route, str(status)).inc()
            server.metrics.latency.labels(route).observe(elapsed)
        line = {
            "event": "request",
            "request_id": request_id,
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "ms": round(elapsed * 1000, 1),
            "caller": state.get("caller"),
        }
        log.info(json.dumps(line))


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": description}
    for status, description in (
        (400, "Bad input (e.g. a message over 2,000 characters)"),
        (401, "No or an invalid API key"),
        (404, "No such session (or another key's)"),
        (409, "A turn of this session is in progress"),
        (413, "Request body too large"),
        (422, "Request that does not validate"),
        (429, "Rate limit reached (Retry-After)"),
        (503, "Generator busy (Retry-After) or a server unavailable"),
    )
}
"""Every error, documented for every route: JSON ``{"error", "detail", "request_id"}``."""
EVENTS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "Server-sent events"}
}

_STATUS: list[tuple[type[Exception], int, str]] = [
    (Busy, 503, "busy"),
    (SessionBusy, 409, "turn_in_progress"),
    (TurnCancelled, 499, "cancelled"),
    (InputError, 400, "bad_input"),
    (ServiceUnavailable, 503, "unavailable"),
    (ResourceMissing, 503, "not_ready"),
    (ConfigError, 500, "misconfigured"),
    (WenzhenError, 500, "failed"),
]


def problem(request: Request, status: int, error: str, detail: str, **headers: str) -> JSONResponse:
    request_id = getattr(request.state, "request_id", "")
    body = {"error": error, "detail": detail, "request_id": request_id}
    return JSONResponse(body, status_code=status, headers=headers or None)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(WenzhenError)
    async def wenzhen_error(request: Request, err: Exception) -> JSONResponse:
        status, error = next((s, e) for kind, s, e in _STATUS if isinstance(err, kind))
        headers = {"Retry-After": str(err.retry_after)} if isinstance(err, Busy) else {}
        if status >= 500:
            log.warning(json.dumps({"event": "failed", "error": error, "detail": str(err)}))
        return problem(request, status, error, str(err), **headers)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: Exception) -> JSONResponse:
        assert isinstance(err, HTTPException)
        error = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}
        return problem(
            request,
            err.status_code,
            error.get(err.status_code, "http_error"),
            str(err.detail),
            **(err.headers or {}),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: Exception) -> JSONResponse:
        assert isinstance(err, RequestValidationError)
        problems = "; ".join(  # never echo the input: it may be a patient's words
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        return problem(request, 422, "invalid_request", problems)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, err: Exception) -> JSONResponse:
        request_id = getattr(request.state, "request_id", "")
        log.error(json.dumps({"event": "error", "request_id": request_id, "kind": type(err).__name__}))
        return problem(request, 500, "internal", "internal error; quote the request id when reporting it")


# --- routes --------------------------------------------------------------------------------------------
def _owned(server: Server, session_id: str, caller: str) -> None:
    """404 for a session that does not exist or is another caller's (the same answer for both)."""
    if server.registry.owner(session_id) != caller:
        raise HTTPException(404, f"no session {session_id}")


def _logged_text(server: Server, text: str) -> None:
    if server.settings.log_messages:
        log.info(json.dumps({"event": "message", "text": text}, ensure_ascii=False))


def _taking(request: Request, session_id: str, caller: str, text: str) -> Server:
    """The server, once the caller's session is to take in ``text``."""
    server = _server(request)
    _owned(server, session_id, caller)
    _logged_text(server, text)
    return server


def _replied(server: Server, session_id: str, reply: Reply) -> None:
    server.registry.touch(session_id)
    server.metrics.turns.labels(reply.kind).inc()


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _add_routes(app: FastAPI) -> None:
    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        server = _server(request)
        problems = dict(server.ready)
        try:
            await asyncio.to_thread(server.consultant.tools.kg.store.read, "RETURN 1 AS ok")
        except Exception as err:
            problems["graph"] = f"unreachable: {err}"
        literature = "loaded" if server.consultant.tools.searcher is not None else "none (no index built)"
        body = {"ready": not problems, "problems": problems, "literature": literature}
        return JSONResponse(body, status_code=200 if not problems else 503)

    @app.post("/v1/sessions", status_code=201)
    async def create_session(request: Request, caller: Caller) -> SessionCreated:
        server = _server(request)
        session_id = server.consultant.start_session()
        await asyncio.to_thread(server.registry.create, session_id, caller)
        return SessionCreated(session_id=session_id)

    @app.post("/v1/sessions/{session_id}/messages")
    async def post_message(
        request: Request, session_id: str, message: PatientMessage, caller: Caller
    ) -> Reply:
        server = _taking(request, session_id, caller, message.text)
        reply = await server.runner.reply(session_id, message.text, request.is_disconnected)
        _replied(server, session_id, reply)
        return reply

    @app.post("/v1/sessions/{session_id}/messages/stream", response_class=StreamingResponse, responses=EVENTS)
    async def stream_message(
        request: Request, session_id: str, message: PatientMessage, caller: Caller
    ) -> StreamingResponse:
        server = _taking(request, session_id, caller, message.text)
        pieces = await server.runner.stream(session_id, message.text)

        async def events() -> AsyncIterator[str]:
            async for piece in pieces:
                if isinstance(piece, Reply):
                    _replied(server, session_id, piece)
                    yield _sse("reply", piece.model_dump(mode="json"))
                elif piece:
                    yield _sse("token", {"text": piece})

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.get("/v1/sessions/{session_id}")
    async def read_history(request: Request, session_id: str, caller: Caller) -> SessionHistory:
        server = _server(request)
        _owned(server, session_id, caller)
        history = await asyncio.to_thread(server.consultant.history, session_id)
        return SessionHistory(
            session_id=session_id, messages=[HistoryMessage.model_validate(m) for m in history]
        )

    @app.delete("/v1/sessions/{session_id}", status_code=204)
    async def delete_session(request: Request, session_id: str, caller: Caller) -> Response:
        server = _server(request)
        _owned(server, session_id, caller)
        await asyncio.to_thread(server.consultant.delete_session, session_id)
        await asyncio.to_thread(server.registry.delete, session_id)
        return Response(status_code=204)

    @app.get("/v1/sessions/{session_id}/evidence")
    async def evidence(request: Request, session_id: str, caller: Caller) -> EvidenceGraph:
        """The graph behind the ranking: leading diseases, reported symptoms, checks, departments."""
        server = _server(request)
        _owned(server, session_id, caller)
        return await asyncio.to_thread(server.consultant.evidence, session_id)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(WEB / "index.html")

    @app.get(
        "/metrics",
        response_class=Response,
        responses={200: {"content": {"text/plain": {}}, "description": "Prometheus exposition"}},
    )
    async def metrics(request: Request, caller: Caller) -> Response:
        return Response(_server(request).metrics.exposition(), media_type=CONTENT_TYPE)

    @app.get("/v1/models")
    async def models(request: Request, caller: Caller) -> dict[str, Any]:
        server = _server(request)
        return model_list(server.settings.model_name, int(server.started))

    @app.post(
        "/v1/chat/completions",
        response_model=None,
        responses={200: {"content": {"application/json": {}, "text/event-stream": {}}}},
    )
    async def chat_completions(
        request: Request,
        body: ChatCompletionRequest,
        caller: Caller,
        x_session_id: Annotated[str | None, Header()] = None,
    ) -> JSONResponse | StreamingResponse:
        server = _server(request)
        if len(body.messages) > server.settings.max_messages:
            raise InputError(f"{len(body.messages)} messages (at most {server.settings.max_messages})")
        said: list[tuple[str, str]] = [(m.role, m.text) for m in body.messages]
        if said[-1][0] != "user" or not said[-1][1].strip():
            raise InputError("the last message must be the patient's (role user, with text)")
        session_id, text = await asyncio.to_thread(_session_of, server, caller, said, x_session_id)
        _logged_text(server, text)
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        headers = {"X-Session-Id": session_id}

        def finished(reply: Reply) -> Extra:
            _replied(server, session_id, reply)
            server.registry.remember(
                conversation_digest(caller, [*said, ("assistant", reply.text)]), session_id
            )
            return Extra(session_id=session_id, reply=reply)

        if not body.stream:
            reply = await server.runner.reply(session_id, text, request.is_disconnected)
            return JSONResponse(
                completion(completion_id, created, body.model, finished(reply)), headers=headers
            )
        pieces = await server.runner.stream(session_id, text)

        async def chunks() -> AsyncIterator[str]:
            async for piece in pieces:
                if isinstance(piece, Reply):
                    chunk = completion_chunk(completion_id, created, body.model, None, finished(piece))
                elif piece:
                    chunk = completion_chunk(completion_id, created, body.model, piece)
                else:
                    continue
                yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream", headers=headers)


def _session_of(
    server: Server, caller: str, said: list[tuple[str, str]], named: str | None
) -> tuple[str, str]:
    """The session a chat-completions request continues, and the text to take in.

    Named by ``X-Session-Id`` (new, or the caller's; another caller's is 404); else the conversation before
    the last message is one this server replied to; else a new session, which takes every patient message
    of the conversation as its opening (a client that edited its history starts over with all it said).
    """
    text = said[-1][1]
    if named is not None:
        if server.registry.owner(named) is None:
            server.registry.create(named, caller)  # a client may name its own new session
        _owned(server, named, caller)
        return named, text
    if len(said) > 1 and (known := server.registry.continued(conversation_digest(caller, said[:-1]), caller)):
        return known, text
    session_id = server.consultant.start_session()
    server.registry.create(session_id, caller)
    opening = "。".join(t.strip().rstrip("。") for role, t in said if role == "user" and t.strip())
    return session_id, opening
