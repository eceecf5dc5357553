"""`wenzhen index ...` as a user runs it, on the real model."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from wenzhen.api.cli import app
from wenzhen.retrieval import cli, search

runner = CliRunner()


def test_build_query_add_delete_stats(corpus: Path, tmp_path: Path, embedder: object, data_dir: Path) -> None:
    index = str(tmp_path / "idx")
    built = runner.invoke(
        app,
        [
            "index",
            "build",
            str(corpus),
            "--index",
            index,
            "--text-field",
            "text",
            "--id-field",
            "id",
            "--meta-field",
            "topic",
        ],
    )
    assert built.exit_code == 0, built.output
    assert "6 chunks added (0 unchanged, not embedded again" in built.output

    query = runner.invoke(app, ["index", "query", "肝硬化吐血", "--index", index, "-k", "2", "--json"])
    assert query.exit_code == 0, query.output
    rows = [json.loads(line) for line in query.stdout.splitlines()]
    assert len(rows) == 2 and rows[0]["doc_id"] == "cirrhosis-bleed" and rows[0]["chunk_id"]

    filtered = runner.invoke(
        app, ["index", "query", "肝癌", "--index", index, "--filter", "topic=hbv", "--json"]
    )
    assert [json.loads(line)["doc_id"] for line in filtered.stdout.splitlines()] == ["hbv"]

    deleted = runner.invoke(app, ["index", "delete", "--doc", "hbv", "--index", index])
    assert deleted.exit_code == 0 and "removed 1 chunks" in deleted.output
    missing = runner.invoke(app, ["index", "delete", "--doc", "hbv", "--index", index])
    assert missing.exit_code == 2 and "no chunks of hbv" in missing.output

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "liver.md").write_text("# 肝移植\n\n肝移植是终末期肝病的根治手段。", encoding="utf-8")
    (notes / "bad.json").write_text('{"text": ', encoding="utf-8")
    added = runner.invoke(app, ["index", "add", str(notes), "--index", index])
    assert added.exit_code == 0, added.output
    assert "1 chunks added" in added.output and "1 problems" in added.output
    report = data_dir / "reports" / "index.issues.jsonl"  # in the data dir, whatever --index says
    assert f"all in {report}" in added.output
    assert json.loads(report.read_text(encoding="utf-8"))["source"].endswith("bad.json")

    stats = json.loads(runner.invoke(app, ["index", "stats", "--index", index, "--json"]).stdout)
    assert (
        stats["documents"] == 6 and stats["chunks"] == 6 and stats["faiss"] == "flat" and stats["dim"] == 384
    )

    nothing = runner.invoke(app, ["index", "build", str(tmp_path / "typo"), "--index", index])
    assert nothing.exit_code == 2 and "typo: no such file or folder" in nothing.output
    kept = json.loads(runner.invoke(app, ["index", "stats", "--index", index, "--json"]).stdout)
    assert kept == stats  # a build that read nothing leaves the index as it was


def test_errors_are_clear(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["index", "query", "肝癌", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 4  # a missing resource
    assert missing.output.startswith("error: no index at") and "wenzhen index build" in missing.output
    assert "Traceback" not in missing.output
    assert cli.MODES == search.MODES  # the CLI's copy, kept so that --help need not import faiss
    bad_mode = runner.invoke(app, ["index", "query", "肝癌", "--mode", "magic"])
    assert bad_mode.exit_code == 2
    assert "--mode must be one of dense, bm25, hybrid, not 'magic'" in bad_mode.output
    bad_preset = runner.invoke(app, ["index", "build", str(tmp_path), "--preset", "nope"])
    assert bad_preset.exit_code == 2 and "unknown preset" in bad_preset.output
