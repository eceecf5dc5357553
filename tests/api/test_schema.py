"""The HTTP API keeps to its own OpenAPI schema: schemathesis generates requests for every operation
(bounded), against the real server; no 5xx, documented status codes and content types, bodies that match."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_server import served, settings_for
from wenzhen.kg_loader.store import GraphStore
from wenzhen.retrieval.search import LiteratureSearcher


def test_every_operation_keeps_to_the_schema(
    demo_graph: GraphStore, tiny_model_dir: Path, searcher: LiteratureSearcher, tmp_path: Path
) -> None:
    with served(demo_graph, tiny_model_dir, searcher, settings_for(tmp_path, rate_limit=100_000)) as (_, url):
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
        results = list(schema.get_all_operations())
        operations = [result.ok() for result in results if isinstance(result, Ok)]
        assert len(operations) == len(results)  # every operation's schema is valid
        assert len(operations) >= 10  # sessions, messages, stream, history, delete, evidence, chat, models …

        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def keeps_to_the_schema(case: Any) -> None:
                case.call_and_validate(checks=CHECKS)

            keeps_to_the_schema()


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
