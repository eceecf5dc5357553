"""The training configuration: the seed's sft.json fields plus format, data and LoRA, from JSON or YAML.

>>> TrainConfig.from_file(Path("sft.json"), overrides=["learning_rate=2e-4", "lora.r=16"])  # doctest: +SKIP

Unknown keys are an error (a typo must not silently train with defaults).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, ClassVar

import yaml

from wenzhen.core.errors import ConfigError
from wenzhen.core.params import parse_assignment


@dataclass(frozen=True)
class LoraConfig:
    r: int = 8
    alpha: int = 16
    dropout: float = 0.05
    target_modules: tuple[str, ...] | str = "all-linear"


@dataclass(frozen=True)
class TrainConfig:
    output_dir: str
    train_file: tuple[str, ...]
    model_name_or_path: str | None = None
    format: str = "disc"
    validation_fraction: float = 0.05
    max_seq_length: int = 1200
    num_train_epochs: float = 1.0
    max_steps: int = -1
    per_device_train_batch_size: int = 4
    gradient_accumulation_steps: int = 3
    learning_rate: float = 1e-5
    lr_scheduler_type: str = "cosine"
    warmup_steps: int = 0
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    logging_steps: int = 50
    eval_steps: int | None = None
    save_steps: int = 2000
    save_total_limit: int = 3
    seed: int = 42
    bf16: bool = False
    fp16: bool = False
    gradient_checkpointing: bool = False
    report_to: str = "tensorboard"
    deepspeed: str | None = None
    dataloader_num_workers: int = 0
    trust_remote_code: bool = False
    lora: LoraConfig | None = field(default_factory=LoraConfig)

    # seed keys accepted and ignored (their effect is fixed here)
    IGNORED: ClassVar[frozenset[str]] = frozenset(
        {"resume_from_checkpoint", "disable_tqdm", "optim", "save_strategy", "remove_unused_columns"}
    )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known - cls.IGNORED)
        if unknown:
            raise ConfigError(f"unknown training config keys: {', '.join(unknown)}")
        values = {k: v for k, v in data.items() if k in known}
        if isinstance(values.get("train_file"), str):
            values["train_file"] = (values["train_file"],)
        elif "train_file" in values:
            values["train_file"] = tuple(values["train_file"])
        lora = values.get("lora", LoraConfig())
        if isinstance(lora, dict):
            targets = lora.get("target_modules", LoraConfig.target_modules)
            lora = LoraConfig(
                r=int(lora.get("r", LoraConfig.r)),
                alpha=int(lora.get("alpha", LoraConfig.alpha)),
                dropout=float(lora.get("dropout", LoraConfig.dropout)),
                target_modules=tuple(targets) if isinstance(targets, list) else targets,
            )
        values["lora"] = lora
        return cls(**values)

    @classmethod
    def from_file(cls, path: Path, overrides: list[str] | None = None) -> TrainConfig:
        """A JSON or YAML config with ``--set`` overrides applied; a problem is a ConfigError naming it."""
        text = path.read_text(encoding="utf-8")
        try:
            data = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)
        except (json.JSONDecodeError, yaml.YAMLError) as err:
            raise ConfigError(f"{path}: cannot parse: {err}") from err
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a table of settings, got {type(data).__name__}")
        try:
            for item in overrides or []:
                _apply_override(data, item)
            return cls.from_dict(data)
        except (TypeError, ValueError) as err:
            raise ConfigError(f"{path}: {err}") from err

    def with_changes(self, **changes: Any) -> TrainConfig:
        return replace(self, **changes)


def _apply_override(data: dict[str, Any], item: str) -> None:
    """``key=value`` or ``lora.r=16`` (the value read as :mod:`wenzhen.core.params` reads every KEY=VALUE)."""
    key, value = parse_assignment(item, "--set")
    target = data
    *parents, leaf = key.split(".")
    for parent in parents:
        child = target.get(parent)
        if child is None:
            child = target[parent] = {}
        if not isinstance(child, dict):
            raise ConfigError(f"--set {item!r}: {parent} is not a table")
        target = child
    target[leaf] = value
