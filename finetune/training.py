"""Supervised finetuning (LoRA or full) with transformers' Trainer.

>>> result = train(TrainConfig.from_file(Path("sft.json")))             # doctest: +SKIP

The output directory holds Trainer checkpoints (``checkpoint-N``, resumable), TensorBoard logs, and at the
end the adapter (LoRA) or the full model, the tokenizer and ``wenzhen_train.json`` (the config and the
format used, which ``finetune infer`` reuses).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from wenzhen.core.errors import ConfigError, InputError
from wenzhen.core.issues import Issue
from wenzhen.finetune.data import Example, encode_all, read_conversations, split_examples
from wenzhen.finetune.formats import (
    IGNORE_INDEX,
    BentsaoFormat,
    ChatFormat,
    DiscFormat,
    Template,
    TemplateFormat,
)
from wenzhen.finetune.loss import plain_projection, tiled_cross_entropy
from wenzhen.finetune.train_config import TrainConfig

RUN_FILE = "wenzhen_train.json"


def make_format(name: str, tokenizer: Any) -> ChatFormat:
    """``disc``, ``template`` or ``bentsao:<template name>``."""
    if name == "disc":
        return DiscFormat(tokenizer)
    if name == "template":
        return TemplateFormat(tokenizer)
    if name.startswith("bentsao:"):
        return BentsaoFormat(tokenizer, Template.load(name.split(":", 1)[1]))
    raise ConfigError(f"unknown format {name!r}: disc, template or bentsao:<template>")


class ExampleDataset(torch.utils.data.Dataset[dict[str, list[int]]]):
    def __init__(self, examples: list[Example]) -> None:
        self.examples = examples

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, index: int) -> dict[str, list[int]]:
        encoded = self.examples[index].encoded
        return {"input_ids": encoded.input_ids, "labels": encoded.labels}


@dataclass
class PadCollator:
    pad_token_id: int

    def __call__(self, rows: list[dict[str, list[int]]]) -> dict[str, torch.Tensor]:
        width = max(len(row["input_ids"]) for row in rows)
        ids = torch.full((len(rows), width), self.pad_token_id, dtype=torch.long)
        labels = torch.full((len(rows), width), IGNORE_INDEX, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            n = len(row["input_ids"])
            ids[i, :n] = torch.tensor(row["input_ids"])
            labels[i, :n] = torch.tensor(row["labels"])
            mask[i, :n] = 1
        return {"input_ids": ids, "labels": labels, "attention_mask": mask}


def _unchanged(hidden: torch.Tensor) -> torch.Tensor:
    return hidden


def sft_trainer_class() -> Any:
    from transformers import Trainer

    class SFTTrainer(Trainer):
        """Computes the loss only where the next token carries a label, projecting to the vocabulary in tiles.

        For one forward pass a pre-hook narrows the output layer's input to the labelled positions, so the
        prompt, user turns and padding cost no projection while the model's own forward still runs. When that
        layer is a plain bias-free projection (:func:`wenzhen.finetune.loss.plain_projection`; not under
        DeepSpeed, which partitions it) it passes the narrowed hidden states through untouched and
        :func:`wenzhen.finetune.loss.tiled_cross_entropy` projects them tile by tile: no tensor of all their
        logits ever exists. Otherwise the layer runs on the narrowed input (soft-capping, scaling or an
        adapter on it apply). The loss is summed and divided by ``num_items_in_batch`` (the labelled tokens of
        the whole accumulated batch, so accumulation weighs every token alike) or, in evaluation, this batch's
        count.
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["compute_loss_func"] = self.labelled_loss
            super().__init__(*args, **kwargs)
            self._projection: torch.Tensor | None = None

        def compute_loss(
            self,
            model: Any,
            inputs: dict[str, Any],
            return_outputs: bool = False,
            num_items_in_batch: torch.Tensor | int | None = None,
        ) -> Any:
            keep = inputs["labels"][:, 1:] != IGNORE_INDEX
            unwrapped = self.accelerator.unwrap_model(model)
            head = unwrapped.get_output_embeddings()
            handle = head.register_forward_pre_hook(
                lambda _module, args: (args[0][:, :-1][keep].unsqueeze(0), *args[1:])
            )
            if not self.is_deepspeed_enabled:
                self._projection = plain_projection(head, unwrapped.config)
            if self._projection is not None:
                head.forward = _unchanged  # "logits" are the narrowed hidden states; the loss projects them
            try:
                return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            finally:
                handle.remove()
                if self._projection is not None:
                    del head.forward
                self._projection = None

        def labelled_loss(
            self, outputs: Any, labels: torch.Tensor, num_items_in_batch: torch.Tensor | int | None = None
        ) -> torch.Tensor:
            targets = labels[:, 1:]
            keep = targets != IGNORE_INDEX
            rows = outputs.logits[0]
            if self._projection is not None:
                total = tiled_cross_entropy(rows, self._projection, targets[keep])
            else:
                total = torch.nn.functional.cross_entropy(rows.float(), targets[keep], reduction="sum")
            count = num_items_in_batch if num_items_in_batch is not None else keep.sum().clamp(min=1)
            return total / count

    return SFTTrainer


@dataclass
class TrainResult:
    output_dir: Path
    train_examples: int
    validation_examples: int
    issues: list[Issue]
    global_step: int
    train_loss: float
    eval_loss: float | None
    base_eval_loss: float | None


def prepare_examples(
    config: TrainConfig, fmt: ChatFormat
) -> tuple[list[Example], list[Example], list[Issue]]:
    issues: list[Issue] = []
    conversations = []
    for name in config.train_file:
        read, problems = read_conversations(Path(name))
        conversations += read
        issues += problems
    examples, too_long = encode_all(conversations, fmt, config.max_seq_length)
    issues += too_long
    train_set, validation = split_examples(examples, config.validation_fraction, config.seed)
    return train_set, validation, issues


def _with_lora(model: Any, config: TrainConfig) -> Any:
    if config.lora is None:
        return model
    from peft import LoraConfig as PeftLoraConfig
    from peft import get_peft_model

    from wenzhen.finetune.models import peft_wrapping

    lora = config.lora
    targets = lora.target_modules if isinstance(lora.target_modules, str) else list(lora.target_modules)
    peft_config = PeftLoraConfig(
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=targets,
        task_type="CAUSAL_LM",
    )
    with peft_wrapping():
        return get_peft_model(model, peft_config)


def _log_to_output_dir(trainer: Any, output: Path) -> None:
    """TensorBoard logs under ``output/runs``: the callback only picks that directory at train start, and
    the evaluation before training would otherwise open its writer in the working directory."""
    from transformers.integrations.integration_utils import TensorBoardCallback

    for callback in trainer.callback_handler.callbacks:
        if isinstance(callback, TensorBoardCallback) and callback.logging_dir is None:
            callback.logging_dir = str(output / "runs")


def train(
    config: TrainConfig,
    model: Any = None,
    tokenizer: Any = None,
    resume: bool = False,
    callbacks: list[Any] | None = None,
) -> TrainResult:
    """Train from ``config``; ``model``/``tokenizer`` default to ``config.model_name_or_path`` or the demo."""
    from transformers import TrainingArguments, set_seed

    from wenzhen.finetune.config import GeneratorSettings
    from wenzhen.finetune.models import load_model

    set_seed(config.seed)
    if model is None or tokenizer is None:
        settings = GeneratorSettings(
            model=config.model_name_or_path, trust_remote_code=config.trust_remote_code
        )
        model, tokenizer = load_model(
            settings, dtype="fp32" if not torch.cuda.is_available() else None, for_training=True
        )
    fmt = make_format(config.format, tokenizer)
    train_set, validation, issues = prepare_examples(config, fmt)
    if not train_set:
        raise InputError(
            "no usable training examples: "
            + "; ".join(f"{i.source}:{i.line}: {i.reason}" for i in issues[:5])
        )
    if config.gradient_checkpointing:
        model.gradient_checkpointing_enable()
        model.enable_input_require_grads()
    model = _with_lora(model, config)
    output = Path(config.output_dir)
    evaluate = bool(validation)
    arguments = TrainingArguments(
        output_dir=str(output),
        num_train_epochs=config.num_train_epochs,
        max_steps=config.max_steps,
        per_device_train_batch_size=config.per_device_train_batch_size,
        per_device_eval_batch_size=config.per_device_train_batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_scheduler_type,
        warmup_steps=config.warmup_steps,
        weight_decay=config.weight_decay,
        max_grad_norm=config.max_grad_norm,
        logging_steps=config.logging_steps,
        eval_strategy="steps" if evaluate else "no",
        eval_steps=config.eval_steps or config.save_steps,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=config.save_total_limit,
        seed=config.seed,
        bf16=config.bf16,
        fp16=config.fp16,
        report_to=[config.report_to] if config.report_to not in ("none", "") else [],
        deepspeed=config.deepspeed,
        dataloader_num_workers=config.dataloader_num_workers,
        dataloader_pin_memory=torch.cuda.is_available(),  # pinned memory only helps copies to a GPU
        remove_unused_columns=False,
        disable_tqdm=False,
    )
    trainer = sft_trainer_class()(
        model=model,
        args=arguments,
        train_dataset=ExampleDataset(train_set),
        eval_dataset=ExampleDataset(validation) if evaluate else None,
        data_collator=PadCollator(tokenizer.pad_token_id),
        callbacks=callbacks,
    )
    _log_to_output_dir(trainer, output)
    base_eval_loss = trainer.evaluate()["eval_loss"] if evaluate and not resume else None
    outcome = trainer.train(resume_from_checkpoint=True if resume else None)
    eval_loss = trainer.evaluate()["eval_loss"] if evaluate else None
    trainer.save_model(str(output))
    tokenizer.save_pretrained(str(output))
    (output / RUN_FILE).write_text(
        json.dumps(
            {"config": asdict(config), "format": config.format}, indent=1, ensure_ascii=False, default=list
        )
    )
    return TrainResult(
        output,
        len(train_set),
        len(validation),
        issues,
        trainer.state.global_step,
        float(outcome.training_loss),
        eval_loss,
        base_eval_loss,
    )
