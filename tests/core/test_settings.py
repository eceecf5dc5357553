"""Settings: ``WENZHEN_<FIELD>`` variables, then the config file's table, then defaults; bare names are not
read; an argument left as None never overrides; a bad value is a ConfigError naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from wenzhen.core.errors import ConfigError
from wenzhen.core.settings import PathSettings, WenzhenSettings, default_data_dir


class ExampleSettings(WenzhenSettings):
    config_table = "example"

    model: str | None = None
    batch_size: int = Field(default=32, ge=1)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WENZHEN_CONFIG", "WENZHEN_MODEL", "WENZHEN_BATCH_SIZE", "WENZHEN_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


def test_only_prefixed_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL", "/bare/model")
    monkeypatch.setenv("BATCH_SIZE", "7")
    monkeypatch.setenv("DATA_DIR", "/bare/data")
    assert (ExampleSettings().model, ExampleSettings().batch_size) == (None, 32)
    assert default_data_dir() != Path("/bare/data")
    monkeypatch.setenv("WENZHEN_MODEL", "/models/disc")
    monkeypatch.setenv("wenzhen_batch_size", "7")  # case does not matter, the prefix does
    assert (ExampleSettings().model, ExampleSettings().batch_size) == ("/models/disc", 7)


def test_none_arguments_leave_the_environment_in_force(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENZHEN_MODEL", "/models/disc")
    assert ExampleSettings(model=None).model == "/models/disc"
    assert ExampleSettings(model="/models/other").model == "/models/other"


def test_environment_beats_the_file_which_beats_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "wenzhen.toml"
    config.write_text(
        '[example]\nmodel = "/file/model"\nbatch_size = 4\n[paths]\ndata_dir = "/file/data"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("WENZHEN_CONFIG", str(config))
    assert (ExampleSettings().model, ExampleSettings().batch_size) == ("/file/model", 4)
    assert PathSettings().reports_dir == Path("/file/data/reports") and default_data_dir() == Path(
        "/file/data"
    )
    monkeypatch.setenv("WENZHEN_BATCH_SIZE", "8")
    monkeypatch.setenv("WENZHEN_DATA_DIR", str(tmp_path))
    assert ExampleSettings().batch_size == 8 and default_data_dir() == tmp_path


def test_a_bad_value_names_the_setting_and_where_it_may_come_from(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENZHEN_BATCH_SIZE", "many")
    with pytest.raises(
        ConfigError, match=r"batch_size: .*'many'.*WENZHEN_\* variables or the \[example\] table"
    ):
        ExampleSettings()
    with pytest.raises(ConfigError, match="batch_size"):
        ExampleSettings(batch_size=0)


def test_config_file_problems_name_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENZHEN_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match=r"missing\.toml: no such config file"):
        ExampleSettings()
    broken = tmp_path / "broken.toml"
    broken.write_text("[example\nmodel = 1\n", encoding="utf-8")
    monkeypatch.setenv("WENZHEN_CONFIG", str(broken))
    with pytest.raises(ConfigError, match=r"broken\.toml: not valid TOML"):
        ExampleSettings()
    broken.write_text('example = "not a table"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[example\] must be a table"):
        ExampleSettings()
