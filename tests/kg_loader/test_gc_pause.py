"""The loader pauses Python's cyclic collector while it plans and writes, and always gives it back."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from wenzhen.kg_loader.loader import cyclic_gc_paused, load_file
from wenzhen.kg_loader.options import LoadOptions

DATA = Path(__file__).resolve().parents[1] / "data"


def test_pause_nests_and_restores_the_collector() -> None:
    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
        with cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_pause_keeps_a_collector_the_caller_had_disabled_off() -> None:
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_collector_comes_back_after_a_failure() -> None:
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        raise RuntimeError("load failed")
    assert gc.isenabled()


def test_a_load_leaves_the_collector_on() -> None:
    summary = load_file(None, DATA / "cmekg_sample.jsonl", LoadOptions(dry_run=True), Path("unused"))
    assert summary.relations > 0
    assert gc.isenabled()
    with pytest.raises(ValueError, match="a store is needed"):
        load_file(None, DATA / "cmekg_sample.jsonl", LoadOptions(), Path("unused"))
    assert gc.isenabled()
