"""The DuckLake warehouse: where it lives, how to open it, and its schema.

A warehouse directory holds catalog.sqlite (the DuckLake catalog) and data/ (Parquet files).
Only tasks/load.py writes through `open_for_writing`; everything else reads a snapshot.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import importlib
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

CATALOG_FILE = "catalog.sqlite"
DATA_DIR = "data"
LOCK_FILE = ".write.lock"
STAGING_DIR = ".staging"     # one folder per run, removed when the run ends
MEMORY_LIMIT = "1GB"
SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
# Table creation order matters only for readability; no foreign keys in DuckLake.
SCHEMA_FILES = ("articles", "entity_mentions", "entities", "date_mentions", "quotes",
                "quarantine", "runs", "quality_results", "stories",
                "publication_details", "removed_spans", "clean_text_map",
                "minhash_signatures", "passage_fingerprints", "borrowings",
                # Columns added since: a warehouse made before them gains them.
                "entity_mentions_field", "quarantine_item", "quarantine_article_id", "quarantine_detail")
# Views over the tables (sql/views/), created after them.
VIEW_FILES = ("entity_pairs_by_article", "entity_pairs_by_sentence", "entity_timeline")


class WarehouseMissing(RuntimeError):
    """Raised when a read is asked of a warehouse no run has created yet."""


class WarehouseBusy(RuntimeError):
    """Raised when another run holds the warehouse's write lock."""


def read_sql(relative_path: str) -> str:
    """One statement from sql/, by its path without the .sql suffix."""
    return (SQL_DIR / f"{relative_path}.sql").read_text(encoding="utf-8")


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


def _attach(con: duckdb.DuckDBPyConnection, warehouse: Path, read_only: bool) -> None:
    catalog = (warehouse / CATALOG_FILE).resolve()
    data_path = f"{(warehouse / DATA_DIR).resolve()}/"
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


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for name in SCHEMA_FILES:
        con.execute(read_sql(f"schema/{name}"))
    for name in VIEW_FILES:
        con.execute(read_sql(f"views/{name}"))


def _lock_or_refuse(handle, warehouse: Path) -> None:
    # flock, not a pid file: the kernel drops it when its process dies, even by SIGKILL.
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise WarehouseBusy(
            f"another newsflow run is writing to {warehouse}; wait for it to finish and run again"
        ) from None


def refuse_if_busy(warehouse: Path) -> None:
    """Raise WarehouseBusy now if a run holds the lock, before a flow starts only to be refused."""
    if (warehouse / LOCK_FILE).exists():
        with open(warehouse / LOCK_FILE, "a+") as handle:
            _lock_or_refuse(handle, warehouse)  # closing the file lets the lock go again


@contextmanager
def write_lock(warehouse: Path) -> Iterator[None]:
    """Hold the warehouse's single-writer lock for the whole run, or fail at once."""
    warehouse.mkdir(parents=True, exist_ok=True)
    with open(warehouse / LOCK_FILE, "a+") as handle:
        _lock_or_refuse(handle, warehouse)
        handle.seek(0), handle.truncate(), handle.write(str(os.getpid())), handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
