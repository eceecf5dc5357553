"""Graph store settings, read from the environment and from the ``[graph]`` table of a config file.

>>> GraphSettings(neo4j_uri="bolt://db:7687", neo4j_password="pw").is_embedded
False

Precedence (highest first): explicit arguments, environment (``NEO4J_URI``, ``NEO4J_USER``,
``NEO4J_PASSWORD``, ``NEO4J_DATABASE``, ``WENZHEN_DATA_DIR``, ``WENZHEN_ARCADEDB_HEAP``), the config file
named by ``WENZHEN_CONFIG`` (default ``./wenzhen.toml`` when present), then the defaults below.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, ClassVar

import platformdirs
from pydantic import AliasChoices, Field
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

CONFIG_ENV = "WENZHEN_CONFIG"
DEFAULT_CONFIG_FILE = "wenzhen.toml"


def default_data_dir() -> Path:
    """Per-user directory for the embedded graph server, indexes and provisioned models."""
    return Path(os.environ.get("WENZHEN_DATA_DIR") or platformdirs.user_data_dir("wenzhen"))


def config_file_path() -> Path | None:
    """The config file in force: ``$WENZHEN_CONFIG`` (must exist) or ``./wenzhen.toml`` if present."""
    named = os.environ.get(CONFIG_ENV)
    if named:
        path = Path(named)
        if not path.is_file():
            raise FileNotFoundError(f"{CONFIG_ENV}={named}: no such config file")
        return path
    local = Path(DEFAULT_CONFIG_FILE)
    return local if local.is_file() else None


def read_config_table(table: str) -> dict[str, Any]:
    """One table of the TOML config file, or an empty dict when there is no file or no such table."""
    path = config_file_path()
    if path is None:
        return {}
    with path.open("rb") as handle:
        try:
            content = tomllib.load(handle)
        except tomllib.TOMLDecodeError as err:
            raise ValueError(f"{path}: not valid TOML: {err}") from err
    section = content.get(table, {})
    if not isinstance(section, dict):
        raise ValueError(f"{path}: [{table}] must be a table")
    return section


class TomlTableSource(PydanticBaseSettingsSource):
    """pydantic-settings source reading one ``[table]`` of the config file."""

    def __init__(self, settings_cls: type[BaseSettings], table: str) -> None:
        super().__init__(settings_cls)
        self._values = read_config_table(table)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._values.items() if k in self.settings_cls.model_fields}


class WenzhenSettings(BaseSettings):
    """Settings from init arguments, then the environment, then the ``[<config_table>]`` of the file."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)
    config_table: ClassVar[str]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlTableSource(settings_cls, cls.config_table)


class GraphSettings(WenzhenSettings):
    """Where the knowledge graph lives and how to reach it."""

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
    neo4j_database: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NEO4J_DATABASE", "neo4j_database"),
        description="Database name; the server's default when unset (embedded: 'wenzhen').",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        validation_alias=AliasChoices("WENZHEN_DATA_DIR", "data_dir"),
    )
    arcadedb_heap: str = Field(
        default="512m",
        validation_alias=AliasChoices("WENZHEN_ARCADEDB_HEAP", "arcadedb_heap"),
        description="Java heap of the embedded server (-Xmx).",
    )
    startup_timeout_s: float = 90.0

    @property
    def is_embedded(self) -> bool:
        return not self.neo4j_uri

    @property
    def embedded_dir(self) -> Path:
        return self.data_dir / "arcadedb"
