"""Safety: queries cannot write or leave the warehouse, values reach SQL bound, the UI listens on loopback only."""

import json
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from newsflow import warehouse as wh
from tests.conftest import newsflow, newsflow_in_process

PROJECT = Path(__file__).resolve().parent.parent


def test_the_prefect_server_the_makefile_starts_listens_on_loopback_only():
    dry_run = subprocess.run(["make", "-n", "-W", ".venv/.installed", "ui"], cwd=PROJECT, capture_output=True,
                             text=True, check=True).stdout
    [start] = [line for line in dry_run.splitlines() if "prefect server start" in line]
    assert re.search(r"--host 127\.0\.0\.1\b", start)


def test_read_only_connections_refuse_writes_and_paths_with_quotes_are_safe(tmp_path):
    warehouse = tmp_path / "o'brien's warehouse"
    with wh.open_for_writing(warehouse) as con:
        con.execute("insert into quarantine (source_path, stage, reason, run_id) values ($p, 'ingest', $r, 'run')",
                    {"p": "it's.txt", "r": "x'); drop table articles; --"})
    with wh.open_read_only(warehouse) as con:
        assert con.execute("select source_path, reason from quarantine").fetchall() == [
            ("it's.txt", "x'); drop table articles; --")]
        assert con.execute("select count(*) from articles").fetchall() == [(0,)]
        try:
            con.execute("delete from quarantine")
        except Exception as error:  # duckdb.InvalidInputException
            assert "read-only" in str(error)
        else:
            raise AssertionError("a read-only connection deleted rows")


def test_no_sql_in_the_code_is_formatted_from_values():
    # Every statement lives in sql/ and takes $name parameters; the only literals formatted into SQL
    # are ATTACH/INSTALL paths and a view's version comment (which take no parameters), escaped by
    # warehouse._quoted, and the names of DuckLake's own metadata tables move_catalog copies.
    formatted = []
    for path in [*PROJECT.glob("tasks/*.py"), *PROJECT.glob("flows/*.py"), *PROJECT.glob("newsflow/*.py")]:
        for line in path.read_text().splitlines():
            if re.search(r"\.(execute|sql)\(\s*f[\"']", line):
                formatted.append(f"{path.name}: {line.strip()}")
    assert sorted(formatted) == [
        "warehouse.py: con.execute(f\"attach {_quoted('ducklake:' + warehouse.catalog_target(read_only))} as lake "
        "({options})\")",
        "warehouse.py: con.execute(f\"attach {_quoted(shared_catalog.conninfo(shared.catalog))} as shared "
        "(type postgres)\")",
        "warehouse.py: con.execute(f\"attach {_quoted(str((embedded.path / CATALOG_FILE).resolve()))} as embedded \"",
        "warehouse.py: con.execute(f\"comment on view {name} is {_quoted(version)}\")",
        "warehouse.py: con.execute(f\"delete from shared.public.{table}\")",
        "warehouse.py: con.execute(f\"insert into shared.public.{table} by name select * from embedded.{table}\")",
        "warehouse.py: con.execute(f\"install '{_extension_file(name)}'\")",
        "warehouse.py: con.execute(f\"load {'postgres_scanner' if name == 'postgres' else name}\")",
        "warehouse.py: copied[table] = con.execute(f\"select count(*) from shared.public.{table}\").fetchone()[0]",
    ]


@pytest.fixture(scope="module")
def small_warehouse(tmp_path_factory) -> Path:
    """A warehouse of two commits (two Parquet files in quarantine), written without a pipeline run."""
    warehouse = tmp_path_factory.mktemp("small") / "warehouse"
    for source_path in ("a.txt", "b.txt"):
        with wh.open_for_writing(warehouse) as con:
            con.execute("insert into quarantine (source_path, stage, reason, run_id) values ($p, 'ingest', 'empty', 'r')",
                        {"p": source_path})
    return warehouse


def _files_under(folder: Path) -> dict[str, int]:
    return {str(path.relative_to(folder)): path.stat().st_mtime_ns for path in folder.rglob("*")}


# Statements that would write a file, read one outside the warehouse, or undo the locks.
ESCAPES = {
    "copy to a file": "copy (select 1 as n) to 'out.csv'",
    "copy into the lake's folder": "copy (select 1 as n) to '{data}/out.parquet'",
    "attach a new database": "attach 'new.duckdb' as new",
    "attach a SQLite file": "attach 'sqlite:{outside_db}' as other",
    "read a file outside": "select * from read_text('/etc/hostname')",
    "list a folder outside": "select * from glob('/etc/*')",
    "scan a SQLite file outside": "select * from sqlite_scan('{outside_db}', 'secrets')",
    "scan it through query()": "select * from query('select * from sqlite_scan(''{outside_db}'', ''secrets'')')",
    "unlock the configuration": "set lock_configuration = false",
    "allow external access again": "set enable_external_access = true",
    "install an extension": "install fts",
    "load an extension": "load fts",
    "export the database": "export database 'exported'",
    "write new Parquet files by compaction": "select * from ducklake_merge_adjacent_files('lake')",
    "expire snapshots": "call ducklake_expire_snapshots('lake', older_than => now())",
    "two statements, the second a copy": "select 1; copy (select 1) to 'out.csv'",
}


@pytest.mark.parametrize("statement", ESCAPES.values(), ids=ESCAPES.keys())
def test_query_refuses_every_way_out_of_the_warehouse_and_writes_nothing(small_warehouse, tmp_path, statement):
    outside_db = tmp_path / "outside.sqlite"
    with sqlite3.connect(outside_db) as outside:
        outside.execute("create table secrets (secret text)")
        outside.execute("insert into secrets values ('hunter2')")
    outside_db.chmod(0o444)  # a refused query cannot have written it either
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    warehouse_before = _files_under(small_warehouse)
    sql = statement.format(data=(small_warehouse / "data").resolve(), outside_db=outside_db)
    result = newsflow("query", sql, "--warehouse", str(small_warehouse.resolve()), cwd=workdir)
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("newsflow: ") and result.stderr.count("\n") == 1, result.stderr
    assert "hunter2" not in result.stdout + result.stderr
    assert list(workdir.iterdir()) == []
    assert _files_under(small_warehouse) == warehouse_before


def test_refusals_say_why(small_warehouse, tmp_path):
    def stderr(sql: str) -> str:
        return newsflow("query", sql, "--warehouse", str(small_warehouse), cwd=tmp_path).stderr

    assert stderr("copy (select 1) to 'out.csv'") == (
        "newsflow: query is read-only: COPY is refused; give a select (or with, from, describe, show, summarize)\n")
    assert stderr("select * from read_text('/etc/hostname')") == (
        'newsflow: Permission Error: Cannot access file "/etc/hostname" - file system operations are disabled by '
        "configuration\n")
    assert stderr("select 1; select 2") == "newsflow: give one SQL statement at a time; this holds 2\n"


def test_locked_queries_still_read_the_lake_and_travel_in_time(small_warehouse):
    def rows(sql: str, output_format: str = "json") -> str:
        # In this process: the connection's locks are DuckDB's own, the same in or out of a subprocess.
        result = newsflow_in_process("query", sql, "--warehouse", str(small_warehouse), "--format", output_format)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert json.loads(rows("select source_path from quarantine order by 1")) == [
        {"source_path": "a.txt"}, {"source_path": "b.txt"}]
    assert rows("select source_path from quarantine order by 1", "csv").splitlines() == ["source_path", "a.txt", "b.txt"]
    [first_commit, second_commit] = json.loads(rows(
        "select snapshot_id from ducklake_snapshots('lake') where changes['tables_inserted_into'] is not null "
        "order by 1"))
    assert json.loads(rows(f"select source_path from quarantine at (version => {first_commit['snapshot_id']})")) == [
        {"source_path": "a.txt"}]
    assert json.loads(rows(f"select count(*) as n from quarantine at (version => {second_commit['snapshot_id']})")) == [
        {"n": 2}]
    assert {"column_name": "reason"} in [{"column_name": row["column_name"]} for row in json.loads(rows("describe quarantine"))]


def test_a_query_connection_opens_only_the_files_listed_when_it_opened(tmp_path):
    # A run committing after the listing adds files the connection may not open: the CLI lists again.
    warehouse = tmp_path / "warehouse"
    with wh.open_for_writing(warehouse) as con:
        con.execute("insert into quarantine (source_path, stage, reason, run_id) values ('a.txt', 'ingest', 'empty', 'r')")
    with wh.open_for_query(warehouse) as reader:
        with wh.open_for_writing(warehouse) as con:
            con.execute("insert into quarantine (source_path, stage, reason, run_id) values ('b.txt', 'ingest', 'x', 'r')")
        with pytest.raises(Exception) as refused:
            reader.execute("select source_path from quarantine order by 1").fetchall()
    assert type(refused.value).__name__ == "PermissionException" and wh.is_lake_file_error(warehouse, refused.value)
    result = newsflow("query", "select source_path from quarantine order by 1", "--warehouse", str(warehouse),
                      "--format", "csv")
    assert result.stdout.splitlines() == ["source_path", "a.txt", "b.txt"]
