"""One dialogue definition for training and generation: DISC 195/196, Bentsao templates, chat templates."""

from __future__ import annotations

from typing import Any

import pytest

from wenzhen.finetune.formats import (
    IGNORE_INDEX,
    TEMPLATES,
    BentsaoFormat,
    ChatFormat,
    ChatMessage,
    DialogueError,
    DiscFormat,
    Template,
    TemplateFormat,
)


def formats(tokenizer: Any) -> list[ChatFormat]:
    return [DiscFormat(tokenizer), TemplateFormat(tokenizer)] + [
        BentsaoFormat(tokenizer, Template.load(name)) for name in TEMPLATES
    ]


def test_generation_prompt_is_exactly_what_training_learns_before_the_answer(
    qwen_tokenizer: Any, dialogue: list[ChatMessage]
) -> None:
    for fmt in formats(qwen_tokenizer):
        example = fmt.training_example(dialogue, max_length=1200)
        prompt = fmt.prompt_ids(dialogue[:-1], max_length=1200)
        assert example.input_ids[: len(prompt)] == prompt, fmt.name
        answer = qwen_tokenizer.decode([t for t in example.labels[len(prompt) :] if t != IGNORE_INDEX])
        assert dialogue[-1].content in answer, fmt.name
        assert len(example.input_ids) == len(example.labels)


def test_disc_layout_and_loss_mask(qwen_tokenizer: Any, dialogue: list[ChatMessage]) -> None:
    fmt = DiscFormat(qwen_tokenizer)
    example = fmt.training_example(dialogue, max_length=1200)
    ids, labels = example.input_ids, example.labels
    encode = fmt.encode
    eos = qwen_tokenizer.eos_token_id
    expected = [
        195,
        *encode(dialogue[0].content),
        196,
        *encode(dialogue[1].content),
        eos,
        195,
        *encode(dialogue[2].content),
        196,
        *encode(dialogue[3].content),
        eos,
    ]
    bos = [qwen_tokenizer.bos_token_id] if qwen_tokenizer.bos_token_id is not None else []
    assert ids == bos + expected
    trained = [t for t in labels if t != IGNORE_INDEX]
    assert trained == [*encode(dialogue[1].content), eos, *encode(dialogue[3].content), eos]
    assert all(labels[i] == IGNORE_INDEX for i, t in enumerate(ids) if t in (195, 196))
    prompt = fmt.prompt_ids(dialogue[:3], max_length=1200)
    assert prompt[-1] == 196 and prompt.count(195) == 2


def test_disc_truncates_by_whole_rounds(qwen_tokenizer: Any, dialogue: list[ChatMessage]) -> None:
    fmt = DiscFormat(qwen_tokenizer)
    full = fmt.training_example(dialogue, max_length=1200)
    first_round = len(fmt.training_example(dialogue[:2], max_length=1200).input_ids)
    cut = fmt.training_example(dialogue, max_length=len(full.input_ids) - 1)
    assert cut.rounds == 1 and len(cut.input_ids) == first_round
    prompt = fmt.prompt_ids(dialogue[:3], max_length=len(fmt.prompt_ids(dialogue[:3], 1200)) - 1)
    assert prompt.count(195) == 1  # generation keeps the latest round instead
    with pytest.raises(DialogueError, match="longer than"):
        fmt.training_example(dialogue, max_length=5)


def test_bentsao_templates_render_the_seed_prompts(qwen_tokenizer: Any, dialogue: list[ChatMessage]) -> None:
    med = BentsaoFormat(qwen_tokenizer, Template.load("med_template"))
    single = qwen_tokenizer.decode(med.prompt_ids(dialogue[:1], 1200))
    question = dialogue[0].content
    assert single == f"下面是一个问题，运用医学知识来正确回答提问.\n### 问题:\n{question}\n### 回答:\n"
    literature = BentsaoFormat(qwen_tokenizer, Template.load("literature_template"))
    multi = qwen_tokenizer.decode(literature.prompt_ids(dialogue[:3], 1200))
    turns = [
        f"<user>: {dialogue[0].content}",
        f"<bot>: {dialogue[1].content}",
        f"<user>: {dialogue[2].content}",
    ]
    assert " ".join(turns) in multi
    assert multi.endswith("### 回复:\n")
    example = med.training_example(dialogue[:2], 1200)
    assert example.labels[-1] == qwen_tokenizer.eos_token_id
    assert qwen_tokenizer.decode([t for t in example.labels if t != IGNORE_INDEX][:-1]) == dialogue[1].content


def test_bad_conversations_are_refused(qwen_tokenizer: Any) -> None:
    fmt = DiscFormat(qwen_tokenizer)
    with pytest.raises(DialogueError, match="expected a user"):
        fmt.training_example([ChatMessage("assistant", "你好")], 100)
    with pytest.raises(DialogueError, match="empty"):
        fmt.training_example([ChatMessage("user", " "), ChatMessage("assistant", "好")], 100)
    with pytest.raises(DialogueError, match="end with an assistant"):
        fmt.training_example([ChatMessage("user", "你好")], 100)
