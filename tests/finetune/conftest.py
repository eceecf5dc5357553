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


@pytest.fixture(scope="session")
def tiny_model_dir(qwen_tokenizer: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer random Qwen2 with the real Qwen tokenizer, built in code (no download)."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    folder = tmp_path_factory.mktemp("tiny-qwen")
    config = Qwen2Config(
        vocab_size=len(qwen_tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        initializer_range=0.5,  # large enough that an adapter on the linear layers can move the logits
    )
    torch.manual_seed(0)
    Qwen2ForCausalLM(config).save_pretrained(folder)
    qwen_tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture
def sft_file(tmp_path: Path) -> Path:
    import json

    rows = [
        {
            "conversation": [
                {"role": "user", "content": f"第{i}号病人乏力，需要做什么检查？"},
                {"role": "assistant", "content": f"建议第{i}号病人检查肝功能和甲胎蛋白。"},
            ]
        }
        for i in range(8)
    ]
    path = tmp_path / "sft.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path
