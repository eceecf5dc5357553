"""Slow (not in CI): a few LoRA steps on the real 0.5B demo model, and a reply from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wenzhen.finetune.chat_model import WenzhenChatModel
from wenzhen.finetune.train_config import TrainConfig
from wenzhen.finetune.training import train

pytestmark = pytest.mark.slow


def test_lora_steps_on_the_demo_model(tmp_path: Path, data_dir: Path, sft_file: Path) -> None:
    config = TrainConfig.from_dict(
        {
            "output_dir": str(tmp_path / "out"),
            "train_file": str(sft_file),
            "format": "template",
            "validation_fraction": 0.25,
            "max_seq_length": 96,
            "per_device_train_batch_size": 2,
            "gradient_accumulation_steps": 1,
            "learning_rate": 2e-4,
            "max_steps": 3,
            "logging_steps": 1,
            "save_steps": 100,
            "report_to": "none",
            "lora": {"r": 8, "alpha": 16},
        }
    )
    result = train(config)
    assert result.global_step == 3 and result.eval_loss is not None and result.base_eval_loss is not None
    assert json.loads((result.output_dir / "adapter_config.json").read_text())["r"] == 8


def test_demo_model_answers_in_chinese(data_dir: Path) -> None:
    reply = WenzhenChatModel(max_tokens=24).invoke("肝硬化患者饮食要注意什么？").content
    assert isinstance(reply, str) and any("\u4e00" <= ch <= "\u9fff" for ch in reply)


def test_the_shipped_demo_adapter_lowers_the_loss_on_medical_dialogue(data_dir: Path) -> None:
    import torch

    from wenzhen.finetune.config import GeneratorSettings
    from wenzhen.finetune.formats import ChatMessage
    from wenzhen.finetune.models import load_model
    from wenzhen.finetune.training import make_format

    dialogue = [
        ChatMessage("user", "乙肝病毒携带者需要吃药吗？"),
        ChatMessage(
            "assistant",
            "乙肝病毒携带者如果肝功能正常，一般不需要抗病毒治疗，但应每半年复查肝功能和乙肝病毒DNA。",
        ),
    ]
    losses = []
    for adapter in (None, "demo"):
        model, tokenizer = load_model(GeneratorSettings(adapter=adapter))
        example = make_format("template", tokenizer).training_example(dialogue, 256)
        with torch.no_grad():
            ids = torch.tensor([example.input_ids])
            losses.append(float(model(input_ids=ids, labels=torch.tensor([example.labels])).loss))
    assert losses[1] < losses[0], losses
