"""Benchmark: LoRA training tokens/s and peak RSS, Wenzhen's trainer vs TRL's SFTTrainer.

    python bench/lora_training.py [--steps 8] [--max-length 256]

Peak RSS is counted from after the model is loaded (Linux VmHWM, reset then), so it measures training.
Same demo model (fp32 on CPU), same examples (the DISC-Med-SFT sample in the chat-template format, the same
ids and loss mask), same LoRA config (r 8, all linear layers), batch size and sequence length. Each side runs
in its own subprocess (for its peak RSS), both without gradient checkpointing (TRL's default is on);
both get the examples in the same order (so the same batches); throughput counts the non-padding tokens fed
to the model after the first optimizer step, timed to the last. Targets: speed >= 1.0x, memory
<= 1.0x.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "finetune"


def throughput_callback(model: Any, pad_token_id: int) -> Any:
    """Times the steps after the first and counts the non-padding tokens they feed the model."""
    from transformers import TrainerCallback

    class Throughput(TrainerCallback):
        def __init__(self) -> None:
            self.tokens, self.started, self.ended = 0, 0.0, 0.0

        def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if state.global_step == 1 and not self.started:  # step 0 warms up
                self.started = time.perf_counter()

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.ended = time.perf_counter()

    throughput = Throughput()

    def count(_module: Any, inputs: tuple[Any, ...]) -> None:
        if throughput.started:
            throughput.tokens += int((inputs[0] != pad_token_id).sum())

    model.get_input_embeddings().register_forward_pre_hook(count)
    return throughput


def reset_peak_rss() -> None:
    """Linux: restart the process's peak-RSS count (VmHWM) from its current RSS."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    """Peak RSS since the last reset (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def run_side(side: str, steps: int, max_length: int, out: Path) -> None:
    import torch
    from datasets import Dataset

    from wenzhen.finetune.config import GeneratorSettings
    from wenzhen.finetune.data import encode_all, read_conversations, split_examples
    from wenzhen.finetune.models import load_model
    from wenzhen.finetune.train_config import TrainConfig
    from wenzhen.finetune.training import make_format, train

    torch.manual_seed(0)
    model, tokenizer = load_model(GeneratorSettings(), dtype="fp32", for_training=True)
    reset_peak_rss()  # count training, not loading (identical on both sides)
    data = SHARED / "disc_med_sft_examples.jsonl"
    conversations, _ = read_conversations(data)
    examples, _ = encode_all(conversations, make_format("template", tokenizer), max_length)
    examples, _ = split_examples(examples, 0.0, 42)  # Wenzhen's own order, given to TRL too: same batches
    batch = 4
    callback = throughput_callback(model, tokenizer.pad_token_id)
    common = {
        "per_device_train_batch_size": batch,
        "gradient_accumulation_steps": 1,
        "learning_rate": 2e-4,
        "max_steps": steps,
        "logging_steps": 1,
        "save_steps": 10_000,
        "report_to": "none",
        "seed": 42,
    }
    with tempfile.TemporaryDirectory() as tmp:
        if side == "wenzhen":
            config = TrainConfig.from_dict(
                {
                    **common,
                    "output_dir": tmp,
                    "train_file": str(data),
                    "format": "template",
                    "validation_fraction": 0.0,
                    "max_seq_length": max_length,
                    "lr_scheduler_type": "constant",
                    "lora": {"r": 8, "alpha": 16, "dropout": 0.0},
                }
            )
            train(config, model=model, tokenizer=tokenizer, callbacks=[callback])
        else:
            from peft import LoraConfig
            from trl import SFTConfig, SFTTrainer  # type: ignore[attr-defined]

            rows = [{"input_ids": e.encoded.input_ids, "labels": e.encoded.labels} for e in examples]
            args = SFTConfig(
                output_dir=tmp,
                max_length=max_length,
                packing=False,
                bf16=False,
                gradient_checkpointing=False,  # TRL turns it on by default; Wenzhen does not
                lr_scheduler_type="constant",
                **common,  # type: ignore[arg-type]
            )
            trainer = SFTTrainer(
                model=model,
                args=args,
                train_dataset=Dataset.from_list(rows),
                processing_class=tokenizer,
                callbacks=[callback],
                peft_config=LoraConfig(
                    r=8, lora_alpha=16, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM"
                ),
            )
            trainer.train()
    seconds = callback.ended - callback.started
    tokens = callback.tokens  # fed to the model in the steps after the first
    peak_mb = peak_rss_mb()
    out.write_text(json.dumps({"tokens_per_s": tokens / seconds, "seconds": seconds, "peak_rss_mb": peak_mb}))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--side", choices=("wenzhen", "trl"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        run_side(args.side, args.steps, args.max_length, args.out)
        return
    results = {}
    for side in ("trl", "wenzhen"):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--side",
                    side,
                    "--steps",
                    str(args.steps),
                    "--max-length",
                    str(args.max_length),
                    "--out",
                    out.name,
                ],
                check=True,
            )
            results[side] = json.loads(Path(out.name).read_text())  # the side's own peak RSS
        r = results[side]
        print(f"{side:<8} {r['tokens_per_s']:7.1f} tokens/s   peak RSS {r['peak_rss_mb']:7.0f} MB")
    speed = results["wenzhen"]["tokens_per_s"] / results["trl"]["tokens_per_s"]
    memory = results["wenzhen"]["peak_rss_mb"] / results["trl"]["peak_rss_mb"]
    print(f"ratio speed {speed:.2f}x (target >= 1.0), memory {memory:.2f}x (target <= 1.0)")


if __name__ == "__main__":
    main()
