"""The DuckLake warehouse: where it lives, how to open it, and its schema.

A warehouse directory holds catalog.sqlite (the DuckLake catalog) and data/ (Parquet files).
Only tasks/load.py writes through `open_for_writing`; everything else reads a snapshot, and
`newsflow query` reads through `open_for_query`, which opens nothing but the lake's own files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import shutil
from pathlib import Path

import duckdb

# The lock lives in its own module (imported without DuckDB); these names stay reachable from here.
from newsflow.write_lock import LOCK_FILE, WarehouseBusy, write_lock  # noqa: F401

CATALOG_FILE = "catalog.sqlite"
DATA_DIR = "data"
STAGING_DIR = ".staging"     # one folder per run, removed when the run ends
MEMORY_LIMIT = "1GB"
# Table creation order matters only for readability; no foreign keys in DuckLake.
SCHEMA_FILES = ("articles", "articles_contact", "entity_mentions", "entities", "date_mentions", "date_mentions_kind",
                "quotes", "quotes_speaker_source", "quarantine", "runs", "quality_results", "story_terms",
                "story_profiles",
                "publication_details", "removed_spans", "clean_text_map",
                "minhash_signatures", "passage_fingerprints", "borrowings",
                # Columns added since: a warehouse made before them gains them.
                "entity_mentions_field", "quarantine_item", "quarantine_article_id", "quarantine_detail")
# Views over the tables (sql/views/), created after them.
VIEW_FILES = ("entity_pairs_by_article", "entity_pairs_by_sentence", "entity_timeline", "stories")
# A view carries the digest of the file that made it as its comment: a run replaces a view only when its
# file changed (an older warehouse gets the new columns), and an unchanged schema makes no snapshot.
VIEW_VERSION_PREFIX = "newsflow:"
# The author of every snapshot newsflow commits (ducklake_snapshots' author column).
COMMIT_AUTHOR = "newsflow"
# What `newsflow query` lets through: one statement that reads. DESCRIBE, SHOW, SUMMARIZE, FROM-first
# queries and table-valued PRAGMAs parse as SELECT too.
QUERY_STATEMENT_TYPES = {duckdb.StatementType.SELECT}
EXPLAIN_AS_JSON = "explain (format json) "   # prefixed to the query, whose plan shows what it would open


class WarehouseMissing(RuntimeError):
    """Raised when a read is asked of a warehouse no run has created yet."""


class QueryRefused(ValueError):
    """Raised when SQL given to `newsflow query` would do more than read the warehouse."""


def read_sql(relative_path: str) -> str:
    """One statement from sql/, by its path without the .sql suffix."""
    from newsflow.resources import sql_text

    return sql_text(relative_path)


def _extension_file(name: str) -> Path:
    # The extensions ship inside PyPI packages (duckdb-extension-NAME): no network at run time.
    package = importlib.import_module(f"duckdb_extension_{name}")
    found = sorted(Path(package.__file__).parent.rglob(f"{name}.duckdb_extension"))
    if not found:
        raise RuntimeError(f"duckdb-extension-{name} is installed but holds no extension file")
    return found[0]


def _connect() -> duckdb.DuckDBPyConnection:
    # DuckDB would take up to 80% of RAM by default; a run's load spills to disk past this instead.
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False,
                                 "memory_limit": MEMORY_LIMIT})
    for name in ("sqlite", "ducklake"):
        con.execute(f"install '{_extension_file(name)}'")
        con.execute(f"load {name}")
    return con


def _quoted(text: str) -> str:
    # ATTACH takes no bound parameters, so its paths are written as escaped literals.
    return "'" + text.replace("'", "''") + "'"


def _data_path(warehouse: Path) -> str:
    return f"{(warehouse / DATA_DIR).resolve()}/"


def _attach(con: duckdb.DuckDBPyConnection, warehouse: Path, read_only: bool) -> None:
    catalog = (warehouse / CATALOG_FILE).resolve()
    data_path = _data_path(warehouse)
    # The catalog records the data path it was created with; overriding it with the folder beside
    # the catalog lets a warehouse be moved or copied whole. Every row goes to Parquet: inlined
    # rows would live in the SQLite catalog instead.
    options = f"data_path {_quoted(data_path)}, override_data_path true, data_inlining_row_limit 0"
    if read_only:
        options += ", read_only"
    con.execute(f"attach {_quoted(f'ducklake:sqlite:{catalog}')} as lake ({options})")
    con.execute("use lake")


def open_read_only(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A connection on the last committed snapshot; writes are refused."""
    if not (warehouse / CATALOG_FILE).exists():
        raise WarehouseMissing(f"no warehouse at {warehouse}: run `newsflow run --warehouse {warehouse}` first")
    con = _connect()
    _attach(con, warehouse, read_only=True)
    return con


def open_for_query(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection for SQL a person types: it may open the lake's own files and nothing else.

    DuckDB's locks, set once the lake is attached: no file outside those the catalog lists (so no
    COPY TO, EXPORT, ATTACH of a new file, read_text('/etc/...') or INSTALL), no spilling to a temp
    folder, and a configuration no SET can change back.
    """
    con = open_read_only(warehouse)
    try:
        lake_files = [row[0] for row in con.execute(read_sql("query/lake_files"),
                                                    {"data_path": _data_path(warehouse)}).fetchall()]
        con.execute(read_sql("query/allow_only_lake_files"), {"lake_files": lake_files})
        for name in ("no_temp_directory", "no_external_access", "lock_configuration"):
            con.execute(read_sql(f"query/{name}"))
    except BaseException:
        con.close()
        raise
    return con


def check_parameters(con: duckdb.DuckDBPyConnection, statement: str, given: dict) -> None:
    """QueryRefused naming a $name the statement needs and was not given, or one given it does not take."""
    needed = _query_parameters(con, statement)
    if missing := sorted(needed - given.keys()):
        raise QueryRefused(f"the query needs {_listed(missing)}: pass "
                           + " ".join(f"--param {name}=VALUE" for name in missing))
    if unused := sorted(given.keys() - needed):
        raise QueryRefused(f"the query has no {_listed(unused)} (it takes {_listed(sorted(needed)) or 'none'})")


def _listed(names: list[str]) -> str:
    return ", ".join(f"${name}" for name in names)


def _query_parameters(con: duckdb.DuckDBPyConnection, sql: str) -> set[str]:
    # DuckDB's parser names them: a $name in a comment or a string is none.
    tree = json.loads(con.execute(read_sql("query/parse"), {"sql": sql}).fetchone()[0])
    if tree.get("error"):
        return set()  # executing it reports the syntax error
    return {entry["key"] for statement in tree["statements"] for entry in statement.get("named_param_map", [])}


def is_lake_file_error(warehouse: Path, error: Exception) -> bool:
    """Whether a refused file access was to a file of the lake (one committed after the connection listed them)."""
    return f'"{_data_path(warehouse)}' in str(error)


def reading_statement(sql: str) -> str:
    """The one statement of sql, if it is a kind that only reads; else QueryRefused."""
    statements = duckdb.extract_statements(sql)
    if len(statements) != 1:
        raise QueryRefused(f"give one SQL statement at a time; this holds {len(statements)}")
    [statement] = statements
    if statement.type not in QUERY_STATEMENT_TYPES:
        kind = {"LOAD": "INSTALL or LOAD"}.get(statement.type.name, statement.type.name.replace("_", " "))
        raise QueryRefused(f"query is read-only: {kind} is refused; "
                           "give a select (or with, from, describe, show, summarize)")
    return statement.query


def refuse_other_files(con: duckdb.DuckDBPyConnection, warehouse: Path, statement: str, parameters: dict) -> None:
    """QueryRefused if the statement's plan would open a file through SQLite, other than the catalog.

    The SQLite extension opens files itself, past DuckDB's file locks (sqlite_scan('/other.db', ...)
    would read one even with external access off), so its scans are checked in the plan.
    """
    plan = con.execute(EXPLAIN_AS_JSON + statement, parameters or None).fetchone()[1]
    catalog = str((warehouse / CATALOG_FILE).resolve())
    for operator in _operators(json.loads(plan)):
        name, details = operator.get("name", ""), operator.get("extra_info") or {}
        if "SQLITE" in name.upper() and not (name == "SQLITE_SCAN" and details.get("File") == catalog):
            raise QueryRefused(f"query is read-only and reads the warehouse only: {name.lower()} "
                               "of a file other than its catalog is refused")


def _operators(plan):
    if isinstance(plan, list):
        for item in plan:
            yield from _operators(item)
    elif isinstance(plan, dict):
        yield plan
        yield from _operators(plan.get("children", []))


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create what is missing of the schema in one snapshot (none when nothing is missing)."""
    con.execute("begin transaction")
    try:
        for name in SCHEMA_FILES:
            con.execute(read_sql(f"schema/{name}"))
        made_by = dict(con.execute(read_sql("schema/view_comments")).fetchall())
        for name in VIEW_FILES:
            statement = read_sql(f"views/{name}")
            version = VIEW_VERSION_PREFIX + hashlib.blake2b(statement.encode(), digest_size=8).hexdigest()
            if made_by.get(name) != version:
                con.execute(statement)
                # COMMENT ON takes no bound values; the name is ours and the comment our own hex digest.
                con.execute(f"comment on view {name} is {_quoted(version)}")
        label_commit(con, "schema")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def label_commit(con: duckdb.DuckDBPyConnection, message: str, run_id: str | None = None) -> None:
    """Name the snapshot the open transaction will commit: ducklake_snapshots shows author, message, run id."""
    extra_info = json.dumps({"run_id": run_id}) if run_id else None
    con.execute(read_sql("load/label_commit"), {"author": COMMIT_AUTHOR, "message": message, "extra_info": extra_info})


def open_for_writing(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection with the schema in place (creating the warehouse if new)."""
    (warehouse / DATA_DIR).mkdir(parents=True, exist_ok=True)
    con = _connect()
    _attach(con, warehouse, read_only=False)
    ensure_schema(con)
    return con


def clear_leftovers(warehouse: Path, keep_younger_than: dt.timedelta, keep: str | None = None) -> dict[str, int]:
    """Remove what killed runs left behind: old staging folders and data files no commit refers to.

    Call it only while holding `write_lock`: then no other run is staging or writing, so every
    untracked data file is an orphan of an uncommitted load (readers never write files). A staging
    folder younger than keep_younger_than, or named keep, is left for its flow run to be retried.
    """
    staging = warehouse / STAGING_DIR
    oldest_kept = dt.datetime.now().timestamp() - keep_younger_than.total_seconds()
    stale = [folder for folder in (sorted(staging.iterdir()) if staging.is_dir() else [])
             if folder.name != keep and _last_written(folder) < oldest_kept]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    orphans = 0
    if (warehouse / CATALOG_FILE).exists():
        with open_for_writing(warehouse) as con:
            orphans = len(con.execute("call ducklake_delete_orphaned_files('lake', cleanup_all => true)").fetchall())
    return {"staging_folders": len(stale), "orphan_files": orphans}


def _last_written(folder: Path) -> float:
    # A file added to a staging folder's kind subfolder changes that subfolder's mtime.
    return max([folder.stat().st_mtime, *(p.stat().st_mtime for p in folder.iterdir())])
