"""Generator settings: which causal LM, and where provisioned models live (``WENZHEN_<FIELD>`` or the
``[generator]`` table of the config file).

>>> GeneratorSettings(model="/models/DISC-MedLLM", trust_remote_code=True).trust_remote_code
True
"""

from __future__ import annotations

from pathlib import Path

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
    cache_dir: Path = Field(default_factory=default_cache_dir, description="Where the demo model is built.")
