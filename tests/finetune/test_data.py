"""Training data: the three seed formats read; bad rows named by file, line and problem, then skipped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wenzhen.finetune.data import encode_all, read_conversations, split_examples
from wenzhen.finetune.formats import DiscFormat

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "finetune"


def test_seed_files_read_whole() -> None:
    disc, disc_issues = read_conversations(SHARED / "disc_med_sft_examples.jsonl")
    bentsao, bentsao_issues = read_conversations(SHARED / "bentsao_llama_data.jsonl")
    literature, literature_issues = read_conversations(SHARED / "huatuo_liver_cancer_conversation.jsonl")
    assert (len(disc), len(bentsao), len(literature)) == (163, 8658, 1000)
    assert not disc_issues and not bentsao_issues and not literature_issues
    assert [m.role for m in bentsao[0].messages] == ["user", "assistant"]


def test_bentsao_literature_dialogue_becomes_turns(tmp_path: Path) -> None:
    path = tmp_path / "lit.json"
    path.write_text(
        json.dumps(
            [{"instruction": " <user>: 问一 <bot>: 答一 <user>: 问二", "input": "", "output": "答二"}],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    conversations, issues = read_conversations(path)
    assert not issues
    assert [(m.role, m.content) for m in conversations[0].messages] == [
        ("user", "问一"),
        ("assistant", "答一"),
        ("user", "问二"),
        ("assistant", "答二"),
    ]


def test_bad_rows_are_reported_and_skipped(tmp_path: Path, qwen_tokenizer: Any) -> None:
    rows = [
        {"conversation": [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "您好"}]},
        {"conversation": [{"role": "doctor", "content": "你好"}]},
        {"conversation": [{"role": "assistant", "content": "您好"}, {"role": "user", "content": "嗯"}]},
        {"conversation": [{"role": "user", "content": ""}, {"role": "assistant", "content": "您好"}]},
        {"instruction": "".join(f"第{i}条病史记录。" for i in range(800)), "input": "", "output": "答"},
        {"something": "else"},
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{broken\n", encoding="utf-8"
    )
    conversations, issues = read_conversations(path)
    problems = {issue.line: issue.reason for issue in issues}
    assert "unknown role 'doctor'" in problems[2]
    assert "expected a user message" in problems[3]
    assert "empty user content" in problems[4]
    assert "neither a DISC conversation" in problems[6]
    assert "malformed JSON" in problems[7]
    assert all(issue.source == str(path) for issue in issues)
    examples, too_long = encode_all(conversations, DiscFormat(qwen_tokenizer), max_length=1200)
    assert [e.line for e in examples] == [1]
    assert [(i.line, i.reason.startswith("too long after truncation")) for i in too_long] == [(5, True)]


def test_split_is_seeded(qwen_tokenizer: Any) -> None:
    conversations, _ = read_conversations(SHARED / "disc_med_sft_examples.jsonl")
    examples, _ = encode_all(conversations[:40], DiscFormat(qwen_tokenizer), 1200)
    first = split_examples(examples, 0.1, seed=7)
    assert [e.line for e in first[1]] == [e.line for e in split_examples(examples, 0.1, seed=7)[1]]
    assert [e.line for e in first[1]] != [e.line for e in split_examples(examples, 0.1, seed=8)[1]]
    assert len(first[1]) == 4 and len(first[0]) + len(first[1]) == len(examples)
