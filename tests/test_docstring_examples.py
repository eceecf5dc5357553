"""The examples in the docstrings of every ``wenzhen`` module run and print what they show (those marked
+SKIP need a server or a model and are left to the end-to-end tests)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import wenzhen


def module_names() -> list[str]:
    return sorted(
        ["wenzhen", *(info.name for info in pkgutil.walk_packages(wenzhen.__path__, prefix="wenzhen."))]
    )


def test_every_docstring_example_gives_what_it_shows() -> None:
    failed, attempted = [], 0
    for name in module_names():
        if name == "wenzhen.__main__":
            continue
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
        attempted += result.attempted
        if result.failed:
            failed.append(name)
    assert not failed, f"docstring examples fail in {failed} (details above)"
    assert attempted > 50  # the examples of every package were found and run
