"""The llama.cpp backend on the demo model's GGUF as its packages carry it: the same prompt ids as the
transformers backend, stop strings, an abandoned stream, the chat model and a consultation on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wenzhen.agent.config import AgentSettings
from wenzhen.agent.consultant import Consultant
from wenzhen.core.errors import ConfigError, ResourceMissing
from wenzhen.finetune.chat_model import WenzhenChatModel
from wenzhen.finetune.config import GeneratorSettings
from wenzhen.finetune.formats import ChatMessage
from wenzhen.finetune.generator import GenerationConfig
from wenzhen.finetune.llama_backend import LlamaCppGenerator
from wenzhen.finetune.training import make_format
from wenzhen.kg_loader.store import GraphStore
from wenzhen.retrieval.search import LiteratureSearcher

pytestmark = pytest.mark.model
QUESTION = [ChatMessage("user", "肝硬化患者饮食要注意什么？")]


@pytest.fixture(scope="module")
def llama(data_dir: Path) -> LlamaCppGenerator:
    return LlamaCppGenerator.from_settings(GeneratorSettings(backend="llama_cpp", threads=2), max_length=512)


def test_the_demo_gguf_answers_from_the_same_prompt_ids(
    llama: LlamaCppGenerator, qwen_tokenizer: Any
) -> None:
    assert llama.format.prompt_ids(QUESTION, 400) == make_format("template", qwen_tokenizer).prompt_ids(
        QUESTION, 400
    )
    text = llama.generate(QUESTION, GenerationConfig(max_new_tokens=16))
    assert text and not any(marker in text for marker in ("<|im_end|>", "<|im_start|>", "<|endoftext|>"))


def test_stop_strings_end_a_reply_and_an_abandoned_stream_frees_the_model(llama: LlamaCppGenerator) -> None:
    stopped = llama.generate(QUESTION, GenerationConfig(max_new_tokens=48, stop=("，", "。", "\n")))
    assert stopped and not any(stop in stopped for stop in ("，", "。", "\n"))
    stream = llama.stream(QUESTION, GenerationConfig(max_new_tokens=200))
    first = next(stream)
    stream.close()  # the reader went away (a client disconnected)
    assert first and llama.generate(QUESTION, GenerationConfig(max_new_tokens=4))


def test_the_agent_answers_on_the_llama_backend(
    demo_graph: GraphStore, searcher: LiteratureSearcher, data_dir: Path
) -> None:
    chat = WenzhenChatModel(backend="llama_cpp", max_tokens=24, threads=2)
    assert str(chat.invoke("你好").content)
    settings = AgentSettings(max_new_tokens=24, max_questions=0)
    with Consultant(demo_graph, chat, searcher, settings) as consultant:
        reply = consultant.reply(consultant.start_session(), "我最近黄疸，还乏力")
    assert reply.kind == "answer" and "【初步判断】" in reply.text and reply.citations


def test_an_adapter_or_a_missing_gguf_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="applies no LoRA adapter"):
        LlamaCppGenerator.from_settings(GeneratorSettings(backend="llama_cpp", adapter="demo"))
    with pytest.raises(ResourceMissing, match="no GGUF file there"):
        LlamaCppGenerator.from_settings(GeneratorSettings(backend="llama_cpp", gguf=tmp_path / "x.gguf"))
