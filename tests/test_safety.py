"""Safety: queries cannot write, values reach SQL bound, the UI listens on loopback only."""

import re
import subprocess
from pathlib import Path

from newsflow import warehouse as wh

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
    # are ATTACH/INSTALL paths (which take no parameters), escaped by warehouse._quoted.
    formatted = []
    for path in [*PROJECT.glob("tasks/*.py"), *PROJECT.glob("flows/*.py"), *PROJECT.glob("newsflow/*.py")]:
        for line in path.read_text().splitlines():
            if re.search(r"\.(execute|sql)\(\s*f[\"']", line):
                formatted.append(f"{path.name}: {line.strip()}")
    assert sorted(formatted) == ["warehouse.py: con.execute(f\"attach {_quoted(f'ducklake:sqlite:{catalog}')} as lake "
                                 "({options})\")",
                                 "warehouse.py: con.execute(f\"install '{_extension_file(name)}'\")",
                                 "warehouse.py: con.execute(f\"load {name}\")"]
