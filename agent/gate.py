"""The generator as one bounded resource: a few turns generate at once, a few more wait, the rest are turned
away at once (never left hanging); and a turn's generation can be cancelled.

>>> gate = GenerationGate(slots=1, queue=0)
>>> with gate.slot():
...     try:
...         with gate.slot():
...             pass
...     except Busy as busy:
...         print(busy.retry_after)
5

Only answers generate: question turns never pass the gate, so they never wait behind answers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from wenzhen.core.errors import ServiceUnavailable, WenzhenError


class Busy(ServiceUnavailable):
    """Every generation slot is taken and the queue is full: try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TurnCancelled(WenzhenError):
    """The turn was cancelled (its client went away) before its reply was complete."""


class GenerationGate:
    """``slots`` generations at once, at most ``queue`` more waiting for one."""

    def __init__(self, slots: int = 1, queue: int = 4, retry_after: int = 5) -> None:
        self.slots, self.queue, self.retry_after = slots, queue, retry_after
        self._condition = threading.Condition()
        self._running = 0
        self._waiting = 0
        self.generated_tokens = 0
        """Pieces of text generated through the gate (about one per token), for the server's metrics."""
        self.generation_seconds = 0.0
        """Time spent generating them."""

    def record(self, tokens: int, seconds: float) -> None:
        with self._condition:
            self.generated_tokens += tokens
            self.generation_seconds += seconds

    @property
    def depth(self) -> int:
        """Generations running or waiting."""
        with self._condition:
            return self._running + self._waiting

    @contextmanager
    def slot(self, cancel: threading.Event | None = None) -> Iterator[None]:
        """Hold a generation slot; :class:`Busy` at once when the queue is full, :class:`TurnCancelled` if
        ``cancel`` is set while waiting."""
        with self._condition:
            if self._running >= self.slots and self._waiting >= self.queue:
                raise Busy(
                    f"the generator is busy ({self._running} generating, {self._waiting} waiting)",
                    self.retry_after,
                )
            self._waiting += 1
            try:
                while self._running >= self.slots:
                    if cancel is not None and cancel.is_set():
                        raise TurnCancelled("cancelled while waiting for the generator")
                    self._condition.wait(timeout=0.1)
            finally:
                self._waiting -= 1
            self._running += 1
        try:
            yield
        finally:
            with self._condition:
                self._running -= 1
                self._condition.notify()
