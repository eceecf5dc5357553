"""Write the demo adapter's training set: a seeded sample of the shared medical SFT data (DISC format).

    python scripts/make_demo_adapter_data.py [--out /tmp/demo_adapter_sft.jsonl]

240 Bentsao instructions, 80 DISC-Med-SFT conversations and 80 liver-cancer literature dialogues, each
capped at 3 rounds, in one file of ``{"conversation": [...]}`` rows.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from wenzhen.finetune.data import read_conversations

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "finetune"
SAMPLES = {
    "bentsao_llama_data.jsonl": 240,
    "disc_med_sft_examples.jsonl": 80,
    "huatuo_liver_cancer_conversation.jsonl": 80,
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/demo_adapter_sft.jsonl"))
    args = parser.parse_args()
    rows = []
    rng = random.Random(42)
    for name, count in SAMPLES.items():
        conversations, _ = read_conversations(SHARED / name)
        for conversation in rng.sample(conversations, count):
            messages = conversation.messages[:6]
            rows.append({"conversation": [{"role": m.role, "content": m.content} for m in messages]})
    rng.shuffle(rows)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} conversations -> {args.out}")


if __name__ == "__main__":
    main()
