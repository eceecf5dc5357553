"""``wenzhen finetune``: train (LoRA or full SFT) from a config file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Finetune the generator (transformers + peft).", no_args_is_help=True)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


@app.command("train")
def train_command(
    config: Annotated[Path, typer.Option("--config", help="JSON or YAML training config.", exists=True)],
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="KEY=VALUE override, e.g. lora.r=16 or learning_rate=2e-4 (repeatable)."),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue from the last checkpoint in output_dir.")
    ] = False,
) -> None:
    """Train with transformers' Trainer. The config takes the seed's sft.json fields (output_dir,
    model_name_or_path, train_file, max_seq_length, per_device_train_batch_size, gradient_accumulation_steps,
    learning_rate, lr_scheduler_type, warmup_steps, save_steps, seed, bf16, deepspeed, ...) plus
    ``format`` (disc | template | bentsao:<template>), ``validation_fraction`` and ``lora`` ({r, alpha,
    dropout, target_modules}; null for full SFT).

    Example: wenzhen finetune train --config sft.json --set max_steps=100 --set lora.r=8
    """
    from finetune.train_config import TrainConfig
    from finetune.training import train

    try:
        settings = TrainConfig.from_file(config, overrides or [])
    except (ValueError, json.JSONDecodeError) as err:
        err_console.print(f"[red]error:[/red] {config}: {err}")
        raise typer.Exit(2) from err
    result = train(settings, resume=resume)
    for issue in result.issues[:10]:
        err_console.print(f"  skipped {issue.source}:{issue.line}: {issue.reason}")
    console.print(
        f"trained {result.global_step} steps on {result.train_examples} examples "
        f"({result.validation_examples} held out, {len(result.issues)} skipped)"
    )
    console.print(
        f"train loss {result.train_loss:.4f}"
        + (f", eval loss {result.eval_loss:.4f}" if result.eval_loss is not None else "")
    )
    console.print(f"saved to {result.output_dir}")
