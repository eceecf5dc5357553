"""The Python API: hold a consultation.

>>> with Consultant.from_config() as consultant:                      # doctest: +SKIP
...     session = consultant.start_session()
...     reply = consultant.reply(session, "我最近右上腹隐痛，还乏力")
...     reply.kind, reply.text
('question', '除此之外，还有哪些不舒服？')

With no configuration it uses the embedded graph store (load the demo KG first: ``wenzhen kg load --demo``),
the demo literature index if built (``wenzhen index build --demo``) and the demo model. A user's Neo4j,
index, model folder or OpenAI-compatible server come from the settings (``[graph]``, ``[retrieval]``,
``[generator]``, ``[agent]`` tables or ``NEO4J_URI``, ``WENZHEN_*``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Generator, Iterator
from contextlib import ExitStack, closing, contextmanager, nullcontext
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from wenzhen.agent.answer_model import AnswerModel
from wenzhen.agent.answer_policy import AnswerModelPolicy
from wenzhen.agent.case_inquiry import CaseInquiryParameters
from wenzhen.agent.config import AgentSettings
from wenzhen.agent.evidence import EvidenceGraph, evidence_graph
from wenzhen.agent.gate import GenerationGate
from wenzhen.agent.graph import ConsultationGraph, emergency_reply, symptom_names
from wenzhen.agent.inquiry import DiseaseIndex, InquiryParameters, InquiryPolicy, Policy
from wenzhen.agent.session import ConsultState, Reply, inquiry_state
from wenzhen.agent.tools import ConsultationTools
from wenzhen.agent.triage import Triage, meaning_layer
from wenzhen.core.errors import ConfigError, InputError, ServiceUnavailable
from wenzhen.kg_loader.config import GraphSettings
from wenzhen.kg_loader.store import GraphStore, connect
from wenzhen.retrieval.concept_meaning import ConceptMeaning
from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.embedder import load_query_embedder
from wenzhen.retrieval.indexer import model_name
from wenzhen.retrieval.kg import KGRetriever
from wenzhen.retrieval.search import LiteratureSearcher


def inquiry_parameters(settings: AgentSettings) -> InquiryParameters:
    return InquiryParameters(
        confidence=settings.confidence,
        max_questions=settings.max_questions,
        open_questions=settings.open_questions,
        min_gain=settings.min_gain,
    )


def make_chat_model(settings: AgentSettings) -> BaseChatModel:
    """The OpenAI-compatible server when configured, else the local model (``[generator]`` settings)."""
    if settings.openai_base_url:
        from wenzhen.finetune.chat_model import openai_compatible_chat_model

        return openai_compatible_chat_model(
            settings.openai_base_url, settings.openai_model, settings.openai_api_key, temperature=0
        )
    from wenzhen.finetune.chat_model import WenzhenChatModel
    from wenzhen.finetune.config import GeneratorSettings

    generator = GeneratorSettings()
    # The demo is the demo model with its shipped adapter (WENZHEN_ADAPTER=none for the bare model); the
    # llama.cpp backend runs the demo GGUF as it is.
    demo = generator.model is None and generator.backend == "transformers"
    adapter = generator.adapter or ("demo" if demo else None)
    return WenzhenChatModel(
        model=generator.model,
        adapter=adapter,
        trust_remote_code=generator.trust_remote_code,
        backend=generator.backend,
        gguf=generator.gguf,
        threads=generator.threads,
        max_tokens=settings.max_new_tokens,
        repetition_penalty=1.1,
    )


@contextmanager
def generator_errors(server: str | None) -> Iterator[None]:
    """A chat model that fails the way a provider reports it (LangChain's ``ModelError`` kinds: unreachable,
    refused credentials, unknown model, ...) as a Wenzhen error naming the ``server`` (None: a local one)."""
    try:
        yield
    except ModelError as err:
        where = f"the model server {server}" if server else "the generator"
        if isinstance(err, ModelAuthenticationError | ModelPermissionDeniedError | ModelNotFoundError):
            raise ConfigError(
                f"{where} refused the request ({err}); check the model name and the API key"
            ) from err
        if isinstance(err, ModelConnectionError | ModelTimeoutError | ModelAPIError | ModelRateLimitError):
            raise ServiceUnavailable(f"{where} cannot be reached or failed ({err}); is it running?") from err
        raise


def open_literature(settings: RetrievalSettings) -> LiteratureSearcher | None:
    """The literature searcher, or None when no index has been built."""
    from wenzhen.retrieval.store import LiteratureIndex

    if not LiteratureIndex.exists(settings.index_dir):
        return None
    from wenzhen.retrieval.embedder import load_query_embedder

    return LiteratureSearcher(LiteratureIndex.open(settings.index_dir), load_query_embedder(settings))


def make_checkpointer(sessions: str, stack: ExitStack) -> BaseCheckpointSaver[Any]:
    """In memory; in PostgreSQL (``postgresql://…``, shared by every process that names it); or in a
    SQLite file whose deleted pages are overwritten (a deleted session is gone)."""
    if sessions == "memory":
        return InMemorySaver()
    if sessions.startswith(("postgresql://", "postgres://")):
        return _postgres_checkpointer(sessions, stack)
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = Path(sessions).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = stack.enter_context(closing(sqlite3.connect(path, check_same_thread=False)))
    connection.execute("PRAGMA secure_delete = ON")
    connection.execute("PRAGMA synchronous = NORMAL")  # WAL: durable but for the last turns on power loss
    return SqliteSaver(connection)


SETUP_LOCK = 0x77656E7A68656E  # "wenzhen": the advisory lock key under which the sessions tables are set up


@contextmanager
def setup_turn(connection: Any, wait_s: float = 120.0) -> Iterator[None]:
    """One worker at a time sets up (creates or migrates) the sessions tables: workers starting together
    would each insert the same migration rows, and one would die of a unique violation. The others wait for
    the advisory lock between statements, not inside one — the setup's CREATE INDEX CONCURRENTLY waits for
    every open statement to end, so a worker blocked in pg_advisory_lock would wait for it forever."""
    deadline = time.monotonic() + wait_s
    while not connection.execute("SELECT pg_try_advisory_lock(%s) AS got", (SETUP_LOCK,)).fetchone()["got"]:
        if time.monotonic() > deadline:
            raise ServiceUnavailable(
                f"another worker has been setting up the sessions tables for {wait_s:g} s"
            )
        time.sleep(0.1)
    try:
        yield
    finally:
        connection.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))


def _postgres_checkpointer(url: str, stack: ExitStack) -> BaseCheckpointSaver[Any]:
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg import OperationalError
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool, PoolTimeout
    except ImportError as err:
        raise ConfigError(
            f"sessions in PostgreSQL need the postgres extra: pip install 'wenzhen[postgres]' ({err})"
        ) from err
    pool = ConnectionPool(
        url,
        min_size=1,
        max_size=8,
        open=False,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    )
    try:
        pool.open(wait=True, timeout=15)
        saver = PostgresSaver(pool)  # type: ignore[arg-type]
        with pool.connection() as connection, setup_turn(connection):
            saver.setup()
    except (OperationalError, PoolTimeout) as err:
        pool.close()
        raise ServiceUnavailable(
            f"cannot reach the sessions database ({err}); is PostgreSQL running?"
        ) from err
    stack.callback(pool.close)
    return saver


class Consultant:
    """Multi-turn consultations over one graph store, literature index and generator."""

    def __init__(
        self,
        store: GraphStore,
        chat_model: BaseChatModel,
        searcher: LiteratureSearcher | None = None,
        settings: AgentSettings | None = None,
        triage: Triage | None = None,
        gate: GenerationGate | None = None,
    ) -> None:
        self.settings = settings or AgentSettings()
        self._stack = ExitStack()
        kg = KGRetriever(store)
        self.policy = self._policy(kg)
        self.tools = ConsultationTools(kg, self.policy, searcher, self.settings.kg_facts_per_disease)
        retrieval = RetrievalSettings()
        embedder = searcher.model if searcher is not None else load_query_embedder(retrieval)
        kg.meaning = ConceptMeaning.build(
            kg.concepts, embedder, model_name(retrieval), retrieval.cache_dir
        ).link
        self.triage = triage or Triage.load(
            symptoms=symptom_names(self.tools), meaning=meaning_layer(retrieval, embedder)
        )
        self.checkpointer = make_checkpointer(self.settings.sessions, self._stack)
        self.gate = gate or GenerationGate()
        self.graph = ConsultationGraph(
            self.tools, self.policy, self.triage, chat_model, self.settings, self.checkpointer, self.gate
        )

    def _policy(self, kg: KGRetriever) -> Policy:
        """Over the whole graph, or over the fitted answer model the settings name."""
        if self.settings.answer_model is None:
            index = DiseaseIndex(kg.concept_profiles())
            return InquiryPolicy(index, inquiry_parameters(self.settings), kg.concepts.with_broader)
        model = AnswerModel.load(self.settings.answer_model)
        parameters = CaseInquiryParameters(max_questions=self.settings.max_questions)
        return AnswerModelPolicy(model, kg.concepts_named, parameters)

    @classmethod
    def from_config(
        cls, settings: AgentSettings | None = None, gate: GenerationGate | None = None
    ) -> Consultant:
        """Everything from settings (init arguments, environment, config file); no configuration: demo."""
        settings = settings or AgentSettings()
        store = connect(GraphSettings(), read_only=True)  # the agent only reads: the server enforces it
        try:
            consultant = cls(
                store, make_chat_model(settings), open_literature(RetrievalSettings()), settings, gate=gate
            )
        except BaseException:
            store.close()
            raise
        consultant._stack.callback(store.close)
        return consultant

    def warm_up(self) -> None:
        """Load a local generator now (built on first use for the demo), not at the first answer."""
        from wenzhen.finetune.chat_model import WenzhenChatModel

        if isinstance(self.graph.chat_model, WenzhenChatModel):
            self.graph.chat_model.generator()

    def start_session(self) -> str:
        return uuid.uuid4().hex

    def reply(self, session_id: str, text: str, cancel: threading.Event | None = None) -> Reply:
        """One patient message in; a question, an answer, an emergency notice or a decline out. A turn that
        fails (or is cancelled through ``cancel``) leaves the session as it was before the message."""
        message = self._checked(session_id, text)
        if isinstance(message, Reply):
            return message
        with self._turn(session_id), generator_errors(self.settings.openai_base_url):
            state = self.graph.compiled.invoke({"message": message}, self._config(session_id, cancel))
        return Reply.model_validate(state["reply"])

    def stream(
        self, session_id: str, text: str, cancel: threading.Event | None = None
    ) -> Iterator[str | Reply]:
        """Answer tokens as they are generated, then the rest of the reply's text (the disclaimer), then the
        Reply; questions and notices arrive whole. The pieces joined are the reply's text. Closing the
        iterator early cancels the turn."""
        message = self._checked(session_id, text)
        if isinstance(message, Reply):
            yield message.text
            yield message
            return
        streamed = ""
        final: dict[str, Any] = {}
        cancel = cancel or threading.Event()
        with self._turn(session_id, cancel), generator_errors(self.settings.openai_base_url):
            parts = cast(
                Generator[tuple[str, Any]],
                self.graph.compiled.stream(
                    {"message": message}, self._config(session_id, cancel), stream_mode=["custom", "values"]
                ),
            )
            with closing(parts):
                for mode, data in parts:
                    if mode == "custom":
                        streamed += str(data)
                        yield str(data)
                    elif isinstance(data, dict):
                        final = data
        reply = Reply.model_validate(final["reply"])
        shown = streamed.rstrip()
        yield reply.text[len(shown) :] if reply.text.startswith(shown) else "\n" + reply.text
        yield reply

    def history(self, session_id: str) -> list[dict[str, str]]:
        values = self.graph.compiled.get_state(self._config(session_id)).values
        return list(values.get("history", []))

    def evidence(self, session_id: str, limit: int = 3) -> EvidenceGraph:
        """The graph behind the session's current ranking (its ``limit`` leading diseases), to draw."""
        values = cast(ConsultState, self.graph.compiled.get_state(self._config(session_id)).values)
        inquiry = inquiry_state(values)
        ranking = self.policy.ranking(inquiry, limit) if inquiry.present else []
        kg = self.tools.kg
        return evidence_graph(ranking, inquiry.present, inquiry.absent, kg.facts, kg.concepts_named)

    def delete_session(self, session_id: str) -> None:
        """Remove everything kept about a session: its rows, and in a SQLite file the pages and the
        write-ahead log that held them."""
        self.checkpointer.delete_thread(session_id)
        connection = getattr(self.checkpointer, "conn", None)
        if isinstance(connection, sqlite3.Connection):
            with getattr(self.checkpointer, "lock", nullcontext()):
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Consultant:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def _checked(self, session_id: str, text: str) -> str | Reply:
        """The message to take in; for one too long to take in, the emergency reply if triage finds a red
        flag in it (with the conversation before it), else an :class:`InputError`."""
        text = text.strip()
        if not text:
            raise InputError("empty message")
        if len(text) <= MAX_MESSAGE_CHARS:
            return text
        said = [m["content"] for m in self.history(session_id) if m["role"] == "user"]
        result = self.triage.check([*said, text])
        if result is not None and result.level == "emergency":
            return emergency_reply(result)
        raise InputError(f"message too long: {len(text)} characters (at most {MAX_MESSAGE_CHARS})")

    @contextmanager
    def _turn(self, session_id: str, cancel: threading.Event | None = None) -> Iterator[None]:
        """Undo a turn that does not complete: its generation stops (``cancel`` is set) and the session goes
        back to its state before the message."""
        before = self.graph.compiled.get_state(self._config(session_id)).config
        try:
            yield
        except BaseException:
            if cancel is not None:
                cancel.set()
            if before.get("configurable", {}).get("checkpoint_id"):
                self.graph.compiled.update_state(before, None)
            else:
                self.checkpointer.delete_thread(session_id)
            raise

    @staticmethod
    def _config(session_id: str, cancel: threading.Event | None = None) -> Any:
        return {"configurable": {"thread_id": session_id, "cancel": cancel}}


MAX_MESSAGE_CHARS = 2000
