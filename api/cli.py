"""The ``wenzhen`` command line (also ``python -m wenzhen``): a sub-command group per package.

wenzhen kg load --demo
wenzhen kg query "MATCH (d:Disease)-[:HAS_SYMPTOM]->(s) RETURN d.name, s.name LIMIT 5"
wenzhen eval inquiry cases.jsonl
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from wenzhen.agent.cli import (
    answers,
    chat,
    diagnosis,
    dialogue,
    eval_all,
    eval_compare,
    fit_answers,
    inquiry,
    kgqa,
    make_cases,
    mcq,
    mcq_summary,
    triage,
)
from wenzhen.api.serve import keys_app, serve
from wenzhen.core.console import DEBUG_ENV, CommandGroup
from wenzhen.core.settings import CONFIG_ENV
from wenzhen.finetune.cli import app as finetune_app
from wenzhen.kg_loader.cli import app as kg_app
from wenzhen.retrieval.cli import app as index_app
from wenzhen.retrieval.cli import eval_retrieval, make_queries

app = typer.Typer(
    cls=CommandGroup,
    help="Wenzhen (问诊): knowledge-graph and literature grounded Chinese medical consultation.",
    no_args_is_help=True,
)
eval_app = typer.Typer(
    help=(
        "Evaluations: literature retrieval, inquiry (simulated patients), red-flag triage, DISC dialogues,\n"
        "the symptom-inquiry diagnosis benchmarks, answers (attribution and checks), exams (mcq),\n"
        "graph questions (kgqa)."
    ),
    no_args_is_help=True,
)
app.add_typer(kg_app, name="kg")
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval")
app.add_typer(finetune_app, name="finetune")
inquiry_app = typer.Typer(
    help="The inquiry's answer model: fit it from case records (and the graph).", no_args_is_help=True
)
app.add_typer(inquiry_app, name="inquiry")
inquiry_app.command("fit")(fit_answers)
app.command("chat")(chat)
app.command("serve")(serve)
app.add_typer(keys_app, name="keys")
eval_app.command("retrieval")(eval_retrieval)
eval_app.command("make-queries")(make_queries)
eval_app.command("inquiry")(inquiry)
eval_app.command("triage")(triage)
eval_app.command("make-cases")(make_cases)
eval_app.command("dialogue")(dialogue)
eval_app.command("diagnosis")(diagnosis)
eval_app.command("answers")(answers)
eval_app.command("mcq")(mcq)
eval_app.command("mcq-summary")(mcq_summary)
eval_app.command("kgqa")(kgqa)
eval_app.command("all")(eval_all)
eval_app.command("compare")(eval_compare)


@app.callback()
def options(
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
    debug: Annotated[  # read by CommandGroup when a command fails
        bool, typer.Option("--debug", help=f"Show the traceback of a failure (also {DEBUG_ENV}=1).")
    ] = False,
) -> None:
    """Settings come from WENZHEN_* variables (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE
    for the graph) and from the config file's tables; with no NEO4J_URI an embedded ArcadeDB is used.

    A failure prints one line, error: <reason>, and exits with 1 (failed), 2 (bad input or settings),
    3 (a server cannot be reached) or 4 (a model, index or graph is missing).
    """
    if config is not None:
        os.environ[CONFIG_ENV] = str(config)


if __name__ == "__main__":
    app(prog_name="wenzhen")
