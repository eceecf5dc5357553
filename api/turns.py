"""Consultation turns off the event loop: one turn per session at a time, cancelled when the client goes.

A turn runs on a worker thread (question turns take milliseconds; answers wait for the generation gate in
their own thread, so questions never queue behind them). :meth:`TurnRunner.reply` polls for a disconnected
client; :meth:`TurnRunner.stream` stops when its consumer does. Either way the turn's ``cancel`` event is set,
the generation stops and the session is left as it was before the message.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from wenzhen.agent.consultant import Consultant
from wenzhen.agent.session import Reply
from wenzhen.core.errors import WenzhenError

_POLL_SECONDS = 0.25
T = TypeVar("T")


class SessionBusy(WenzhenError):
    """A turn of this session is already in progress."""


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_END = object()


class TurnRunner:
    def __init__(self, consultant: Consultant, threads: int = 32) -> None:
        self.consultant = consultant
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="turn")
        self._sessions: set[str] = set()
        self._lock = threading.Lock()

    async def reply(self, session_id: str, text: str, disconnected: Callable[[], Awaitable[bool]]) -> Reply:
        cancel = threading.Event()
        future = self._start(session_id, lambda: self.consultant.reply(session_id, text, cancel))
        try:
            while True:
                done, _ = await asyncio.wait({future}, timeout=_POLL_SECONDS)
                if done:
                    return future.result()
                if not cancel.is_set() and await disconnected():
                    cancel.set()
        finally:
            if not future.done():
                cancel.set()

    async def stream(self, session_id: str, text: str) -> AsyncIterator[str | Reply]:
        """The pieces of :meth:`Consultant.stream`; the first is awaited before this returns, so a turn that
        fails at once (busy, bad input) raises here, before any response has been started."""
        pieces = self._pieces(session_id, text)
        first = await anext(pieces)

        async def rest() -> AsyncIterator[str | Reply]:
            yield first
            async for piece in pieces:
                yield piece

        return rest()

    async def _pieces(self, session_id: str, text: str) -> AsyncIterator[str | Reply]:
        cancel = threading.Event()
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()

        def produce() -> None:
            try:
                for piece in self.consultant.stream(session_id, text, cancel):
                    loop.call_soon_threadsafe(queue.put_nowait, piece)
            except BaseException as err:  # handed to the consumer
                loop.call_soon_threadsafe(queue.put_nowait, _Failed(err))
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, _END)

        future = self._start(session_id, produce)
        try:
            while (item := await queue.get()) is not _END:
                if isinstance(item, _Failed):
                    raise item.error
                assert isinstance(item, str | Reply)
                yield item
        finally:
            if not future.done():
                cancel.set()  # the consumer went away: stop generating, undo the turn

    def _start(self, session_id: str, work: Callable[[], T]) -> asyncio.Future[T]:
        """Run ``work`` on a turn thread, unless a turn of the session is running; the session is free again
        when the work has finished (a cancelled turn too, once it is undone)."""
        with self._lock:
            if session_id in self._sessions:
                raise SessionBusy(f"a turn of session {session_id} is in progress; wait for its reply")
            self._sessions.add(session_id)
        future = asyncio.get_running_loop().run_in_executor(self._executor, work)
        future.add_done_callback(lambda _: self._release(session_id))
        return future

    def _release(self, session_id: str) -> None:
        with self._lock:
            self._sessions.discard(session_id)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
