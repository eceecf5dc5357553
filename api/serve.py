"""``wenzhen serve`` (the HTTP API with uvicorn) and ``wenzhen keys`` (its API keys).

wenzhen serve                                   # http://127.0.0.1:8000, no key needed on loopback
wenzhen keys add clinic-a                       # prints the key once
wenzhen serve --host 0.0.0.0 --workers 2        # keys required; sessions shared in one SQLite file
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from wenzhen.api.config import ServerSettings
from wenzhen.api.keys import KeyStore
from wenzhen.core.console import CommandGroup

keys_app = typer.Typer(
    cls=CommandGroup,
    help="API keys of the HTTP API (stored hashed; a key is shown once, when made).",
    no_args_is_help=True,
)
_console = Console()


def app_from_settings() -> object:
    """The app as each uvicorn worker builds it: settings from the environment and the config file."""
    from wenzhen.agent.config import AgentSettings
    from wenzhen.agent.consultant import Consultant
    from wenzhen.agent.gate import GenerationGate
    from wenzhen.api.app import create_app

    settings = ServerSettings()
    return create_app(
        settings,
        make_consultant=lambda: Consultant.from_config(
            AgentSettings(sessions=settings.sessions_path),
            GenerationGate(settings.generation_slots, settings.generation_queue),
        ),
    )


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default 1).")] = None,
) -> None:
    """Serve consultations over HTTP: sessions, an OpenAI-compatible /v1/chat/completions, OpenAPI at /docs.

    Settings come from WENZHEN_* variables or the config file's server table: auth, api_keys_file,
    sessions, retention_hours, rate_limit, max_body_bytes, generation_slots, generation_queue,
    cors_origins, log_messages.

    On any address but loopback an API key is required (wenzhen keys add NAME).
    Needs a loaded graph (wenzhen kg load --demo).
    """
    import uvicorn

    for name, value in (("HOST", host), ("PORT", port), ("WORKERS", workers)):
        if value is not None:  # workers read their settings from the environment
            os.environ[f"WENZHEN_{name}"] = str(value)
    settings = ServerSettings()
    settings.check()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    uvicorn.run(
        "wenzhen.api.serve:app_from_settings",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=False,  # the app logs each request (JSON, with its request id)
    )


def _keys() -> KeyStore:
    return KeyStore(ServerSettings().keys_path)


@keys_app.command("add")
def add_key(name: Annotated[str, typer.Argument(help="Who the key is for (e.g. clinic-a).")]) -> None:
    """Make an API key; it is printed once and only its hash is kept."""
    store = _keys()
    key = store.add(name)
    typer.echo(key)
    typer.echo(f"added {name!r} to {store.path}; send it as Authorization: Bearer <key>", err=True)


@keys_app.command("list")
def list_keys() -> None:
    """The keys' names and when they were made (never the keys)."""
    import datetime

    store = _keys()
    table = Table("name", "created")
    for key in store.stored():
        table.add_row(key.name, datetime.datetime.fromtimestamp(key.created).isoformat(timespec="seconds"))
    _console.print(table)


@keys_app.command("revoke")
def revoke_key(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Remove a key: requests with it are refused from now on."""
    store = _keys()
    store.revoke(name)
    typer.echo(f"revoked {name!r}", err=True)
