"""Local generation over a causal LM with the same dialogue format it was trained with.

>>> generator = LocalGenerator.from_settings(GeneratorSettings(), format_name="template")   # doctest: +SKIP
>>> generator.generate([ChatMessage("user", "肝硬化要注意什么？")])                    # doctest: +SKIP
>>> for piece in generator.stream([ChatMessage("user", "你好")]): print(piece, end="")     # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch

from wenzhen.finetune.config import GeneratorSettings
from wenzhen.finetune.formats import ChatFormat, ChatMessage


@dataclass(frozen=True)
class GenerationConfig:
    max_new_tokens: int = 256
    temperature: float = 0.0
    top_p: float = 1.0
    repetition_penalty: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int | None = None

    def kwargs(self) -> dict[str, Any]:
        sampling = self.temperature > 0
        values: dict[str, Any] = {
            "max_new_tokens": self.max_new_tokens,
            "do_sample": sampling,
            "repetition_penalty": self.repetition_penalty,
        }
        if sampling:
            values.update(temperature=self.temperature, top_p=self.top_p)
        else:
            values.update(temperature=None, top_p=None, top_k=None)
        return values


def stop_strings(config: GenerationConfig, chat_format: ChatFormat) -> tuple[str, ...]:
    """The request's stop strings, then the format's own (its turn markers)."""
    return tuple(dict.fromkeys([*config.stop, *chat_format.stop_strings()]))


class Generator(Protocol):
    """What answers: :class:`LocalGenerator` (transformers) or ``LlamaCppGenerator`` (llama.cpp)."""

    def generate(self, messages: list[ChatMessage], config: GenerationConfig | None = None) -> str: ...

    def stream(
        self, messages: list[ChatMessage], config: GenerationConfig | None = None
    ) -> Iterator[str]: ...

    def generate_batch(
        self, conversations: list[list[ChatMessage]], config: GenerationConfig | None = None
    ) -> list[str]: ...


def load_generator(
    settings: GeneratorSettings, format_name: str = "template", max_length: int = 2048
) -> Generator:
    """The configured backend's generator (``settings.backend``)."""
    if settings.backend == "llama_cpp":
        from wenzhen.finetune.llama_backend import LlamaCppGenerator

        return LlamaCppGenerator.from_settings(settings, format_name, max_length)
    return LocalGenerator.from_settings(settings, format_name, max_length)


def cut_at_stop(text: str, stops: tuple[str, ...]) -> str:
    """``text`` up to (not including) the first stop string."""
    cut = len(text)
    for stop in stops:
        index = text.find(stop)
        if index != -1:
            cut = min(cut, index)
    return text[:cut]


@dataclass
class LocalGenerator:
    model: Any
    tokenizer: Any
    format: ChatFormat
    max_length: int = 2048
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(
        cls, settings: GeneratorSettings, format_name: str = "template", max_length: int = 2048
    ) -> LocalGenerator:
        from wenzhen.finetune.models import load_model
        from wenzhen.finetune.training import make_format

        model, tokenizer = load_model(settings)
        return cls(model, tokenizer, make_format(format_name, tokenizer), max_length)

    def _inputs(self, messages: list[ChatMessage], config: GenerationConfig) -> torch.Tensor:
        ids = self.format.prompt_ids(messages, self.max_length - config.max_new_tokens)
        return torch.tensor([ids], device=self.model.device)

    def _stops(self, config: GenerationConfig) -> tuple[str, ...]:
        return stop_strings(config, self.format)

    def _generate_kwargs(self, config: GenerationConfig) -> dict[str, Any]:
        kwargs = config.kwargs()
        stops = self._stops(config)
        if stops:
            kwargs.update(stop_strings=list(stops), tokenizer=self.tokenizer)
        kwargs["pad_token_id"] = self.tokenizer.pad_token_id
        if config.seed is not None:
            torch.manual_seed(config.seed)
        return kwargs

    def generate(self, messages: list[ChatMessage], config: GenerationConfig | None = None) -> str:
        """One reply (a batch of one, so it shares decoding and stop handling with batches)."""
        return self.generate_batch([messages], config)[0]

    def stream(self, messages: list[ChatMessage], config: GenerationConfig | None = None) -> Iterator[str]:
        """Text pieces as they are generated (transformers' TextIteratorStreamer, generation on a thread)."""
        from transformers import StoppingCriteriaList, TextIteratorStreamer

        config = config or GenerationConfig()
        inputs = self._inputs(messages, config)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        kwargs = {
            **self._generate_kwargs(config),
            "streamer": streamer,
            "attention_mask": torch.ones_like(inputs),
        }

        closed = threading.Event()  # the consumer stopped reading: stop generating too
        kwargs["stopping_criteria"] = StoppingCriteriaList([_Closed(closed)])

        def run() -> None:
            with self._lock, torch.no_grad():
                self.model.generate(inputs, **kwargs)

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        stops, emitted, pending = self._stops(config), "", ""
        try:
            for piece in streamer:
                pending += piece
                text = cut_at_stop(emitted + pending, stops)
                if len(text) < len(emitted + pending):  # a stop string appeared: emit up to it and finish
                    if text[len(emitted) :]:
                        yield text[len(emitted) :]
                    break
                hold = max((len(s) - 1 for s in stops), default=0)  # a stop string may be starting
                ready = pending[: max(0, len(pending) - hold)]
                if ready:
                    yield ready
                    emitted += ready
                    pending = pending[len(ready) :]
            else:
                if pending:
                    yield pending
        finally:
            closed.set()
            worker.join()

    def generate_batch(
        self,
        conversations: list[list[ChatMessage]],
        config: GenerationConfig | None = None,
        batch_size: int = 8,
    ) -> list[str]:
        """Batched generation (left padding), one reply per conversation, in order."""
        config = config or GenerationConfig()
        replies: list[str] = []
        pad = self.tokenizer.pad_token_id
        for start in range(0, len(conversations), batch_size):
            prompts = [
                self.format.prompt_ids(c, self.max_length - config.max_new_tokens)
                for c in conversations[start : start + batch_size]
            ]
            width = max(len(p) for p in prompts)
            ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts], device=self.model.device)
            mask = torch.tensor(
                [[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=self.model.device
            )
            with self._lock, torch.no_grad():
                output = self.model.generate(ids, attention_mask=mask, **self._generate_kwargs(config))
            for row in output[:, width:]:
                text = self.tokenizer.decode(row, skip_special_tokens=True)
                replies.append(cut_at_stop(text, self._stops(config)).strip())
        return replies


class _Closed:
    """A stopping criterion: stop once ``event`` is set."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        return torch.full(
            (input_ids.shape[0],), self.event.is_set(), dtype=torch.bool, device=input_ids.device
        )
