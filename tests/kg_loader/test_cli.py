"""`wenzhen kg ...` as a user runs it (in-process CliRunner against the session's real server)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.kg_loader.helpers import count
from wenzhen.api.cli import app
from wenzhen.kg_loader.store import GraphStore

DATA = Path(__file__).parents[1] / "data"
runner = CliRunner()


def test_help_teaches_every_command() -> None:
    for command in (["--help"], ["kg", "--help"], ["kg", "load", "--help"], ["kg", "query", "--help"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
    assert "--dry-run" in runner.invoke(app, ["kg", "load", "--help"]).output


def test_dry_run_writes_nothing(store: GraphStore) -> None:
    result = runner.invoke(app, ["kg", "load", str(DATA / "cmekg_sample.jsonl"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "rejected: 4" in result.output and "would write" in result.output
    assert count(store, "MATCH (n)") == 0


def test_load_stats_query_and_wipe(store: GraphStore, data_dir: Path) -> None:
    files = [str(DATA / "cmekg_sample.jsonl"), str(DATA / "qakg_sample.json")]
    result = runner.invoke(app, ["kg", "load", *files])
    assert result.exit_code == 0, result.output
    assert "cmekg_sample.jsonl (cmekg, utf-8)" in result.output and "qakg_sample.json (qakg" in result.output
    report = data_dir / "reports" / "cmekg_sample.jsonl.issues.jsonl"
    assert f"report: {report}" in result.output and report.exists()

    stats = runner.invoke(app, ["kg", "stats", "--json"])
    counts = json.loads(stats.output)
    assert counts["nodes"]["Disease"] == count(store, "MATCH (d:Disease)") > 0
    assert counts["relations"]["HAS_SYMPTOM"] == count(store, "MATCH ()-[r:HAS_SYMPTOM]->()") > 0

    aliases = "MATCH (:Disease {name: $n})-[:HAS_ALIAS]->(a) RETURN a.name AS alias"
    query = runner.invoke(app, ["kg", "query", aliases, "-p", "n=乙肝", "--json"])
    assert query.exit_code == 0, query.output
    assert json.loads(query.output.splitlines()[0]) == {"alias": "乙型肝炎"}

    refused = runner.invoke(app, ["kg", "query", "MATCH (n) DETACH DELETE n"])
    assert refused.exit_code == 2 and "not read-only" in refused.output
    assert count(store, "MATCH (n)") > 0

    kept = runner.invoke(app, ["kg", "wipe"], input="n\n")
    assert kept.exit_code == 1 and count(store, "MATCH (n)") > 0
    wiped = runner.invoke(app, ["kg", "wipe", "--yes"])
    assert wiped.exit_code == 0 and count(store, "MATCH (n)") == 0


def test_bad_files_are_named_and_the_rest_still_loads(store: GraphStore, tmp_path: Path) -> None:
    gbk = tmp_path / "gbk_triples.tsv"
    gbk.write_bytes((DATA / "triples_sample.tsv").read_text(encoding="utf-8").encode("gb18030"))
    missing = tmp_path / "missing.jsonl"
    result = runner.invoke(app, ["kg", "load", str(missing), str(gbk)])
    assert result.exit_code == 2  # bad input, though the readable file was loaded
    assert "missing.jsonl: cannot read" in result.output
    assert "gbk_triples.tsv (triples, gb18030)" in result.output
    loaded = "MATCH (:Disease {name: '原发性肝癌'})-[:HAS_SYMPTOM]->(:Symptom {name: '肝区疼痛'})"
    assert count(store, loaded) == 1


def test_unknown_format_option_is_a_usage_error() -> None:
    result = runner.invoke(app, ["kg", "load", str(DATA / "cmekg_sample.jsonl"), "--format", "xml"])
    assert result.exit_code == 2 and "unknown format" in result.output


def test_a_load_while_another_holds_the_graph_ends_in_one_line_and_keeps_its_report(
    store: GraphStore, data_dir: Path
) -> None:
    from filelock import FileLock

    from wenzhen.kg_loader.cli import checkpoint_dir
    from wenzhen.kg_loader.config import GraphSettings

    folder = checkpoint_dir(GraphSettings(), store)
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / "load.lock")):  # another load is writing
        result = runner.invoke(app, ["kg", "load", str(DATA / "cmekg_sample.jsonl")])
    assert result.exit_code == 1 and "another load is writing" in result.output
    assert "Traceback" not in result.output and result.output.count("error:") == 1
    assert (data_dir / "reports" / "cmekg_sample.jsonl.issues.jsonl").exists()
    assert count(store, "MATCH (n)") == 0


def test_reports_written_at_once_do_not_trip_over_each_other(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from wenzhen.core.issues import Issue, write_issues

    report = tmp_path / "shared.issues.jsonl"
    batches = [[Issue("f", line, f"writer {n}") for line in range(200)] for n in range(8)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda issues: write_issues(issues, report), batches * 4))
    lines = report.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 200 and len({json.loads(line)["reason"] for line in lines}) == 1  # one whole report
    assert [p.name for p in tmp_path.iterdir()] == [report.name]  # no temporary file left behind
