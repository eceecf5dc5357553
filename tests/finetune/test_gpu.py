"""GPU training (marked `gpu`; skipped cleanly without CUDA): bf16 LoRA on one GPU, and a two-process run
through `accelerate launch` (the documented multi-GPU path) when two GPUs are there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
import torch

from tests.finetune.test_training import config

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU"),
]


def test_lora_trains_in_bf16_on_a_gpu(tmp_path: Path, sft_file: Path, tiny_model_dir: Path) -> None:
    from wenzhen.finetune.training import train

    lora = {"r": 8, "alpha": 16, "dropout": 0.0}
    result = train(config(tmp_path, sft_file, tiny_model_dir, lora=lora, bf16=True, max_steps=20))
    assert result.global_step == 20 and result.train_loss < 12


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="fewer than two GPUs")
def test_two_gpus_through_accelerate_launch(tmp_path: Path, sft_file: Path, tiny_model_dir: Path) -> None:
    lora = {"r": 8, "alpha": 16, "dropout": 0.0}
    path = tmp_path / "train.json"
    settings = config(tmp_path, sft_file, tiny_model_dir, lora=lora, bf16=True, max_steps=6)
    path.write_text(json.dumps(asdict(settings)), encoding="utf-8")
    command = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", "2", "--multi_gpu"]
    command += ["-m", "wenzhen", "finetune", "train", "--config", str(path)]
    subprocess.run(command, check=True, env=os.environ.copy(), timeout=900)
    assert (Path(settings.output_dir) / "adapter_config.json").is_file()
