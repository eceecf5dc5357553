"""Load a local causal LM (optionally with a PEFT LoRA adapter) for training or generation.

>>> model, tokenizer = load_model(GeneratorSettings())        # doctest: +SKIP
>>> disc = GeneratorSettings(model="/models/DISC-MedLLM", trust_remote_code=True)
>>> model, tokenizer = load_model(disc)                         # doctest: +SKIP

``GeneratorSettings()`` is the demo model. Nothing is downloaded: a name that is not a local folder must
already be in the local Hugging Face cache.
bf16 on a GPU that supports it (else fp16), fp32 on CPU unless ``dtype`` says otherwise; ``device_map="auto"``
spreads a large model over the GPUs.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

from wenzhen.finetune.config import GeneratorSettings
from wenzhen.finetune.demo_model import ModelUnavailable, provision_demo_model, resolve_adapter


@contextmanager
def peft_wrapping() -> Iterator[None]:
    """Wrap a model with peft without the FutureWarning peft 0.21 triggers by reading transformers 5's
    deprecated ``is_gradient_checkpointing``: it is peft's to fix, and it would land in users' chat output."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="`is_gradient_checkpointing` is deprecated", category=FutureWarning
        )
        yield


def default_dtype(requested: str | None = None) -> torch.dtype:
    if requested:
        return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[requested]
    if torch.cuda.is_available():
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def model_path(settings: GeneratorSettings) -> str:
    return settings.model or str(provision_demo_model(settings.cache_dir))


def load_tokenizer(path: str, trust_remote_code: bool = False) -> Any:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(
        path, trust_remote_code=trust_remote_code, local_files_only=True
    )
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(
    settings: GeneratorSettings, dtype: str | None = None, for_training: bool = False
) -> tuple[Any, Any]:
    """(model, tokenizer) from the configured folder (+ adapter), ready for generation or training."""
    from transformers import AutoModelForCausalLM

    path = model_path(settings)
    try:
        tokenizer = load_tokenizer(path, settings.trust_remote_code)
        model: Any = AutoModelForCausalLM.from_pretrained(
            path,
            dtype=default_dtype(dtype),
            trust_remote_code=settings.trust_remote_code,
            local_files_only=True,
            device_map="auto" if torch.cuda.is_available() else None,
        )
    except OSError as err:
        raise ModelUnavailable(
            f"model {path!r} is not a local Hugging Face folder nor in the local cache (nothing is "
            "downloaded); set WENZHEN_MODEL to a model folder"
        ) from err
    adapter = resolve_adapter(settings.adapter)
    if adapter:
        from peft import PeftModel

        with peft_wrapping():
            model = PeftModel.from_pretrained(model, adapter, is_trainable=for_training)
    if not for_training:
        model.eval()
    return model, tokenizer
