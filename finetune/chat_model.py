"""The local generator as a LangChain chat model, with token streaming, stop sequences and settings.

>>> chat = WenzhenChatModel(model="/models/my-finetune", format_name="disc")   # doctest: +SKIP
>>> chat.invoke("肝硬化患者饮食要注意什么？").content                          # doctest: +SKIP
>>> for chunk in chat.stream("你好"): print(chunk.content, end="")            # doctest: +SKIP

``model`` is a local folder (unset: the demo model); ``backend="llama_cpp"`` runs a GGUF file (``gguf``,
unset: the demo's) with llama.cpp instead. The weights load on first use and are shared by every
instance with the same model, adapter and format. For a remote OpenAI-compatible server (vLLM, TGI), use
:func:`openai_compatible_chat_model`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.base import LangSmithParams
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from wenzhen.core.errors import InputError
from wenzhen.finetune.formats import ChatMessage, Role
from wenzhen.finetune.generator import GenerationConfig, Generator, load_generator

_GENERATORS: dict[tuple[object, ...], Generator] = {}
_GENERATORS_LOCK = threading.Lock()
_ROLES: dict[str, Role] = {
    "system": "system",
    "human": "user",
    "user": "user",
    "ai": "assistant",
    "assistant": "assistant",
}


def to_chat_messages(messages: list[BaseMessage]) -> list[ChatMessage]:
    converted = []
    for message in messages:
        role = _ROLES.get(message.type)
        if role is None:
            raise InputError(f"unsupported message type {message.type!r} (system, human, ai)")
        converted.append(ChatMessage(role, message.text))
    return converted


class WenzhenChatModel(BaseChatModel):
    model: str | None = Field(default=None, description="Local model folder; None: the demo model.")
    adapter: str | None = None
    format_name: str = "template"
    trust_remote_code: bool = False
    backend: Literal["transformers", "llama_cpp"] = "transformers"
    gguf: Path | None = Field(default=None, description="The GGUF file of the llama_cpp backend.")
    threads: int | None = None
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 256
    repetition_penalty: float = 1.0
    stop: list[str] | None = None
    seed: int | None = None
    streaming: bool = False
    timeout: float | None = Field(default=None, description="Unused: generation is local.")
    max_retries: int = Field(default=0, description="Unused: generation is local.")

    @property
    def _llm_type(self) -> str:
        return "wenzhen-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model or "demo", "adapter": self.adapter, "format": self.format_name}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="wenzhen",
            ls_model_name=kwargs.get("model", self.model) or "demo",
            ls_model_type="chat",
            ls_temperature=self.temperature,
            ls_max_tokens=self.max_tokens,
        )
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    def generator(self, model: str | None = None) -> Generator:
        """The shared generator for ``model`` (default: this instance's), loaded on first use."""
        from wenzhen.finetune.config import GeneratorSettings

        model = model or self.model
        key = (model, self.adapter, self.format_name, self.trust_remote_code, self.backend, self.gguf)
        with _GENERATORS_LOCK:
            if key not in _GENERATORS:
                settings = GeneratorSettings(
                    model=model,
                    adapter=self.adapter,
                    trust_remote_code=self.trust_remote_code,
                    backend=self.backend,
                    gguf=self.gguf,
                    threads=self.threads,
                )
                _GENERATORS[key] = load_generator(settings, self.format_name)
            return _GENERATORS[key]

    def _config(self, stop: list[str] | None, **kwargs: Any) -> GenerationConfig:
        stops = tuple([*(self.stop or []), *(stop or [])])
        return GenerationConfig(
            max_new_tokens=int(kwargs.get("max_tokens", self.max_tokens)),
            temperature=float(kwargs.get("temperature", self.temperature)),
            top_p=float(kwargs.get("top_p", self.top_p)),
            repetition_penalty=self.repetition_penalty,
            stop=stops,
            seed=kwargs.get("seed", self.seed),
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            chunks = list(self._stream(messages, stop, run_manager, **kwargs))
            text = "".join(chunk.text for chunk in chunks)
        else:
            text = self.generator(kwargs.get("model")).generate(
                to_chat_messages(messages), self._config(stop, **kwargs)
            )
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for piece in self.generator(kwargs.get("model")).stream(
            to_chat_messages(messages), self._config(stop, **kwargs)
        ):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager is not None:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk


def openai_compatible_chat_model(
    base_url: str, model: str, api_key: str = "EMPTY", **kwargs: Any
) -> BaseChatModel:
    """A chat model for an OpenAI-compatible server (vLLM or TGI serving DISC-MedLLM, say)."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=base_url, model=model, api_key=api_key, **kwargs)  # type: ignore[arg-type]
