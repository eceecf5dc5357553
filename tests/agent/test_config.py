"""Consultant settings: environment and file, the generator backend they choose, the policy they set."""

from __future__ import annotations

from pathlib import Path

import pytest

from wenzhen.agent.config import AgentSettings
from wenzhen.agent.consultant import inquiry_parameters, make_chat_model


def test_settings_come_from_the_environment_and_the_agent_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "wenzhen.toml"
    config.write_text('[agent]\nmax_questions = 3\nsessions = "/tmp/s.sqlite"\n', encoding="utf-8")
    monkeypatch.setenv("WENZHEN_CONFIG", str(config))
    monkeypatch.setenv("WENZHEN_CONFIDENCE", "0.8")
    settings = AgentSettings()
    assert (settings.max_questions, settings.confidence, settings.sessions) == (3, 0.8, "/tmp/s.sqlite")
    policy = inquiry_parameters(settings)
    assert (policy.max_questions, policy.confidence, policy.min_gain) == (3, 0.8, settings.min_gain)


def test_an_openai_compatible_server_is_the_generator_when_configured() -> None:
    from langchain_openai import ChatOpenAI

    settings = AgentSettings(openai_base_url="http://127.0.0.1:8000/v1", openai_model="DISC-MedLLM")
    model = make_chat_model(settings)  # no request is made until it is called
    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "DISC-MedLLM" and str(model.openai_api_base) == "http://127.0.0.1:8000/v1"


def test_the_local_demo_generator_carries_the_demo_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    from wenzhen.finetune.chat_model import WenzhenChatModel

    for name in ("WENZHEN_MODEL", "WENZHEN_ADAPTER", "WENZHEN_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    model = make_chat_model(AgentSettings())
    assert isinstance(model, WenzhenChatModel) and model.model is None and model.adapter == "demo"
    monkeypatch.setenv("WENZHEN_ADAPTER", "none")
    assert make_chat_model(AgentSettings()).adapter == "none"  # type: ignore[attr-defined]


def test_bad_settings_are_refused_with_the_field_named() -> None:
    with pytest.raises(ValueError, match="confidence"):
        AgentSettings(confidence=1.5)
