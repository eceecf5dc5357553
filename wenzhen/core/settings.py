"""Settings: typed, from init arguments, then ``WENZHEN_*`` environment variables, then one table of the
TOML config file, then the defaults.

>>> PathSettings(data_dir="/srv/wenzhen").reports_dir
PosixPath('/srv/wenzhen/reports')

A settings class names its table (``config_table``); its fields read ``WENZHEN_<FIELD>`` (case-insensitive)
and ``<field>`` in that table. Only the graph connection also reads the ``NEO4J_*`` names other Neo4j tools
use. The config file is ``$WENZHEN_CONFIG`` (which must exist) or ``./wenzhen.toml`` when present.
A value that does not validate raises :class:`ConfigError` naming the setting and where it came from.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, ClassVar

import platformdirs
from pydantic import Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from wenzhen.core.errors import ConfigError

ENV_PREFIX = "WENZHEN_"
CONFIG_ENV = "WENZHEN_CONFIG"
DEFAULT_CONFIG_FILE = "wenzhen.toml"


def config_file_path() -> Path | None:
    """The config file in force: ``$WENZHEN_CONFIG`` (must exist) or ``./wenzhen.toml`` if present."""
    named = os.environ.get(CONFIG_ENV)
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"{CONFIG_ENV}={named}: no such config file")
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
            raise ConfigError(f"{path}: not valid TOML: {err}") from err
    section = content.get(table, {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [{table}] must be a table")
    return section


def given(**values: Any) -> dict[str, Any]:
    """The arguments that were given: None means "not set", so the environment or the file decides.

    >>> given(model=None, adapter="demo")
    {'adapter': 'demo'}
    """
    return {name: value for name, value in values.items() if value is not None}


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
    """Base of every settings class: ``WENZHEN_<FIELD>`` from the environment, ``[config_table]`` from the
    config file. Arguments left as None are treated as not given, so an unset command-line option never
    overrides the environment or the file."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")
    config_table: ClassVar[str]

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**given(**values))
        except ValidationError as err:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in e['loc']) or '?'}: {e['msg']} (got {e.get('input')!r})"
                for e in err.errors()
            )
            raise ConfigError(
                f"invalid {type(self).config_table} settings: {problems} "
                f"(from arguments, {ENV_PREFIX}* variables or the [{type(self).config_table}] table)"
            ) from err

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


class PathSettings(WenzhenSettings):
    """Where Wenzhen keeps its data (graph server, index, checkpoints, reports) and its built models."""

    config_table = "paths"

    data_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir("wenzhen")),
        description="Embedded graph server, literature index, load checkpoints, reports.",
    )
    cache_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_cache_dir("wenzhen")),
        description="Models built from installed packages (the demo generator, the default embedder).",
    )

    @property
    def reports_dir(self) -> Path:
        """Where problem reports (``*.issues.jsonl``) go."""
        return self.data_dir / "reports"


def default_data_dir() -> Path:
    """``WENZHEN_DATA_DIR``, ``[paths] data_dir``, or the per-user data directory."""
    return PathSettings().data_dir


def default_cache_dir() -> Path:
    """``WENZHEN_CACHE_DIR``, ``[paths] cache_dir``, or the per-user cache directory."""
    return PathSettings().cache_dir
