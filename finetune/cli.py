"""``wenzhen finetune``: train (LoRA or full SFT) from a config file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from wenzhen.core.console import console, report_issues
from wenzhen.core.settings import given

app = typer.Typer(help="Finetune the generator (transformers + peft).", no_args_is_help=True)

# Unset options (None) leave the settings to WENZHEN_MODEL / WENZHEN_TRUST_REMOTE_CODE / the config file.
ModelOption = Annotated[
    str | None, typer.Option(help="Base model folder (default: WENZHEN_MODEL, else the demo model).")
]
TrustOption = Annotated[
    bool | None,
    typer.Option(
        "--trust-remote-code/--no-trust-remote-code",
        help="Allow the model's own code, e.g. Baichuan (default: WENZHEN_TRUST_REMOTE_CODE, else no).",
        show_default=False,
    ),
]


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
    from wenzhen.finetune.train_config import TrainConfig
    from wenzhen.finetune.training import train

    result = train(TrainConfig.from_file(config, overrides or []), resume=resume)
    report_issues(result.issues, "finetune-train")
    console.print(
        f"trained {result.global_step} steps on {result.train_examples} examples "
        f"({result.validation_examples} held out, {len(result.issues)} skipped)"
    )
    console.print(
        f"train loss {result.train_loss:.4f}"
        + (f", eval loss {result.eval_loss:.4f}" if result.eval_loss is not None else "")
        + (f" (before training: {result.base_eval_loss:.4f})" if result.base_eval_loss is not None else "")
    )
    console.print(f"saved to {result.output_dir}")


def _trained_format(adapter: str | None, default: str) -> str:
    """The format an adapter folder was trained with (from its wenzhen_train.json), else ``default``."""
    from wenzhen.finetune.training import RUN_FILE

    run_file = Path(adapter) / RUN_FILE if adapter else None
    if run_file is not None and run_file.exists():
        return str(json.loads(run_file.read_text())["format"])
    return default


@app.command()
def merge(
    adapter: Annotated[Path, typer.Option(help="LoRA adapter folder.", exists=True, file_okay=False)],
    out: Annotated[Path, typer.Option(help="Folder for the merged model.")],
    model: ModelOption = None,
    trust_remote_code: TrustOption = None,
) -> None:
    """Merge a LoRA adapter into its base model and save a standalone model folder."""
    from wenzhen.finetune.config import GeneratorSettings
    from wenzhen.finetune.models import load_model

    settings = GeneratorSettings(
        model=model, adapter=str(adapter), **given(trust_remote_code=trust_remote_code)
    )
    merged, tokenizer = load_model(settings)
    merged = merged.merge_and_unload()
    merged.save_pretrained(out)
    tokenizer.save_pretrained(out)
    console.print(f"merged {adapter} into {settings.model or 'the demo model'} -> {out}")


@app.command()
def export(
    gguf: Annotated[Path, typer.Option("--gguf", help="The GGUF file to write (replaced if it exists).")],
    model: ModelOption = None,
    adapter: Annotated[
        Path | None,
        typer.Option(help="LoRA adapter merged on the way (default: WENZHEN_ADAPTER).", file_okay=False),
    ] = None,
    outtype: Annotated[
        str, typer.Option(help="f16 | q8_0 (half the size, near-identical output) | f32 (norms stay f32).")
    ] = "f16",
    trust_remote_code: TrustOption = None,
) -> None:
    """Write a merged model (or base + LoRA adapter) as one GGUF file for the llama_cpp backend
    (WENZHEN_GGUF), llama.cpp and Ollama. Qwen2 and LLaMA/Mistral models with a byte-level BPE tokenizer.

    Example: wenzhen finetune export --adapter out/lora --gguf out/tuned.gguf --outtype q8_0
    """
    from wenzhen.core.console import counted_progress
    from wenzhen.finetune.config import GeneratorSettings
    from wenzhen.finetune.gguf_export import OUTTYPES, export_gguf

    if outtype not in OUTTYPES:
        raise typer.BadParameter(f"{outtype!r} is not one of {', '.join(OUTTYPES)}", param_hint="--outtype")
    settings = GeneratorSettings(
        model=model, adapter=str(adapter) if adapter else None, **given(trust_remote_code=trust_remote_code)
    )
    with counted_progress(f"writing {gguf.name}") as on_progress:
        result = export_gguf(settings, gguf, outtype, on_progress)
    console.print(
        f"wrote {result.path} ({result.architecture}, {result.outtype}, {result.tensors} tensors, "
        f"{result.size_bytes / 1e6:.0f} MB); run it with WENZHEN_BACKEND=llama_cpp WENZHEN_GGUF={result.path}"
    )


@app.command()
def infer(
    data: Annotated[
        Path, typer.Option(help="JSONL of conversations or instructions (gold = last answer).", exists=True)
    ],
    out: Annotated[Path, typer.Option(help="JSONL to write: prompt, gold, prediction.")],
    model: ModelOption = None,
    adapter: Annotated[
        Path | None, typer.Option(help="LoRA adapter folder (default: WENZHEN_ADAPTER).")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="disc | template | bentsao:<template> (default: the adapter's, else template)."
        ),
    ] = None,
    max_new_tokens: Annotated[int, typer.Option(help="Tokens to generate per answer.")] = 256,
    batch_size: Annotated[int, typer.Option(help="Conversations per generate() call.")] = 4,
    trust_remote_code: TrustOption = None,
) -> None:
    """Batch generation with the training format, the gold answer next to each prediction (the seed's
    infer.py)."""
    from wenzhen.finetune.config import GeneratorSettings
    from wenzhen.finetune.data import read_conversations
    from wenzhen.finetune.demo_model import resolve_adapter
    from wenzhen.finetune.generator import GenerationConfig, LocalGenerator

    conversations, issues = read_conversations(data)
    report_issues(issues, data.name)
    settings = GeneratorSettings(
        model=model, adapter=str(adapter) if adapter else None, **given(trust_remote_code=trust_remote_code)
    )
    trained = _trained_format(resolve_adapter(settings.adapter), "template")
    generator = LocalGenerator.from_settings(settings, fmt or trained)
    prompts = [c.messages[:-1] for c in conversations]
    predictions = generator.generate_batch(
        prompts, GenerationConfig(max_new_tokens=max_new_tokens), batch_size
    )
    with out.open("w", encoding="utf-8") as handle:
        for conversation, prediction in zip(conversations, predictions, strict=True):
            row = {
                "line": conversation.line,
                "prompt": conversation.messages[-2].content,
                "gold": conversation.messages[-1].content,
                "prediction": prediction,
            }
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    console.print(f"{len(predictions)} predictions -> {out} ({len(issues)} rows skipped)")
