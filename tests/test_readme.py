"""The README's promises: its Python example runs as printed (on the session's graph server with the demo
KG, and a tiny real model in place of the demo model to keep it quick), and ``.ci/run`` runs exactly the
README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import wipe
from wenzhen.agent.session import Reply
from wenzhen.kg_loader.cli import demo_kg_path
from wenzhen.kg_loader.loader import load_file
from wenzhen.kg_loader.options import LoadOptions
from wenzhen.kg_loader.store import GraphStore

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command() -> None:
    command = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert "python -m pip install torch==2.13.0 -e " in command and "python -m pytest" in command
    assert f"```bash\n{command}\n```" in README


def python_examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_the_python_example_runs(
    store: GraphStore, tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = [e for e in python_examples() if "Consultant" in e]  # (the HTTP one: tests/api)
    assert examples and "from wenzhen import Consultant" in examples[0]
    wipe(store)
    load_file(store, demo_kg_path(), LoadOptions(), tmp_path / "checkpoints")
    monkeypatch.setenv("WENZHEN_MODEL", str(tiny_model_dir))
    monkeypatch.setenv("WENZHEN_ADAPTER", "none")
    monkeypatch.setenv("WENZHEN_MAX_NEW_TOKENS", "8")
    monkeypatch.setenv("WENZHEN_INDEX_DIR", str(tmp_path / "no-index"))  # the example runs without one too
    for example in examples:
        namespace: dict[str, object] = {}
        exec(compile(example, "README.md", "exec"), namespace)
        assert isinstance(namespace["reply"], Reply) and namespace["reply"].kind == "question"
        assert isinstance(namespace["part"], Reply)  # the stream ends with the reply
