"""The examples in the packages' docstrings run and print what they show (those marked +SKIP need a server
or a model and are left to the e2e tests)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

PACKAGES = ("agent", "api", "finetune", "kg_loader", "retrieval")


def module_names() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package)
        path = importlib.import_module(package).__path__
        names += [info.name for info in pkgutil.walk_packages(path, prefix=f"{package}.")]
    return sorted(names)


def test_every_docstring_example_gives_what_it_shows() -> None:
    failed, attempted = [], 0
    for name in module_names():
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
        attempted += result.attempted
        if result.failed:
            failed.append(name)
    assert not failed, f"docstring examples fail in {failed} (details above)"
    assert attempted > 20  # the examples were found and run
