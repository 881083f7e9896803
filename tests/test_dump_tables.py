"""bench/dump_tables.py: what it normalises, and that `compare` finds a changed row."""

import datetime as dt
import importlib
import json
from pathlib import Path

import duckdb
import pytest

from bench import dump_tables


def _lake(warehouse, run_id, started, first_order, title):
    """A small DuckLake warehouse laid out as newsflow's (catalog.sqlite + data/), made with DuckDB alone."""
    (warehouse / "data").mkdir(parents=True)
    con = duckdb.connect()
    for name in ("sqlite", "ducklake"):
        package = importlib.import_module(f"duckdb_extension_{name}")
        con.execute(f"install '{next(Path(package.__file__).parent.rglob(f'{name}.duckdb_extension'))}'")
        con.execute(f"load {name}")
    # ATTACH takes no bound parameters; the paths are pytest's own.
    con.execute(f"attach 'ducklake:sqlite:{warehouse / 'catalog.sqlite'}' as lake (data_path '{warehouse / 'data'}/')")
    con.execute("use lake")
    con.execute("create table runs (run_id varchar, started_at timestamp with time zone, source varchar, "
                "stage_seconds varchar, message varchar)")
    con.execute("create table articles (article_id varchar, title varchar, input_order bigint, run_id varchar)")
    con.execute("create view titles as select title from articles")
    con.execute("insert into runs values (?, ?, ?, ?, ?)",
                [run_id, started, "/somewhere/seeds", json.dumps({"load": 1.5}), f"docs at {warehouse}/docs/{run_id}"])
    con.execute("insert into articles values ('b', ?, ?, ?), ('a', 'First', ?, ?)",
                [title, first_order + 7, run_id, first_order + 3, run_id])
    con.close()


def _dump(tmp_path, name, run_id, started, first_order, title="Second"):
    warehouse = tmp_path / name / "warehouse"
    _lake(warehouse, run_id, started, first_order, title)
    return dump_tables.dump(warehouse, tmp_path / name / "dump"), tmp_path / name / "dump"


def test_a_run_is_dumped_sorted_with_its_clock_and_ids_normalised(tmp_path):
    schema, out = _dump(tmp_path, "one", "20260101T000000-abcd1234",
                        dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), 1_000_000)

    assert schema["runs"]["dropped"] == ["started_at", "stage_seconds"]
    assert schema["titles"]["kind"] == "view" and schema["articles"]["rows"] == 2
    assert [c for c, _ in schema["articles"]["columns"]] == ["article_id", "title", "input_order", "run_id"]
    assert [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()] == [
        {"article_id": "a", "input_order": 1, "run_id": "<run 1>", "title": "First"},
        {"article_id": "b", "input_order": 2, "run_id": "<run 1>", "title": "Second"}]
    assert json.loads((out / "runs.jsonl").read_text()) == {
        "message": "docs at <warehouse>/docs/<run 1>", "run_id": "<run 1>", "source": "/somewhere/seeds"}


def test_compare_says_same_for_two_runs_and_differs_for_a_changed_row(tmp_path, capsys):
    _, first = _dump(tmp_path, "first", "20260101T000000-abcd1234", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), 10)
    _, second = _dump(tmp_path, "second", "20260202T000000-ffff0000", dt.datetime(2026, 2, 2, tzinfo=dt.timezone.utc), 99)
    _, changed = _dump(tmp_path, "changed", "20260303T000000-00000000", dt.datetime(2026, 3, 3, tzinfo=dt.timezone.utc),
                       5, title="Second, edited")

    assert dump_tables.main(["compare", str(first), str(second)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "all same"
    assert dump_tables.main(["compare", str(first), str(changed)]) == 1
    printed = capsys.readouterr().out
    assert "articles: differs: rows 2 vs 2; 1 only in A, 1 only in B" in printed
    assert '"title": "Second, edited"' in printed and "titles: differs" in printed and "runs: same (1 rows)" in printed


def test_run_needs_source_and_outdir_or_reuters_and_outdir(tmp_path):
    with pytest.raises(SystemExit):
        dump_tables.main(["run", str(tmp_path / "out")])
    with pytest.raises(SystemExit):
        dump_tables.main(["run", "--reuters", "3", "seeds", str(tmp_path / "out")])
