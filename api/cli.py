"""The ``wenzhen`` command line: one entry point, a sub-command group per package.

wenzhen kg load --demo
wenzhen kg query "MATCH (d:Disease)-[:HAS_SYMPTOM]->(s) RETURN d.name, s.name LIMIT 5"
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from agent.cli import chat, dialogue, inquiry, make_cases, triage
from finetune.cli import app as finetune_app
from kg_loader.cli import app as kg_app
from kg_loader.config import CONFIG_ENV
from retrieval.cli import app as index_app
from retrieval.cli import eval_app

app = typer.Typer(
    help="Wenzhen (问诊): knowledge-graph and literature grounded Chinese medical consultation.",
    no_args_is_help=True,
)
app.add_typer(kg_app, name="kg")
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval")
app.add_typer(finetune_app, name="finetune")
app.command("chat")(chat)
eval_app.command("inquiry")(inquiry)
eval_app.command("triage")(triage)
eval_app.command("make-cases")(make_cases)
eval_app.command("dialogue")(dialogue)


@app.callback()
def main(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help=f"TOML config file (default: ${CONFIG_ENV} or ./wenzhen.toml).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Settings come from the environment (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE,
    WENZHEN_DATA_DIR) and from the config file's tables; with no NEO4J_URI an embedded ArcadeDB is used."""
    if config is not None:
        os.environ[CONFIG_ENV] = str(config)
