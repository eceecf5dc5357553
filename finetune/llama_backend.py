"""The llama.cpp generator backend (``llama-cpp-python``): a GGUF file run as it is, no conversion, with the
same prompts as the transformers backend (the same dialogue format builds the token ids).

>>> generator = LlamaCppGenerator.from_settings(GeneratorSettings(backend="llama_cpp"))  # doctest: +SKIP
>>> "".join(generator.stream([ChatMessage("user", "你好")]))                            # doctest: +SKIP

The token ids come from the format over a Hugging Face tokenizer (the demo's provisioned one, the configured
model folder's, or the GGUF's own), so DISC's 195/196 tokens and the Bentsao templates are what the model
sees with either backend. Installing it compiles llama.cpp; build for a portable CPU target (a native build
crashed with "Illegal instruction" here): ``CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON
-DGGML_F16C=ON" pip install 'wenzhen[llamacpp]'``.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wenzhen.core.errors import ConfigError, ResourceMissing
from wenzhen.finetune.config import GeneratorSettings
from wenzhen.finetune.formats import ChatFormat, ChatMessage
from wenzhen.finetune.generator import GenerationConfig, stop_strings

INSTALL = (
    'the llama_cpp backend needs llama-cpp-python: CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON '
    "-DGGML_FMA=ON -DGGML_F16C=ON\" pip install 'wenzhen[llamacpp]' (it compiles llama.cpp, 12-15 minutes)"
)


def gguf_tokenizer(settings: GeneratorSettings, gguf: Path) -> Any:
    """The Hugging Face tokenizer the format builds prompts with: the demo's, the model folder's, or the
    GGUF's own."""
    from transformers import AutoTokenizer

    from wenzhen.finetune.demo_model import provision_demo_tokenizer

    if settings.gguf is None:
        return AutoTokenizer.from_pretrained(provision_demo_tokenizer(settings.cache_dir))
    if settings.model is not None:
        return AutoTokenizer.from_pretrained(settings.model, trust_remote_code=settings.trust_remote_code)
    return AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)


@dataclass
class LlamaCppGenerator:
    llama: Any
    format: ChatFormat
    max_length: int = 2048
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(
        cls, settings: GeneratorSettings, format_name: str = "template", max_length: int = 2048
    ) -> LlamaCppGenerator:
        try:
            from llama_cpp import Llama
        except ImportError as err:
            raise ResourceMissing(INSTALL) from err
        from wenzhen.finetune.demo_model import provision_demo_gguf
        from wenzhen.finetune.training import make_format

        if settings.adapter not in (None, "none"):
            raise ConfigError(
                "the llama_cpp backend runs a GGUF as it is and applies no LoRA adapter; use the "
                "transformers backend for an adapter (or a GGUF of the merged model)"
            )
        gguf = settings.gguf or provision_demo_gguf(settings.cache_dir)
        if not gguf.is_file():
            raise ResourceMissing(f"{gguf}: no GGUF file there (WENZHEN_GGUF)")
        tokenizer = gguf_tokenizer(settings, gguf)
        llama = Llama(model_path=str(gguf), n_ctx=max_length, n_threads=settings.threads, verbose=False)
        atexit.register(llama.close)  # freed before interpreter teardown, not by its __del__ during it
        return cls(llama, make_format(format_name, tokenizer), max_length)

    def stream(
        self, messages: list[ChatMessage], config: GenerationConfig | None = None
    ) -> Generator[str, None, None]:
        """Text pieces as llama.cpp samples them; closing the iterator stops generation."""
        config = config or GenerationConfig()
        ids = self.format.prompt_ids(messages, self.max_length - config.max_new_tokens)
        stops = list(stop_strings(config, self.format))
        with self._lock:
            for chunk in self.llama.create_completion(
                prompt=ids,
                max_tokens=config.max_new_tokens,
                temperature=config.temperature,
                top_p=config.top_p,
                repeat_penalty=config.repetition_penalty,
                stop=stops or None,
                seed=config.seed if config.seed is not None else -1,
                stream=True,
            ):
                text = chunk["choices"][0]["text"]
                if text:
                    yield text

    def generate(self, messages: list[ChatMessage], config: GenerationConfig | None = None) -> str:
        return "".join(self.stream(messages, config)).strip()

    def generate_batch(
        self, conversations: list[list[ChatMessage]], config: GenerationConfig | None = None
    ) -> list[str]:
        """One reply per conversation, in order (llama.cpp decodes one sequence at a time here)."""
        return [self.generate(conversation, config) for conversation in conversations]
