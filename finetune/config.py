"""Generator settings: which causal LM, and where provisioned models live.

>>> GeneratorSettings(model="/models/DISC-MedLLM", trust_remote_code=True).trust_remote_code
True
"""

from __future__ import annotations

from pydantic import AliasChoices, Field

from kg_loader.config import WenzhenSettings
from retrieval.config import default_cache_dir


class GeneratorSettings(WenzhenSettings):
    config_table = "generator"

    model: str | None = Field(
        default=None,
        validation_alias=AliasChoices("WENZHEN_MODEL", "model"),
        description="A local Hugging Face causal-LM folder; unset: the demo Qwen2.5-Coder-0.5B-Instruct.",
    )
    adapter: str | None = Field(
        default=None,
        validation_alias=AliasChoices("WENZHEN_ADAPTER", "adapter"),
        description="A PEFT LoRA adapter folder; 'demo': the adapter shipped for the demo model.",
    )
    trust_remote_code: bool = Field(
        default=False, validation_alias=AliasChoices("WENZHEN_TRUST_REMOTE_CODE", "trust_remote_code")
    )
    cache_dir: str = Field(
        default_factory=lambda: str(default_cache_dir()), validation_alias=AliasChoices("WENZHEN_CACHE_DIR")
    )
