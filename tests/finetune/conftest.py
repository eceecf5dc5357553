"""Finetune fixtures: the real Qwen tokenizer (from the demo GGUF) and conversations."""

from __future__ import annotations

from pathlib import Path

import pytest

from wenzhen.finetune.formats import ChatMessage


@pytest.fixture
def dialogue() -> list[ChatMessage]:
    return [
        ChatMessage("user", "我最近总是觉得乏力，右上腹隐痛。"),
        ChatMessage("assistant", "请问您有没有乙肝病史？最近有没有发烧？"),
        ChatMessage("user", "有乙肝，没有发烧。"),
        ChatMessage("assistant", "建议尽快到肝病科就诊，检查肝功能、甲胎蛋白和肝脏B超。"),
    ]


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
