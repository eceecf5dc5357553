"""Generation on the tiny model: prompt format, stop sequences, streaming equals non-streaming, batches;
and the LangChain chat model, including langchain-tests' standard unit tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage, SystemMessage
from langchain_tests.unit_tests import ChatModelUnitTests

from wenzhen.finetune.chat_model import WenzhenChatModel, to_chat_messages
from wenzhen.finetune.config import GeneratorSettings
from wenzhen.finetune.formats import ChatMessage
from wenzhen.finetune.generator import GenerationConfig, LocalGenerator, cut_at_stop

QUESTION = [ChatMessage("user", "乏力需要做什么检查？")]


@pytest.fixture(scope="module")
def generator(tiny_model_dir: Path) -> LocalGenerator:
    return LocalGenerator.from_settings(GeneratorSettings(model=str(tiny_model_dir)), "disc")


def test_greedy_generation_is_deterministic_and_streams_the_same_text(generator: LocalGenerator) -> None:
    config = GenerationConfig(max_new_tokens=12)
    text = generator.generate(QUESTION, config)
    assert text and text == generator.generate(QUESTION, config)
    assert "".join(generator.stream(QUESTION, config)).strip() == text


def test_stop_sequences_cut_generation_and_streaming(generator: LocalGenerator) -> None:
    full = generator.generate(QUESTION, GenerationConfig(max_new_tokens=12))
    stop = full[len(full) // 2 : len(full) // 2 + 2]
    expected = cut_at_stop(full, (stop,)).strip()
    config = GenerationConfig(max_new_tokens=12, stop=(stop,))
    assert generator.generate(QUESTION, config) == expected
    assert "".join(generator.stream(QUESTION, config)).strip() == expected


def test_batch_generation_matches_one_by_one(generator: LocalGenerator) -> None:
    other = [ChatMessage("user", "肝硬化患者需要注意什么？平时饮食有什么禁忌吗？")]
    config = GenerationConfig(max_new_tokens=8)
    assert generator.generate_batch([QUESTION, other], config) == [
        generator.generate(QUESTION, config),
        generator.generate(other, config),
    ]


def test_chat_model_invokes_and_streams_with_callbacks(tiny_model_dir: Path) -> None:
    chat = WenzhenChatModel(model=str(tiny_model_dir), format_name="disc", max_tokens=10)
    answer = chat.invoke([SystemMessage("你是医生"), HumanMessage("乏力需要做什么检查？")])
    chunks = list(chat.stream([SystemMessage("你是医生"), HumanMessage("乏力需要做什么检查？")]))
    assert all(isinstance(chunk, AIMessageChunk) for chunk in chunks)
    assert "".join(str(chunk.content) for chunk in chunks).strip() == answer.content
    assert to_chat_messages([HumanMessage("问")]) == [ChatMessage("user", "问")]


class TestWenzhenChatModelStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[WenzhenChatModel]:
        return WenzhenChatModel

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "/models/some-local-folder", "format_name": "disc"}

    @property
    def standard_chat_model_params(self) -> dict[str, Any]:
        # a local model takes no API key; the other standard parameters are accepted as they are
        params = super().standard_chat_model_params
        params.pop("api_key", None)
        return params
