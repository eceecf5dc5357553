"""Prometheus metrics of one server process: requests, latency, turn kinds, the generation queue, tokens.

>>> from wenzhen.agent.gate import GenerationGate
>>> metrics = ServerMetrics(GenerationGate())
>>> metrics.turns.labels(kind="question").inc()
>>> b'wenzhen_turns_total{kind="question"} 1.0' in metrics.exposition()
True

Tokens per second is ``rate(wenzhen_generated_tokens_total) / rate(wenzhen_generation_seconds_total)``.
With several workers each process reports its own (scrape each, or sum them).
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from wenzhen.agent.gate import GenerationGate

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _Generation(Collector):
    def __init__(self, gate: GenerationGate) -> None:
        self.gate = gate

    def collect(self) -> Iterator[CounterMetricFamily]:
        yield CounterMetricFamily(
            "wenzhen_generated_tokens",
            "Text pieces generated (about one per token).",
            self.gate.generated_tokens,
        )
        yield CounterMetricFamily(
            "wenzhen_generation_seconds", "Time spent generating.", self.gate.generation_seconds
        )


class ServerMetrics:
    def __init__(self, gate: GenerationGate) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "wenzhen_http_requests", "HTTP requests.", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "wenzhen_http_request_seconds", "Time to the response's start.", ["route"], registry=self.registry
        )
        self.turns = Counter(
            "wenzhen_turns", "Consultation turns by reply kind.", ["kind"], registry=self.registry
        )
        queue = Gauge(
            "wenzhen_generation_queue_depth", "Answers generating or waiting to.", registry=self.registry
        )
        queue.set_function(lambda: gate.depth)
        self.registry.register(_Generation(gate))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
