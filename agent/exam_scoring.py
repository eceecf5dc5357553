"""Two ways to have a model answer a multiple-choice question.

- :class:`LogLikelihoodScorer`: the prompt in the model's own dialogue format (DISC 195/196, a Bentsao
  template or the tokenizer's chat template), the reply opened with "答案：", and the option letter with the
  highest next-token log-probability chosen — nothing parsed, the same for a 0.5B demo model and a 13B
  DISC-MedLLM (transformers backend).
- :class:`GenerationScorer`: the reply generated (any backend, or an OpenAI-compatible server such as vLLM)
  and its letters read by :func:`extract_letters`.

>>> extract_letters("答案：B。左心功能不全可致夜间阵发性呼吸困难", {"A": "癔病", "B": "左心功能不全"})
('B',)
>>> extract_letters("正确的是左心功能不全", {"A": "癔病", "B": "左心功能不全"})
('B',)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from wenzhen.finetune.formats import ChatMessage
from wenzhen.finetune.generator import GenerationConfig

ANSWER_LEAD = "答案："
INSTRUCTION = "以下是一道医学考试选择题，请选出正确答案（只写选项字母）。"
_LEAD = re.compile(
    r"(?:答案|正确答案|正确选项|应选|选择|选)\s*(?:是|为|应为|应该是)?\s*[：:]?\s*([A-H](?:\s*[、,，和及与/]?\s*[A-H])*)"
)
_START = re.compile(r"^\W*([A-H](?:\s*[、,，]?\s*[A-H])*)(?![A-Za-z])")
_LONE = re.compile(r"(?<![A-Za-z])([A-H])(?![A-Za-z])")


@dataclass(frozen=True)
class Choice:
    """The letters a scorer chose, with what it saw: per-letter log-probabilities or the generated text."""

    letters: tuple[str, ...]
    scores: dict[str, float] | None = None
    text: str | None = None


class Scorer(Protocol):
    name: str

    def choose(self, messages: list[ChatMessage], letters: list[str], options: dict[str, str]) -> Choice: ...


def _letters(found: str, allowed: dict[str, str]) -> tuple[str, ...]:
    return tuple(sorted({letter for letter in found if letter in allowed}))


def extract_letters(text: str, options: dict[str, str]) -> tuple[str, ...]:
    """The option letters a free-text reply picks: after 答案/选, else at its start, else the one option
    whose text it quotes, else the one letter it names alone; () when it picks none."""
    for pattern in (_LEAD, _START):
        match = pattern.search(text.strip())
        if match and _letters(match.group(1), options):
            return _letters(match.group(1), options)
    quoted = [letter for letter, option in options.items() if option and option in text]
    if len(quoted) == 1:
        return (quoted[0],)
    alone = {letter for letter in _LONE.findall(text) if letter in options}
    return (alone.pop(),) if len(alone) == 1 else ()


class LogLikelihoodScorer:
    """The letter with the highest next-token log-probability after the format's prompt and "答案："."""

    name = "loglik"

    def __init__(self, generator: Any, max_length: int = 2048) -> None:
        from wenzhen.core.errors import ConfigError

        if not hasattr(generator, "model") or not hasattr(generator, "tokenizer"):
            raise ConfigError(
                "the log-likelihood scorer reads the model's logits: use the transformers backend "
                "(WENZHEN_BACKEND=transformers), or --scorer generate"
            )
        if hasattr(generator.model, "merge_and_unload"):  # a LoRA adapter folded in: the same logits, faster
            generator.model = generator.model.merge_and_unload()
        self.generator = generator
        self.max_length = max_length
        self.lead = generator.tokenizer.encode(ANSWER_LEAD, add_special_tokens=False)

    def letter_ids(self, letters: list[str]) -> dict[str, int]:
        tokenizer = self.generator.tokenizer
        return {letter: tokenizer.encode(letter, add_special_tokens=False)[0] for letter in letters}

    def choose(self, messages: list[ChatMessage], letters: list[str], options: dict[str, str]) -> Choice:
        import torch

        ids = self.generator.format.prompt_ids(messages, self.max_length - len(self.lead) - 1) + self.lead
        with torch.inference_mode():
            inputs = torch.tensor([ids], device=self.generator.model.device)
            logits = self.generator.model(inputs, logits_to_keep=1).logits  # the last position's only
        logprobs = torch.log_softmax(logits[0, -1].float(), dim=-1)
        scores = {letter: float(logprobs[token]) for letter, token in self.letter_ids(letters).items()}
        return Choice((max(scores, key=scores.__getitem__),), scores=scores)


class GenerationScorer:
    """A generated reply, read for its letters."""

    name = "generate"

    def __init__(self, ask: Callable[[list[ChatMessage]], str]) -> None:
        self.ask = ask

    @classmethod
    def from_generator(cls, generator: Any, max_new_tokens: int = 32) -> GenerationScorer:
        config = GenerationConfig(max_new_tokens=max_new_tokens)
        return cls(lambda messages: str(generator.generate(messages, config)))

    @classmethod
    def from_chat_model(cls, chat_model: Any) -> GenerationScorer:
        """Over a LangChain chat model (e.g. :func:`openai_compatible_chat_model` for a vLLM server)."""
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        kinds = {"user": HumanMessage, "assistant": AIMessage, "system": SystemMessage}
        return cls(
            lambda messages: str(chat_model.invoke([kinds[m.role](m.content) for m in messages]).content)
        )

    def choose(self, messages: list[ChatMessage], letters: list[str], options: dict[str, str]) -> Choice:
        text = self.ask(messages)
        return Choice(extract_letters(text, options), text=text)
