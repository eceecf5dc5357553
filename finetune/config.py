"""Generator settings: which causal LM, and where provisioned models live (``WENZHEN_<FIELD>`` or the
``[generator]`` table of the config file).

>>> GeneratorSettings(model="/models/DISC-MedLLM", trust_remote_code=True).trust_remote_code
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from wenzhen.core.settings import WenzhenSettings, default_cache_dir


class GeneratorSettings(WenzhenSettings):
    """The causal LM that answers (a local Hugging Face folder, or the demo model)."""

    config_table = "generator"

    model: str | None = Field(
        default=None,
        description="A local Hugging Face causal-LM folder; unset: the demo Qwen2.5-Coder-0.5B-Instruct.",
    )
    adapter: str | None = Field(
        default=None,
        description="A PEFT LoRA adapter folder; 'demo': the adapter shipped for the demo model.",
    )
    trust_remote_code: bool = Field(default=False, description="Allow the model's own code (Baichuan).")
    backend: Literal["transformers", "llama_cpp"] = Field(
        default="transformers",
        description="transformers (any HF folder, LoRA adapters) or llama_cpp (a GGUF file as it is; "
        "pip install 'wenzhen[llamacpp]').",
    )
    gguf: Path | None = Field(
        default=None, description="The GGUF file the llama_cpp backend runs; unset: the demo model's GGUF."
    )
    threads: int | None = Field(default=None, ge=1, description="llama_cpp threads (unset: its default).")
    cache_dir: Path = Field(default_factory=default_cache_dir, description="Where the demo model is built.")
