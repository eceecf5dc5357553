"""The import order written in ``wenzhen/__init__.py`` holds: each layer imports only the layers before it.

core ← kg_loader, finetune ← retrieval ← agent ← api. Checked twice: statically, every ``import`` in every
module (also inside functions and ``TYPE_CHECKING`` blocks), and at run time, in a fresh interpreter per
package, which Wenzhen modules and heavy third-party packages importing it really loads.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import wenzhen

ROOT = Path(wenzhen.__file__).parent
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "kg_loader": {"core"},
    "finetune": {"core"},
    "retrieval": {"core", "kg_loader"},
    "agent": {"core", "kg_loader", "finetune", "retrieval"},
    "api": {"core", "kg_loader", "finetune", "retrieval", "agent"},
}
# Third-party packages a layer must not pull in just by being imported (the store's driver, torch).
NOT_ON_IMPORT: dict[str, set[str]] = {
    "core": {"neo4j", "torch", "transformers", "langchain_core", "faiss"},
    "finetune": {"neo4j", "faiss"},
    "kg_loader": {"torch", "transformers", "langchain_core", "faiss"},
}


def package_of(module: str) -> str | None:
    """``wenzhen.retrieval.kg`` → ``retrieval``; the facade ``wenzhen`` itself → ``facade``."""
    parts = module.split(".")
    if parts[0] != "wenzhen":
        return None
    return parts[1] if len(parts) > 1 else "facade"


def imported_modules(path: Path, module: str) -> set[str]:
    """Every module an ``import`` statement in ``path`` names (relative imports resolved)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: -node.level]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            # ``from wenzhen import retrieval`` names a package, not only the facade
            names.update(f"{base}.{alias.name}" for alias in node.names if base == "wenzhen")
    return names


def package_modules(package: str) -> list[tuple[str, Path]]:
    folder = ROOT / package
    found = []
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(("wenzhen", *parts)).removesuffix(".__init__")
        found.append((name, path))
    return found


def test_every_package_has_its_place_in_the_order() -> None:
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_follow_the_order(package: str) -> None:
    wrong = []
    for module, path in package_modules(package):
        for name in imported_modules(path, module):
            target = package_of(name)
            if target is None or target == package:
                continue
            if target not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(ROOT.parent)}: imports {name}")
    assert not wrong, f"{package} may import only {sorted(ALLOWED[package])}:\n" + "\n".join(wrong)


def test_the_check_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "def f():\n    from wenzhen.agent.consultant import Consultant\n"
        "from ..retrieval import kg\nfrom wenzhen import api\n"
    )
    names = imported_modules(source, "wenzhen.finetune.m")
    assert {package_of(n) for n in names} >= {"agent", "retrieval", "api"}


def loaded_after_import(modules: list[str]) -> set[str]:
    """Top-level names and Wenzhen modules in ``sys.modules`` after importing ``modules`` in a fresh
    interpreter (isolated: the checkout's folders are not on the path, only the installed ``wenzhen``)."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True, cwd="/"
    )
    loaded = json.loads(result.stdout)
    return {name for name in loaded if name.startswith("wenzhen.")} | {name.split(".")[0] for name in loaded}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_importing_a_package_loads_only_the_layers_before_it(package: str) -> None:
    modules = [name for name, _ in package_modules(package) if not name.endswith("__main__")]
    loaded = loaded_after_import(modules)
    layers = {package_of(name) for name in loaded if name.startswith("wenzhen.")}
    assert layers <= ALLOWED[package] | {package}
    assert not loaded & NOT_ON_IMPORT.get(package, set())


def test_import_wenzhen_loads_no_package_and_nothing_heavy() -> None:
    loaded = loaded_after_import(["wenzhen"])
    assert {name for name in loaded if name.startswith("wenzhen.")} == {"wenzhen.core", "wenzhen.core.errors"}
    assert not loaded & {"neo4j", "torch", "transformers", "pydantic", "typer", "numpy", "langchain_core"}


@pytest.mark.parametrize(
    ("module", "not_loaded"),
    [
        ("wenzhen.finetune.data", {"neo4j", "arcadedb_embedded", "wenzhen.kg_loader"}),
        ("wenzhen.agent.inquiry", {"neo4j", "torch"}),  # pure numpy over the graph's disease profiles
        ("wenzhen.retrieval.kg", {"neo4j"}),  # takes a connected store; does not connect itself
        ("wenzhen.api.cli", {"neo4j", "torch", "transformers", "faiss"}),  # commands import what they use
    ],
)
def test_light_modules_stay_light(module: str, not_loaded: set[str]) -> None:
    assert not loaded_after_import([module]) & not_loaded


def test_the_old_top_level_names_are_gone() -> None:
    for name in ("agent", "api", "retrieval", "finetune", "kg_loader"):
        result = subprocess.run(
            [sys.executable, "-I", "-c", f"import {name}"], capture_output=True, text=True, cwd="/"
        )
        assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr, name


def test_the_facade_exports_what_it_types() -> None:
    """Every lazily exported name is also imported for type checkers, from the same module, and resolves."""
    tree = ast.parse((ROOT / "__init__.py").read_text(encoding="utf-8"))
    typed = {
        alias.asname or alias.name: node.module
        for block in tree.body
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert typed == wenzhen.LAZY
    for name in wenzhen.__all__:
        assert getattr(wenzhen, name) is not None
