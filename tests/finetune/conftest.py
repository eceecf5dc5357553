"""Finetune fixtures: the real Qwen tokenizer (from the demo GGUF) and conversations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from transformers import AutoTokenizer

from finetune.demo_model import provision_demo_tokenizer
from finetune.formats import ChatMessage


@pytest.fixture(scope="session")
def qwen_tokenizer(data_dir: Path) -> Any:
    return AutoTokenizer.from_pretrained(provision_demo_tokenizer(data_dir / "cache"))


@pytest.fixture
def dialogue() -> list[ChatMessage]:
    return [
        ChatMessage("user", "我最近总是觉得乏力，右上腹隐痛。"),
        ChatMessage("assistant", "请问您有没有乙肝病史？最近有没有发烧？"),
        ChatMessage("user", "有乙肝，没有发烧。"),
        ChatMessage("assistant", "建议尽快到肝病科就诊，检查肝功能、甲胎蛋白和肝脏B超。"),
    ]
