"""Graph store settings, from the environment and from the ``[graph]`` table of the config file.

>>> GraphSettings(neo4j_uri="bolt://db:7687", neo4j_password="pw").is_embedded
False

Precedence (highest first): arguments, environment (``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``,
``NEO4J_DATABASE`` as other Neo4j tools name them, and ``NEO4J_READ_USER``, ``NEO4J_READ_PASSWORD``;
``WENZHEN_DATA_DIR``, ``WENZHEN_ARCADEDB_HEAP``, ``WENZHEN_STARTUP_TIMEOUT_S``, ``WENZHEN_READ_TIMEOUT_S``),
the config file's ``[graph]`` table, then the defaults below.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field

from wenzhen.core.settings import WenzhenSettings, default_data_dir


class GraphSettings(WenzhenSettings):
    """Where the knowledge graph lives and how to reach it (the connection under the names other Neo4j tools
    read: ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``)."""

    config_table = "graph"

    neo4j_uri: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NEO4J_URI", "neo4j_uri"),
        description="Bolt URI of a Neo4j (or compatible) server; unset: start the embedded ArcadeDB.",
    )
    neo4j_user: str = Field(default="neo4j", validation_alias=AliasChoices("NEO4J_USER", "neo4j_user"))
    neo4j_password: str | None = Field(
        default=None, validation_alias=AliasChoices("NEO4J_PASSWORD", "neo4j_password")
    )
    neo4j_read_user: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NEO4J_READ_USER", "neo4j_read_user"),
        description="A read-only user of your Neo4j (reader role) for queries and the agent; unset: the user "
        "above, in READ access mode. The embedded server always has its own read-only user.",
    )
    neo4j_read_password: str | None = Field(
        default=None, validation_alias=AliasChoices("NEO4J_READ_PASSWORD", "neo4j_read_password")
    )
    neo4j_database: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NEO4J_DATABASE", "neo4j_database"),
        description="Database name; the server's default when unset (embedded: 'wenzhen').",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="The embedded server's graph and the load checkpoints (default: the data dir).",
    )
    arcadedb_heap: str = Field(default="512m", description="Java heap of the embedded server (-Xmx).")
    startup_timeout_s: float = Field(
        default=90.0, gt=0, description="Seconds to wait for the embedded server."
    )
    read_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="Server-side limit on one read by the embedded server's read-only user (set when the "
        "server starts); `kg query --timeout` also stops a query client-side.",
    )

    @property
    def is_embedded(self) -> bool:
        return not self.neo4j_uri

    @property
    def embedded_dir(self) -> Path:
        return self.data_dir / "arcadedb"
