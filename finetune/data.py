"""Training data: DISC conversations, Bentsao instructions and Bentsao literature dialogues, validated.

>>> conversations, issues = read_conversations(Path("disc_med_sft_examples.jsonl"))    # doctest: +SKIP

Formats (detected per record):
- DISC: ``{"conversation": [{"role": "user"|"assistant", "content": …}, …]}``;
- Bentsao instruction: ``{"instruction", "input", "output"}``;
- Bentsao literature dialogue: an instruction holding ``<user>: … <bot>: … <user>: …`` plus the output.

A conversation's unanswered last user message is dropped (it carries no loss). A bad record (malformed
JSON, unknown role, wrong role order, empty content; later, too long after truncation) is reported with
file, line and problem and skipped.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wenzhen.core.files import decode_file, iter_json_values
from wenzhen.core.issues import Issue
from wenzhen.finetune.formats import ROLES, ChatFormat, ChatMessage, DialogueError, EncodedExample, to_rounds

_TURN = re.compile(r"<(user|bot)>:\s*")


@dataclass(frozen=True)
class Conversation:
    messages: list[ChatMessage]
    source: str
    line: int


@dataclass(frozen=True)
class Example:
    encoded: EncodedExample
    source: str
    line: int


def messages_of(record: dict[str, Any]) -> list[ChatMessage]:
    """A record's conversation, whichever of the three formats it is in (raises DialogueError)."""
    if "conversation" in record:
        turns = record["conversation"]
        if not isinstance(turns, list):
            raise DialogueError("field conversation: expected a list of {role, content}")
        messages = []
        for index, turn in enumerate(turns, start=1):
            role = turn.get("role") if isinstance(turn, dict) else None
            if role not in ROLES:
                raise DialogueError(f"message {index}: unknown role {role!r} (user, assistant or system)")
            messages.append(ChatMessage(role, str(turn.get("content") or "")))
        return messages
    if "instruction" in record and "output" in record:
        instruction, output = str(record["instruction"]), str(record["output"])
        if "<user>:" in instruction:
            parts = _TURN.split(instruction)[1:]
            dialogue = [
                ChatMessage("user" if parts[i] == "user" else "assistant", parts[i + 1].strip())
                for i in range(0, len(parts) - 1, 2)
            ]
            return [*dialogue, ChatMessage("assistant", output.strip())]
        extra = str(record.get("input") or "").strip()
        question = f"{instruction.strip()}\n{extra}" if extra else instruction.strip()
        return [ChatMessage("user", question), ChatMessage("assistant", output.strip())]
    raise DialogueError("neither a DISC conversation nor a Bentsao instruction record")


def read_conversations(path: Path) -> tuple[list[Conversation], list[Issue]]:
    conversations: list[Conversation] = []
    issues: list[Issue] = []
    source = str(path)
    for item in iter_json_values(source, decode_file(path).text):
        if isinstance(item, Issue):
            issues.append(item)
            continue
        line, record = item
        try:
            if not isinstance(record, dict):
                raise DialogueError(f"expected a JSON object, got {type(record).__name__}")
            messages = messages_of(record)
            if len(messages) > 1 and messages[-1].role == "user":
                messages = messages[:-1]  # an unanswered last question teaches nothing; the rest is kept
            to_rounds(messages, for_training=True)
        except DialogueError as err:
            issues.append(Issue(source, line, str(err)))
            continue
        conversations.append(Conversation(messages, source, line))
    return conversations, issues


def encode_all(
    conversations: Iterable[Conversation], fmt: ChatFormat, max_length: int
) -> tuple[list[Example], list[Issue]]:
    """Encode with ``fmt``; a conversation that cannot fit even truncated by whole turns is reported."""
    examples, issues = [], []
    for conversation in conversations:
        try:
            encoded = fmt.training_example(conversation.messages, max_length)
        except DialogueError as err:
            issues.append(Issue(conversation.source, conversation.line, f"too long after truncation: {err}"))
            continue
        examples.append(Example(encoded, conversation.source, conversation.line))
    return examples, issues


def split_examples(
    examples: list[Example], validation_fraction: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """A seeded shuffle, then the first ``validation_fraction`` (at least one when there are two) held out."""
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    held = int(len(examples) * validation_fraction)
    if validation_fraction > 0 and len(examples) > 1:
        held = max(held, 1)
    validation = [examples[i] for i in order[:held]]
    train = [examples[i] for i in order[held:]]
    return train, validation
