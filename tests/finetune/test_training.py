"""Training with transformers' Trainer on a tiny random Qwen2 (real tokenizer): it learns, saves, resumes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from transformers import TrainerCallback, TrainingArguments

from wenzhen.finetune.config import GeneratorSettings
from wenzhen.finetune.data import read_conversations
from wenzhen.finetune.models import load_model
from wenzhen.finetune.train_config import TrainConfig
from wenzhen.finetune.training import PadCollator, make_format, sft_trainer_class, train


def config(tmp_path: Path, sft_file: Path, tiny_model_dir: Path, **changes: Any) -> TrainConfig:
    base = {
        "output_dir": str(tmp_path / "out"),
        "train_file": str(sft_file),
        "model_name_or_path": str(tiny_model_dir),
        "format": "disc",
        "validation_fraction": 0.0,
        "max_seq_length": 128,
        "per_device_train_batch_size": 4,
        "gradient_accumulation_steps": 1,
        "learning_rate": 5e-3,
        "lr_scheduler_type": "constant",
        "logging_steps": 1,
        "save_steps": 1000,
        "report_to": "none",
        "max_steps": 30,
    }
    return TrainConfig.from_dict({**base, **changes})


def disc_batch(tokenizer: Any, sft_file: Path) -> dict[str, torch.Tensor]:
    conversations, _ = read_conversations(sft_file)
    fmt = make_format("disc", tokenizer)
    rows = [fmt.training_example(c.messages, 128) for c in conversations]
    return PadCollator(tokenizer.pad_token_id)([{"input_ids": r.input_ids, "labels": r.labels} for r in rows])


def mean_loss(model: Any, tokenizer: Any, sft_file: Path) -> float:
    model.eval()
    with torch.no_grad():
        return float(model(**disc_batch(tokenizer, sft_file)).loss)


def test_trainer_loss_and_gradients_equal_the_models_own(
    tmp_path: Path, sft_file: Path, tiny_model_dir: Path
) -> None:
    model, tokenizer = load_model(GeneratorSettings(model=str(tiny_model_dir)))
    batch = disc_batch(tokenizer, sft_file)
    labelled = int((batch["labels"][:, 1:] != -100).sum())
    assert labelled < batch["labels"][:, 1:].numel()  # user turns and padding carry no label
    expected = model(**batch).loss
    expected.backward()
    weights = [model.model.layers[0].mlp.down_proj.weight, model.get_output_embeddings().weight]
    expected_grads = [w.grad.clone() for w in weights if w.grad is not None]
    model.zero_grad()
    trainer = sft_trainer_class()(model=model, args=TrainingArguments(output_dir=str(tmp_path), report_to=[]))
    loss, outputs = trainer.compute_loss(model, dict(batch), return_outputs=True)
    assert outputs.logits.shape[:2] == (1, labelled)  # only labelled positions reached the output layer
    assert torch.allclose(loss, expected, atol=1e-5), (loss, expected)
    loss.backward()
    assert len(expected_grads) == 2
    for weight, grad in zip(weights, expected_grads, strict=True):
        assert weight.grad is not None and torch.allclose(weight.grad, grad, atol=1e-5)
    with torch.no_grad():
        accumulated = trainer.compute_loss(model, dict(batch), num_items_in_batch=2 * labelled)
        assert torch.allclose(accumulated, expected / 2, atol=1e-5)
        # hook and pass-through are gone afterwards: a plain forward has logits at every position again
        logits = model(**batch).logits
        assert logits.shape == (*batch["input_ids"].shape, len(tokenizer))


def test_lora_overfits_eight_examples(tmp_path: Path, sft_file: Path, tiny_model_dir: Path) -> None:
    base, tokenizer = load_model(GeneratorSettings(model=str(tiny_model_dir)))
    before = mean_loss(base, tokenizer, sft_file)
    lora = {"r": 8, "alpha": 16, "dropout": 0.0}
    result = train(config(tmp_path, sft_file, tiny_model_dir, lora=lora, learning_rate=2e-2, max_steps=40))
    tuned, _ = load_model(GeneratorSettings(model=str(tiny_model_dir), adapter=str(result.output_dir)))
    after = mean_loss(tuned, tokenizer, sft_file)
    assert result.global_step == 40 and result.train_examples == 8
    assert after < 0.2 * before, (before, after)


def test_full_sft_overfits_and_saves_a_whole_model(
    tmp_path: Path, sft_file: Path, tiny_model_dir: Path
) -> None:
    base, tokenizer = load_model(GeneratorSettings(model=str(tiny_model_dir)))
    before = mean_loss(base, tokenizer, sft_file)
    result = train(config(tmp_path, sft_file, tiny_model_dir, lora=None, learning_rate=1e-3, max_steps=30))
    assert (result.output_dir / "model.safetensors").exists() and not (
        result.output_dir / "adapter_config.json"
    ).exists()
    tuned, _ = load_model(GeneratorSettings(model=str(result.output_dir)))
    assert mean_loss(tuned, tokenizer, sft_file) < 0.5 * before


def test_saved_adapter_reloads_to_identical_logits(
    tmp_path: Path, sft_file: Path, tiny_model_dir: Path
) -> None:
    model, tokenizer = load_model(GeneratorSettings(model=str(tiny_model_dir)), for_training=True)
    result = train(config(tmp_path, sft_file, tiny_model_dir, max_steps=3), model=model, tokenizer=tokenizer)
    assert (result.output_dir / "adapter_config.json").exists()
    reloaded, _ = load_model(GeneratorSettings(model=str(tiny_model_dir), adapter=str(result.output_dir)))
    ids = torch.tensor([tokenizer.encode("乏力需要做什么检查？")])
    model.eval()
    with torch.no_grad():
        assert torch.allclose(model(input_ids=ids).logits, reloaded(input_ids=ids).logits, atol=1e-5)


class StepCounter(TrainerCallback):
    def __init__(self) -> None:
        self.steps: list[int] = []

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.steps.append(state.global_step)


def test_resume_continues_from_the_checkpoint_step(
    tmp_path: Path, sft_file: Path, tiny_model_dir: Path
) -> None:
    first = train(config(tmp_path, sft_file, tiny_model_dir, max_steps=4, save_steps=2))
    assert first.global_step == 4 and (first.output_dir / "checkpoint-4").is_dir()
    counter = StepCounter()
    resumed = train(
        config(tmp_path, sft_file, tiny_model_dir, max_steps=6, save_steps=2),
        resume=True,
        callbacks=[counter],
    )
    assert resumed.global_step == 6 and counter.steps == [5, 6]
    assert (resumed.output_dir / "checkpoint-6").is_dir()


def test_cli_trains_from_a_config_file_with_overrides(
    tmp_path: Path, sft_file: Path, tiny_model_dir: Path
) -> None:
    """Through ``python -m wenzhen``, in a process of its own: what the documented multi-GPU launch line runs
    (``accelerate launch … -m wenzhen finetune train``)."""
    import json
    import subprocess
    import sys

    settings = {
        "output_dir": str(tmp_path / "cli-out"),
        "train_file": [str(sft_file)],
        "model_name_or_path": str(tiny_model_dir),
        "max_seq_length": 128,
        "report_to": "none",
        "per_device_train_batch_size": 4,
        "gradient_accumulation_steps": 1,
        "validation_fraction": 0.25,
    }
    path = tmp_path / "sft.json"
    path.write_text(json.dumps(settings), encoding="utf-8")
    overrides = ["--set", "max_steps=2", "--set", "lora.r=4", "--set", "eval_steps=2"]
    command = [sys.executable, "-m", "wenzhen", "finetune", "train", "--config", str(path), *overrides]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "trained 2 steps on 6 examples (2 held out" in result.stdout and "eval loss" in result.stdout
    assert json.loads((tmp_path / "cli-out" / "adapter_config.json").read_text())["r"] == 4
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**settings, "learnin_rate": 1}), encoding="utf-8")
    refused = subprocess.run([*command[:6], str(bad)], capture_output=True, text=True, timeout=600)
    assert refused.returncode == 2 and "unknown training config keys: learnin_rate" in refused.stderr


def test_merge_and_infer_from_the_cli(tmp_path: Path, sft_file: Path, tiny_model_dir: Path) -> None:
    import json

    from typer.testing import CliRunner

    from wenzhen.api.cli import app

    result = train(config(tmp_path, sft_file, tiny_model_dir, max_steps=3))
    runner = CliRunner()
    merged = tmp_path / "merged"
    merge = runner.invoke(
        app,
        [
            "finetune",
            "merge",
            "--adapter",
            str(result.output_dir),
            "--out",
            str(merged),
            "--model",
            str(tiny_model_dir),
        ],
    )
    assert merge.exit_code == 0, merge.output
    assert (merged / "model.safetensors").exists() and not (merged / "adapter_config.json").exists()
    predictions = tmp_path / "pred.jsonl"
    common = ["--data", str(sft_file), "--max-new-tokens", "6", "--batch-size", "3"]
    by_adapter = runner.invoke(
        app,
        [
            "finetune",
            "infer",
            *common,
            "--out",
            str(predictions),
            "--model",
            str(tiny_model_dir),
            "--adapter",
            str(result.output_dir),
        ],
    )
    assert by_adapter.exit_code == 0, by_adapter.output
    rows = [json.loads(line) for line in predictions.read_text(encoding="utf-8").splitlines()]
    assert (
        len(rows) == 8
        and rows[0]["gold"] == "建议第0号病人检查肝功能和甲胎蛋白。"
        and "prediction" in rows[0]
    )
    merged_out = tmp_path / "pred-merged.jsonl"
    by_merged = runner.invoke(
        app,
        ["finetune", "infer", *common, "--out", str(merged_out), "--model", str(merged), "--format", "disc"],
    )
    assert by_merged.exit_code == 0, by_merged.output
    merged_rows = [json.loads(line) for line in merged_out.read_text(encoding="utf-8").splitlines()]
    assert [r["prediction"] for r in merged_rows] == [
        r["prediction"] for r in rows
    ]  # merging changes nothing


def test_tensorboard_logs_go_under_the_output_dir(
    tmp_path: Path, sft_file: Path, tiny_model_dir: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    result = train(
        config(
            tmp_path, sft_file, tiny_model_dir, max_steps=2, report_to="tensorboard", validation_fraction=0.25
        )
    )
    assert result.base_eval_loss is not None and result.eval_loss is not None
    assert not (tmp_path / "runs").exists()
    assert list((result.output_dir / "runs").rglob("events.out.tfevents.*"))
