"""Server settings: where it listens, who may use it, how much it takes, how long it keeps sessions.

>>> ServerSettings(host="127.0.0.1").auth_required
False
>>> ServerSettings(host="0.0.0.0").auth_required
True

From init arguments, then ``WENZHEN_*`` variables (``WENZHEN_PORT``, ``WENZHEN_API_KEYS_FILE`` …), then the
``[server]`` table of the config file. API keys are required whenever the server listens on anything but
loopback; ``auth = "off"`` there is refused at start.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field

from wenzhen.api.keys import KeyStore
from wenzhen.core.errors import ConfigError
from wenzhen.core.settings import WenzhenSettings, default_data_dir


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ServerSettings(WenzhenSettings):
    """How ``wenzhen serve`` runs (``WENZHEN_<FIELD>`` or the ``[server]`` table)."""

    config_table = "server"

    host: str = Field(default="127.0.0.1", description="Address to listen on.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port to listen on.")
    workers: int = Field(default=1, ge=1, description="uvicorn worker processes (they share the sessions).")
    auth: Literal["auto", "on", "off"] = Field(
        default="auto", description="API keys: auto = required unless listening on loopback."
    )
    api_keys_file: Path | None = Field(
        default=None,
        description="Hashed API keys (wenzhen keys add); default <data dir>/api_keys.json.",
    )
    sessions: str | None = Field(
        default=None,
        description="A SQLite file (default <data dir>/sessions.sqlite) or a postgresql:// URL.",
    )
    retention_hours: float = Field(
        default=24 * 30, gt=0, description="Sessions untouched this long are deleted."
    )
    rate_limit: int = Field(default=60, ge=1, description="Requests per minute per API key.")
    max_body_bytes: int = Field(default=64_000, ge=1024, description="Largest request body.")
    max_messages: int = Field(
        default=100, ge=1, description="Most messages in one /v1/chat/completions request."
    )
    generation_slots: int = Field(default=1, ge=1, description="Answers generated at once.")
    generation_queue: int = Field(
        default=4, ge=0, description="Answers waiting for a slot; beyond it: 503 with Retry-After."
    )
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS.")
    log_messages: bool = Field(
        default=False, description="Log patients' message text (off: medical data stays out of logs)."
    )
    model_name: str = Field(default="wenzhen", description="The model id /v1/models lists.")

    @property
    def auth_required(self) -> bool:
        return self.auth == "on" or (self.auth == "auto" and not is_loopback(self.host))

    @property
    def keys_path(self) -> Path:
        return self.api_keys_file or default_data_dir() / "api_keys.json"

    @property
    def sessions_path(self) -> str:
        return self.sessions or str(default_data_dir() / "sessions.sqlite")

    def check(self) -> None:
        """Refuse settings a server must not start with: no auth off loopback, no auth without keys."""
        if self.auth == "off" and not is_loopback(self.host):
            raise ConfigError(
                f"auth = off while listening on {self.host}: anyone who reaches it could read consultations; "
                "set auth to auto or on (and add a key: wenzhen keys add NAME)"
            )
        if self.auth_required and not KeyStore(self.keys_path).stored():
            raise ConfigError(
                f"API keys are required on {self.host} and {self.keys_path} holds none; "
                "add one: wenzhen keys add NAME"
            )
