"""The demo adapter shipped in the package: its layout, size and precision, and how settings find it."""

from __future__ import annotations

import json

from safetensors import safe_open

from wenzhen.finetune.demo_model import DEMO_ADAPTER, resolve_adapter

QWEN2_LINEAR = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}


def test_the_shipped_adapter_is_a_small_bf16_lora_over_every_linear_layer() -> None:
    weights = DEMO_ADAPTER / "adapter_model.safetensors"
    assert weights.stat().st_size <= 20 * 1024 * 1024
    config = json.loads((DEMO_ADAPTER / "adapter_config.json").read_text(encoding="utf-8"))
    assert config["peft_type"] == "LORA" and config["r"] == 8
    with safe_open(str(weights), framework="pt") as tensors:
        names = list(tensors.keys())
        assert {str(tensors.get_tensor(n).dtype) for n in names} == {"torch.bfloat16"}
    layers = {name.split(".")[-3] for name in names}
    assert layers == QWEN2_LINEAR
    assert len(names) == 2 * len(QWEN2_LINEAR) * 24  # A and B for each linear layer of 24 blocks


def test_settings_name_the_demo_adapter_or_none() -> None:
    assert resolve_adapter("demo") == str(DEMO_ADAPTER)
    assert resolve_adapter("none") is None and resolve_adapter(None) is None
