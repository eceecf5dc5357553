"""The ``wenzhen`` command line as one program: ``python -m wenzhen``, every group's ``--help``, and how a
failure ends (one line with the reason and the exit code of its kind; a traceback only with ``--debug``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wenzhen.api.cli import app
from wenzhen.core.errors import InputError

runner = CliRunner()
UNREACHABLE = "bolt://127.0.0.1:9"  # the discard port: nothing listens there


def wenzhen(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m wenzhen ARGS`` in a fresh process, run from outside the checkout."""
    return subprocess.run(
        [sys.executable, "-m", "wenzhen", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd="/",
        timeout=300,
    )


def test_python_dash_m_wenzhen_is_the_command_line() -> None:
    result = wenzhen("--help")
    assert result.returncode == 0, result.stderr
    groups = ("kg", "index", "eval", "finetune", "inquiry", "chat", "serve", "keys", "--debug", "--config")
    for group in groups:
        assert group in result.stdout


def test_eval_is_one_group_with_every_evaluation() -> None:
    result = runner.invoke(app, ["eval", "--help"])
    assert result.exit_code == 0, result.output
    for command in ("retrieval", "make-queries", "inquiry", "triage", "make-cases", "dialogue", "diagnosis"):
        assert command in result.output
    retrieval = runner.invoke(app, ["eval", "retrieval", "--help"])
    assert "{query, relevant: [doc ids]}" in " ".join(retrieval.output.split())


def test_every_help_page_opens() -> None:
    groups = {
        "kg": ["load", "stats", "query", "wipe", "serve"],
        "index": ["build", "add", "delete", "query", "stats"],
    }
    groups["finetune"] = ["train", "merge", "infer"]
    groups["inquiry"] = ["fit"]
    groups["eval"] = ["diagnosis", "inquiry", "triage"]
    for group, commands in groups.items():
        for command in [None, *commands]:
            args = [group, *([command] if command else []), "--help"]
            result = runner.invoke(app, args)
            assert result.exit_code == 0, (args, result.output)


def test_bad_input_is_one_line_and_exit_2_and_debug_shows_the_traceback(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"text": "胸口疼", "emergency": true}\n{"text": "头疼"}\n', encoding="utf-8")
    result = wenzhen("eval", "triage", str(cases))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f'error: {cases}:2: expected {{"text" or "turns", "level" or "emergency", "rule"?}}: \'emergency\''
    ]
    debug = wenzhen("--debug", "eval", "triage", str(cases))
    assert debug.returncode != 0 and "Traceback" in debug.stderr and "InputError" in debug.stderr
    in_process = runner.invoke(app, ["--debug", "eval", "triage", str(cases)])
    assert isinstance(in_process.exception, InputError)


@pytest.mark.parametrize(
    "command", [["kg", "stats"], ["chat", "--say", "我头疼"], ["eval", "make-cases", "--out", "x"]]
)
def test_an_unreachable_graph_server_is_one_line_and_exit_3(command: list[str]) -> None:
    result = wenzhen(*command, env={"NEO4J_URI": UNREACHABLE})
    assert result.returncode == 3, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "cannot reach the graph server" in lines[0] and "NEO4J_URI" in lines[0]
    assert "Traceback" not in result.stderr


def test_unset_options_leave_the_model_to_the_environment(tmp_path: Path) -> None:
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    env = {"WENZHEN_MODEL": str(tmp_path / "no-such-model"), "WENZHEN_TRUST_REMOTE_CODE": "true"}
    result = wenzhen("finetune", "merge", "--adapter", str(adapter), "--out", str(tmp_path / "out"), env=env)
    assert result.returncode == 4  # a missing model: the one WENZHEN_MODEL names, since --model was not given
    assert f"model '{tmp_path / 'no-such-model'}' is not a local Hugging Face folder" in result.stderr


def test_api_keys_are_made_listed_and_revoked_and_serve_refuses_unsafe_settings(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**cli_env, "WENZHEN_API_KEYS_FILE": str(tmp_path / "keys.json")}
    open_to_all = wenzhen("serve", "--host", "0.0.0.0", env={**env, "WENZHEN_AUTH": "off"})
    assert open_to_all.returncode == 2
    assert "error: auth = off while listening on 0.0.0.0" in open_to_all.stderr
    no_keys = wenzhen("serve", "--host", "0.0.0.0", env=env)
    assert no_keys.returncode == 2 and "holds none; add one: wenzhen keys add NAME" in no_keys.stderr
    made = wenzhen("keys", "add", "clinic-a", env=env)
    key = made.stdout.strip()
    assert made.returncode == 0 and key.startswith("wz-") and len(key) > 30
    listed = wenzhen("keys", "list", env=env)
    assert "clinic-a" in listed.stdout and key not in listed.stdout
    assert key not in (tmp_path / "keys.json").read_text()
    again = wenzhen("keys", "add", "clinic-a", env=env)
    assert again.returncode == 2 and "exists" in again.stderr
    assert wenzhen("keys", "revoke", "clinic-a", env=env).returncode == 0
    assert "clinic-a" not in wenzhen("keys", "list", env=env).stdout
