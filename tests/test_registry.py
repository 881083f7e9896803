"""The table registry (tasks/load.py) is the map: every SQL file, staged schema and suite column agrees with it."""

import re
from pathlib import Path

import duckdb
import pytest

from tasks import load, quality

ROOT = Path(__file__).resolve().parent.parent
RUN_PARAMETERS = set(load.RunRecord("r", None, "s", "m").parameters())


def _statements(folder: str) -> set[str]:
    return {p.stem for p in (ROOT / "sql" / folder).glob("*.sql")}


def _loaded_by_a_run() -> set[str]:
    # sql/load/ holds the commit's statements only (the run's reads are sql/reads/); label_commit names
    # the snapshot of every commit, a run's or not.
    return _statements("load") - {"label_commit"}


def test_every_load_statement_belongs_to_exactly_one_table():
    named = [name for table in load.TABLES for name in table.load + table.load_once]
    assert len(named) == len(set(named))
    assert set(named) == _loaded_by_a_run()


def test_every_schema_statement_belongs_to_exactly_one_table():
    named = load.schema_statements()
    assert len(named) == len(set(named))
    upgrades = {name for pair in load.UPGRADES for name in pair}
    assert set(named) == _statements("schema") - {"view_comments"} - upgrades


def test_a_load_statement_binds_only_staged_kinds_and_the_run():
    for table in load.TABLES:
        for name in table.load + table.load_once:
            used = set(re.findall(r"\$(\w+)", (ROOT / "sql/load" / f"{name}.sql").read_text()))
            allowed = RUN_PARAMETERS if table is load.RUNS else load.STAGED.keys() | {"run_id"}
            assert used <= allowed, f"{name} binds {sorted(used - allowed)}, which no registry entry stages"


def _warehouse_columns() -> dict[str, dict[str, str]]:
    """Each table's columns and DuckDB types, as its DDL makes them."""
    con = duckdb.connect()
    for name in load.schema_statements():
        con.execute((ROOT / "sql/schema" / f"{name}.sql").read_text())
    return {table.name: dict(con.execute(f"select column_name, data_type from duckdb_columns() "
                                         f"where table_name = '{table.name}'").fetchall()) for table in load.TABLES}


def _duckdb_types(schema) -> dict[str, str]:
    con = duckdb.connect()
    con.register("staged", schema.empty_table())
    return dict(con.execute("select column_name, column_type from (describe staged)").fetchall())


@pytest.mark.parametrize("table", [t for t in load.TABLES if len(t.staged) == 1], ids=lambda t: t.name)
def test_a_table_loaded_from_one_kind_has_that_kinds_columns_and_types(table):
    # Written twice (the Arrow schema of the stage that writes the rows, the DDL of the table): they agree.
    [schema] = table.staged.values()
    warehouse = {column: kind for column, kind in _warehouse_columns()[table.name].items() if column != "run_id"}
    staged = _duckdb_types(schema)
    assert {column: warehouse.get(column) for column in staged} == staged
    if table.name != "entities":   # whose counts, aliases and dates the commit computes from the mentions
        assert staged.keys() == warehouse.keys()


def test_the_article_columns_load_into_articles_or_the_cleaners_audit_tables():
    columns = _warehouse_columns()
    staged = _duckdb_types(load.STAGED["articles"])
    audit = {"published_time", "published_timezone", "date_confidence", "removed_spans", "text_map"}
    for column, kind in staged.items():
        if column in audit:
            continue
        assert columns["articles"][column] == kind, column
    assert set(staged) - audit | {"duplicate_of", "story_id", "run_id"} == set(columns["articles"])


@pytest.mark.parametrize("suite", sorted(load.SUITE_ROWS))
def test_every_column_a_suite_names_is_in_the_rows_it_checks(suite):
    spec = quality.load_suite(suite)
    columns = set(load.SUITE_ROWS[suite].names) | {quality.ROW_NUMBER}
    if suite == "extracted":
        columns |= set(quality.MENTION_FACTS)
    named = {value for item in spec["expectations"] for key, value in item["kwargs"].items()
             if key in ("column", "column_A", "column_B")} | {spec["row_id"]}
    assert named <= columns, f"{suite} names {sorted(named - columns)}"
