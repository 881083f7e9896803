"""Where a lake's catalog and data live, and the PostgreSQL side of a shared lake.

Imported without DuckDB or Prefect (the command line checks a catalog before loading either).
A catalog is given in DuckLake's own form: `postgres:dbname=… host=… port=… user=…` (libpq's
key=value connection string). A password never travels in it: libpq reads PGPASSWORD or
~/.pgpass, so it stays out of command lines, logs, flow-run parameters and tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

CATALOG_VARIABLE = "NEWSFLOW_CATALOG"
DATA_PATH_VARIABLE = "NEWSFLOW_DATA_PATH"
POSTGRES_PREFIX = "postgres:"
# One lock for every writer of a lake: pg_advisory_lock takes a 64-bit key, scoped to the database
# that holds the catalog. Any constant does; it is fixed so that every version of newsflow takes the same.
COMMIT_LOCK_KEY = 0x2C6D_1B4E_63A0_9F17
CONNECT_TIMEOUT_SECONDS = 10


class CatalogError(ValueError):
    """A catalog or data path given in a form newsflow cannot use (a one-line message for the person)."""


class CatalogUnreachable(RuntimeError):
    """The PostgreSQL server holding the catalog could not be reached: names host and port, no password."""


def from_settings(catalog: str | None, data_path: str | None) -> tuple[str | None, str | None]:
    """The catalog and data path given, else NEWSFLOW_CATALOG / NEWSFLOW_DATA_PATH, else (None, None):
    the embedded lake under the warehouse directory."""
    catalog = catalog or os.environ.get(CATALOG_VARIABLE) or None
    data_path = data_path or os.environ.get(DATA_PATH_VARIABLE) or None
    if catalog is None:
        return None, data_path
    if not catalog.startswith(POSTGRES_PREFIX):
        raise CatalogError(f"--catalog takes DuckLake's PostgreSQL form 'postgres:dbname=… host=… port=… user=…'; "
                           f"leave it out for the embedded catalog under --warehouse (got {catalog.split(':')[0]!r}…)")
    fields = conninfo_fields(catalog)
    if "password" in fields:
        raise CatalogError("--catalog must not carry a password: give it in PGPASSWORD or ~/.pgpass")
    if not data_path:
        raise CatalogError("a PostgreSQL catalog needs --data-path (or NEWSFLOW_DATA_PATH): the folder or "
                           "s3://bucket/prefix/ every writer and reader reaches the lake's Parquet files at")
    return catalog, data_path


def conninfo(catalog: str) -> str:
    """libpq's connection string inside a `postgres:` catalog."""
    return catalog[len(POSTGRES_PREFIX):]


def conninfo_fields(catalog: str) -> dict[str, str]:
    from psycopg.conninfo import conninfo_to_dict

    try:
        return {key: str(value) for key, value in conninfo_to_dict(conninfo(catalog)).items()}
    except Exception as error:   # psycopg's ProgrammingError quotes the string: it holds no password (refused)
        raise CatalogError(f"--catalog is not a PostgreSQL connection string: {error}") from None


def describe(catalog: str) -> str:
    """host:port/dbname of a catalog: what messages and summaries name."""
    fields = conninfo_fields(catalog)
    return (f"{fields.get('host') or os.environ.get('PGHOST', 'localhost')}:"
            f"{fields.get('port') or os.environ.get('PGPORT', '5432')}/{fields.get('dbname', '')}")


def connect(catalog: str, **options):
    """A psycopg connection to the catalog's database, or CatalogUnreachable naming host and port."""
    import psycopg

    try:
        return psycopg.connect(conninfo(catalog), connect_timeout=CONNECT_TIMEOUT_SECONDS, **options)
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split())
        raise CatalogUnreachable(f"cannot reach the PostgreSQL catalog at {describe(catalog)}: {reason}") from None


def lake_exists(catalog: str) -> bool:
    """Whether DuckLake has created its metadata tables in the catalog's database yet."""
    with connect(catalog, autocommit=True) as con:
        return con.execute("select to_regclass('ducklake_metadata') is not null").fetchone()[0]


def lake_snapshots(catalog: str) -> int:
    """How many snapshots the catalog's lake holds (0 where DuckLake has not created it yet)."""
    with connect(catalog, autocommit=True) as con:
        if not con.execute("select to_regclass('ducklake_snapshot') is not null").fetchone()[0]:
            return 0
        return con.execute("select count(*) from ducklake_snapshot").fetchone()[0]



def last_snapshot(catalog: str) -> int | None:
    """The id of the lake's last committed snapshot (None where DuckLake has not created it yet)."""
    with connect(catalog, autocommit=True) as con:
        if not con.execute("select to_regclass('ducklake_snapshot') is not null").fetchone()[0]:
            return None
        return con.execute("select max(snapshot_id) from ducklake_snapshot").fetchone()[0]


@contextmanager
def commit_lock(catalog: str) -> Iterator[None]:
    """Hold the lake's commit lock: a PostgreSQL advisory lock, waiting while another writer holds it.

    The lock belongs to this connection's session, so PostgreSQL drops it when the session ends,
    also when the writer is killed (SIGKILL): the next writer never waits for a dead one.
    """
    with connect(catalog, autocommit=True) as con:
        con.execute("select pg_advisory_lock(%s)", (COMMIT_LOCK_KEY,))
        try:
            yield
        finally:
            if not con.closed:
                con.execute("select pg_advisory_unlock(%s)", (COMMIT_LOCK_KEY,))
