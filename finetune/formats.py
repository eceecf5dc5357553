"""Dialogue formats, one definition for training and for generation, so the two cannot drift apart.

>>> fmt = DiscFormat(tokenizer)                                                   # doctest: +SKIP
>>> example = fmt.training_example(messages, max_length=1200)                     # doctest: +SKIP
>>> prompt = fmt.prompt_ids(messages[:-1], max_length=1200)                       # doctest: +SKIP
>>> example.input_ids[: len(prompt)] == prompt                                    # doctest: +SKIP
True

- :class:`DiscFormat`: DISC-MedLLM / Baichuan-13B-Chat: ``<bos> 195 user 196 assistant <eos> 195 …``; loss on
  assistant tokens and their eos; too long dialogues lose whole rounds (training keeps the first rounds,
  generation the latest).
- :class:`BentsaoFormat`: Bentsao (本草) prompt templates: prompt -> response, loss on the response; earlier
  turns of a multi-turn dialogue go into the instruction as ``<user>: … <bot>: …``.
- :class:`TemplateFormat`: the tokenizer's own chat template (Qwen etc.); loss on each assistant turn.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from wenzhen.core.errors import InputError

IGNORE_INDEX = -100
Role = Literal["system", "user", "assistant"]
ROLES: tuple[Role, ...] = ("system", "user", "assistant")


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class EncodedExample:
    """Token ids to learn on, labels (IGNORE_INDEX where no loss), and how many rounds survived truncation."""

    input_ids: list[int]
    labels: list[int]
    rounds: int


class DialogueError(InputError):
    """A conversation the format cannot encode (role order, empty content, too long)."""


@dataclass(frozen=True)
class Round:
    user: str
    assistant: str | None


def to_rounds(messages: list[ChatMessage], for_training: bool) -> tuple[str | None, list[Round]]:
    """Split into (system, rounds); roles must alternate user/assistant after an optional system message,
    ending with an assistant (training) or a user message (generation)."""
    system = None
    body = list(messages)
    if body and body[0].role == "system":
        system = body.pop(0).content
    for index, message in enumerate(body):
        if message.role not in ("user", "assistant"):
            raise DialogueError(f"message {index + 1}: role {message.role!r} is not user or assistant here")
        expected = "user" if index % 2 == 0 else "assistant"
        if message.role != expected:
            raise DialogueError(f"message {index + 1}: expected a {expected} message, got {message.role}")
        if not message.content.strip():
            raise DialogueError(f"message {index + 1}: empty {message.role} content")
    if not body:
        raise DialogueError("no messages")
    last = body[-1].role
    if for_training and last != "assistant":
        raise DialogueError("a training conversation must end with an assistant message")
    if not for_training and last != "user":
        raise DialogueError("a prompt must end with a user message")
    rounds = [
        Round(body[i].content, body[i + 1].content if i + 1 < len(body) else None)
        for i in range(0, len(body), 2)
    ]
    return system, rounds


class ChatFormat(ABC):
    name: str

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False))

    @abstractmethod
    def training_example(self, messages: list[ChatMessage], max_length: int) -> EncodedExample:
        """Ids and labels for a conversation ending with an assistant message."""

    @abstractmethod
    def prompt_ids(self, messages: list[ChatMessage], max_length: int) -> list[int]:
        """Ids for generating the next assistant message of a conversation ending with a user message."""

    def stop_strings(self) -> list[str]:
        return []


class DiscFormat(ChatFormat):
    name = "disc"

    def __init__(self, tokenizer: Any, user_token_id: int = 195, assistant_token_id: int = 196) -> None:
        super().__init__(tokenizer)
        self.user_token_id = user_token_id
        self.assistant_token_id = assistant_token_id

    def _head(self) -> list[int]:
        bos = self.tokenizer.bos_token_id
        return [bos] if bos is not None else []

    def _user(self, text: str) -> list[int]:
        return [self.user_token_id, *self.encode(text), self.assistant_token_id]

    def _assistant(self, text: str) -> list[int]:
        return [*self.encode(text), self.tokenizer.eos_token_id]

    def _rounds(self, messages: list[ChatMessage], for_training: bool) -> list[Round]:
        system, rounds = to_rounds(messages, for_training)
        if system:  # DISC has no system slot: it leads the first user turn
            rounds[0] = Round(f"{system}\n{rounds[0].user}", rounds[0].assistant)
        return rounds

    def training_example(self, messages: list[ChatMessage], max_length: int) -> EncodedExample:
        ids, labels, kept = self._head(), [IGNORE_INDEX] * len(self._head()), 0
        for turn in self._rounds(messages, for_training=True):
            user, answer = self._user(turn.user), self._assistant(turn.assistant or "")
            if len(ids) + len(user) + len(answer) > max_length:
                break
            ids += user + answer
            labels += [IGNORE_INDEX] * len(user) + answer
            kept += 1
        if not kept:
            raise DialogueError(f"the first round alone is longer than {max_length} tokens")
        return EncodedExample(ids, labels, kept)

    def prompt_ids(self, messages: list[ChatMessage], max_length: int) -> list[int]:
        rounds = self._rounds(messages, for_training=False)
        tail = self._user(rounds[-1].user)
        for turn in reversed(rounds[:-1]):
            earlier = self._user(turn.user) + self._assistant(turn.assistant or "")
            if len(self._head()) + len(earlier) + len(tail) > max_length:
                break
            tail = earlier + tail
        if len(self._head()) + len(tail) > max_length:
            raise DialogueError(f"the last user message alone is longer than {max_length} tokens")
        return self._head() + tail


@dataclass(frozen=True)
class Template:
    """A Bentsao prompt template (``templates/*.json``)."""

    name: str
    prompt_no_input: str
    response_split: str
    prompt_input: str | None = None

    @classmethod
    def load(cls, name: str) -> Template:
        data = json.loads(
            (resources.files("wenzhen.finetune") / "templates" / f"{name}.json").read_text(encoding="utf-8")
        )
        return cls(name, data["prompt_no_input"], data["response_split"], data.get("prompt_input"))

    def render(self, instruction: str, input_text: str = "") -> str:
        if input_text and self.prompt_input:
            return self.prompt_input.format(instruction=instruction, input=input_text)
        return self.prompt_no_input.format(instruction=instruction)


TEMPLATES = ("med_template", "literature_template", "bloom_deploy", "ori_template")


class BentsaoFormat(ChatFormat):
    name = "bentsao"

    def __init__(self, tokenizer: Any, template: Template) -> None:
        super().__init__(tokenizer)
        self.template = template

    @staticmethod
    def instruction(rounds: list[Round]) -> str:
        """The last question; with earlier turns, the whole ``<user>: … <bot>: … <user>: …`` dialogue."""
        if len(rounds) == 1:
            return rounds[0].user
        history = " ".join(f"<user>: {r.user} <bot>: {r.assistant}" for r in rounds[:-1])
        return f"{history} <user>: {rounds[-1].user}"

    def _prompt(self, system: str | None, rounds: list[Round], max_length: int, reserve: int) -> list[int]:
        """The prompt for the last round, dropping the oldest earlier rounds until ``reserve`` more fit."""
        for start in range(len(rounds)):
            text = self.template.render(self.instruction(rounds[start:]))
            ids = self.encode(f"{system}\n{text}" if system else text)
            if len(ids) + reserve <= max_length:
                return ids
        raise DialogueError(f"the last question does not fit in {max_length} tokens")

    def training_example(self, messages: list[ChatMessage], max_length: int) -> EncodedExample:
        system, rounds = to_rounds(messages, for_training=True)
        answer = [*self.encode(rounds[-1].assistant or ""), self.tokenizer.eos_token_id]
        last = Round(rounds[-1].user, None)
        prompt = self._prompt(system, [*rounds[:-1], last], max_length, reserve=len(answer))
        return EncodedExample(prompt + answer, [IGNORE_INDEX] * len(prompt) + answer, 1)

    def prompt_ids(self, messages: list[ChatMessage], max_length: int) -> list[int]:
        system, rounds = to_rounds(messages, for_training=False)
        return self._prompt(system, rounds, max_length, reserve=0)

    def stop_strings(self) -> list[str]:
        return ["<user>:"]


class TemplateFormat(ChatFormat):
    """The tokenizer's chat template; a conversation's rendering must extend its prefixes' renderings."""

    name = "template"

    def _render(self, messages: list[ChatMessage], generation_prompt: bool) -> list[int]:
        rendered = self.tokenizer.apply_chat_template(
            [{"role": m.role, "content": m.content} for m in messages],
            tokenize=True,
            add_generation_prompt=generation_prompt,
            return_dict=False,
        )
        return list(rendered)

    def training_example(self, messages: list[ChatMessage], max_length: int) -> EncodedExample:
        to_rounds(messages, for_training=True)
        ids: list[int] = []
        labels: list[int] = []
        kept = 0
        for index, message in enumerate(messages):
            if message.role != "assistant":
                continue
            prompt = self._render(messages[:index], generation_prompt=True)
            full = self._render(messages[: index + 1], generation_prompt=False)
            if full[: len(prompt)] != prompt or full[: len(ids)] != ids:
                raise DialogueError(
                    "this chat template does not render conversations as prefixes of each other"
                )
            if len(full) > max_length:
                break
            labels += [IGNORE_INDEX] * (len(prompt) - len(ids)) + full[len(prompt) :]
            ids = full
            kept += 1
        if not kept:
            raise DialogueError(f"the first round alone is longer than {max_length} tokens")
        return EncodedExample(ids, labels, kept)

    def prompt_ids(self, messages: list[ChatMessage], max_length: int) -> list[int]:
        system, rounds = to_rounds(messages, for_training=False)
        head = [ChatMessage("system", system)] if system else []
        for start in range(len(rounds)):
            kept = [
                m
                for r in rounds[start:]
                for m in (
                    ChatMessage("user", r.user),
                    *([ChatMessage("assistant", r.assistant)] if r.assistant is not None else []),
                )
            ]
            ids = self._render(head + kept, generation_prompt=True)
            if len(ids) <= max_length:
                return ids
        raise DialogueError(f"the last user message does not fit in {max_length} tokens")
