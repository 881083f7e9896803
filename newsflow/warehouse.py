"""The DuckLake warehouse: where it lives, how to open it, and the one object that uses it.

By default (the embedded lake) a warehouse directory holds catalog.sqlite (the DuckLake catalog)
and data/ (Parquet files), and one run writes at a time under a lock on a local file. A team's
lake (the shared lake) keeps its catalog in PostgreSQL (`--catalog 'postgres:dbname=… host=…'`)
and its Parquet files under `--data-path` (a shared folder or s3://); the warehouse directory is
then only the machine's own working folder (staging, Data Docs), and writers on many machines
take turns through a PostgreSQL advisory lock for the short section that commits.
`Warehouse` is newsflow's only user of either: it reads what a run needs (known inputs and
entities, dedup's candidates, loaded stories), commits a run in one transaction (the plan of
tasks/load.py's table registry), records failed runs and runs maintenance. `newsflow query`
reads through `open_for_query`, which opens nothing but the lake's own files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from newsflow import catalog as shared_catalog
from newsflow.resources import read_sql
# The lock lives in its own module (imported without DuckDB); these names stay reachable from here.
from newsflow.write_lock import LOCK_FILE, WarehouseBusy, write_lock  # noqa: F401

if TYPE_CHECKING:   # the stages' modules take seconds to import, and `newsflow query` needs none of them
    from tasks import dedup, load, stories

CATALOG_FILE = "catalog.sqlite"
DATA_DIR = "data"
STAGING_DIR = ".staging"     # one folder per run, removed when the run ends
MEMORY_LIMIT = "1GB"
# Views over the tables (sql/views/), created after them.
VIEW_FILES = ("entity_pairs_by_article", "entity_pairs_by_sentence", "entity_timeline", "stories", "entity_lookup")
# A view carries the digest of the file that made it as its comment: a run replaces a view only when its
# file changed (an older warehouse gets the new columns), and an unchanged schema makes no snapshot.
VIEW_VERSION_PREFIX = "newsflow:"
# The author of every snapshot newsflow commits (ducklake_snapshots' author column).
COMMIT_AUTHOR = "newsflow"
# Held while a run's commit is under way. A process ending on Ctrl-C takes it (hold_commits) before
# it says whether the run committed: a commit in a task thread then either finished before that
# line is written or never begins, so the line is true.
_COMMITS = threading.Lock()
# What `newsflow query` lets through: one statement that reads. DESCRIBE, SHOW, SUMMARIZE, FROM-first
# queries and table-valued PRAGMAs parse as SELECT too.
QUERY_STATEMENT_TYPES = {duckdb.StatementType.SELECT}
EXPLAIN_AS_JSON = "explain (format json) "   # prefixed to the query, whose plan shows what it would open


class WarehouseMissing(RuntimeError):
    """Raised when a read is asked of a warehouse no run has created yet."""


class QueryRefused(ValueError):
    """Raised when SQL given to `newsflow query` would do more than read the warehouse."""


def _extension_file(name: str) -> Path:
    # The extensions ship inside PyPI packages (duckdb-extension-NAME): no network at run time.
    package = importlib.import_module(f"duckdb_extension_{name}")
    found = sorted(Path(package.__file__).parent.rglob(f"{name}.duckdb_extension"))
    if not found:
        raise RuntimeError(f"duckdb-extension-{name} is installed but holds no extension file")
    return found[0]


def _connect(warehouse: "Warehouse") -> duckdb.DuckDBPyConnection:
    # DuckDB would take up to 80% of RAM by default; a run's load spills to disk past this instead.
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False,
                                 "memory_limit": MEMORY_LIMIT})
    for name in warehouse.extensions():
        con.execute(f"install '{_extension_file(name)}'")
        # The postgres extension's entry point is postgres_scanner: LOAD by its file's name fails.
        con.execute(f"load {'postgres_scanner' if name == 'postgres' else name}")
    if warehouse.data_path.startswith("s3://"):
        # The standard AWS chain: environment, ~/.aws, instance role (AWS_ENDPOINT_URL for S3-compatible servers).
        con.execute(read_sql("lake/s3_credentials"))
    return con


def _quoted(text: str) -> str:
    # ATTACH takes no bound parameters, so its paths are written as escaped literals.
    return "'" + text.replace("'", "''") + "'"


def _attach(con: duckdb.DuckDBPyConnection, warehouse: "Warehouse", read_only: bool) -> None:
    # The catalog records the data path it was created with; overriding it with the one given lets
    # an embedded warehouse be moved or copied whole. Every row goes to Parquet: inlined rows would
    # live in the catalog instead.
    options = f"data_path {_quoted(warehouse.data_path)}, override_data_path true, data_inlining_row_limit 0"
    if read_only:
        options += ", read_only"
    con.execute(f"attach {_quoted('ducklake:' + warehouse.catalog_target(read_only))} as lake ({options})")
    con.execute("use lake")


def _as_warehouse(warehouse: "str | Path | Warehouse") -> "Warehouse":
    return warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse)


def open_read_only(warehouse: "str | Path | Warehouse") -> duckdb.DuckDBPyConnection:
    """A connection on the last committed snapshot; writes are refused."""
    warehouse = _as_warehouse(warehouse)
    if not warehouse.exists():
        raise WarehouseMissing(f"no warehouse at {warehouse.where()}: run `newsflow run` on it first")
    con = _connect(warehouse)
    _attach(con, warehouse, read_only=True)
    return con


def open_for_query(warehouse: "str | Path | Warehouse") -> duckdb.DuckDBPyConnection:
    """A read-only connection for SQL a person types: it may open the lake's own files and nothing else.

    DuckDB's locks, set once the lake is attached: no file outside those the catalog lists (so no
    COPY TO, EXPORT, ATTACH of a new file, read_text('/etc/...') or INSTALL), no spilling to a temp
    folder, and a configuration no SET can change back. On a shared lake the catalog's PostgreSQL
    session is itself read-only (refuse_other_files keeps queries off any other database).
    """
    warehouse = _as_warehouse(warehouse)
    con = open_read_only(warehouse)
    try:
        lake_files = [row[0] for row in con.execute(read_sql("query/lake_files"),
                                                    {"data_path": warehouse.data_path}).fetchall()]
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


def is_lake_file_error(warehouse: "str | Path | Warehouse", error: Exception) -> bool:
    """Whether a refused file access was to a file of the lake (one committed after the connection listed them)."""
    return f'"{_as_warehouse(warehouse).data_path}' in str(error)


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


def refuse_other_files(con: duckdb.DuckDBPyConnection, warehouse: "str | Path | Warehouse", statement: str,
                       parameters: dict) -> None:
    """QueryRefused if the statement's plan would open a file through SQLite other than the catalog, or
    reach PostgreSQL itself.

    The SQLite and postgres extensions open files and connections themselves, past DuckDB's file
    locks (sqlite_scan('/other.db', ...) or postgres_scan('dbname=other ...', ...) would read one
    even with external access off), so their scans are checked in the plan. DuckLake reads its
    catalog when a query is bound, not through a scan in the plan: a query of the lake's tables shows none.
    """
    warehouse = _as_warehouse(warehouse)
    plan = con.execute(EXPLAIN_AS_JSON + statement, parameters or None).fetchone()[1]
    catalog = str((warehouse.path / CATALOG_FILE).resolve())
    for operator in _operators(json.loads(plan)):
        name, details = operator.get("name", ""), operator.get("extra_info") or {}
        if "SQLITE" in name.upper() and not (name == "SQLITE_SCAN" and details.get("File") == catalog
                                             and not warehouse.shared):
            raise QueryRefused(f"query is read-only and reads the warehouse only: {name.lower()} "
                               "of a file other than its catalog is refused")
        if "POSTGRES" in name.upper():
            raise QueryRefused(f"query is read-only and reads the lake's tables only: {name.lower()} is refused")


def _operators(plan):
    if isinstance(plan, list):
        for item in plan:
            yield from _operators(item)
    elif isinstance(plan, dict):
        yield plan
        yield from _operators(plan.get("children", []))


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create what is missing of the schema in one snapshot (none when nothing is missing)."""
    from tasks import load

    con.execute("begin transaction")
    try:
        for name in load.schema_statements():
            con.execute(read_sql(f"schema/{name}"))
        for needed, upgrade in load.UPGRADES:
            if con.execute(read_sql(f"schema/{needed}")).fetchone()[0]:
                con.execute(read_sql(f"schema/{upgrade}"))
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


def open_for_writing(warehouse: "str | Path | Warehouse") -> duckdb.DuckDBPyConnection:
    """A read-write connection with the schema in place (creating the warehouse if new)."""
    warehouse = _as_warehouse(warehouse)
    warehouse.path.mkdir(parents=True, exist_ok=True)
    if "://" not in warehouse.data_path:
        Path(warehouse.data_path).mkdir(parents=True, exist_ok=True)
    con = _connect(warehouse)
    _attach(con, warehouse, read_only=False)
    ensure_schema(con)
    return con


def _folder(path: str | Path) -> str:
    """A data path as DuckLake takes it: an absolute folder (or URL) ending in '/'."""
    text = str(path)
    if "://" not in text:
        text = str(Path(text).resolve())
    return text if text.endswith("/") else text + "/"


def _last_written(folder: Path) -> float:
    # A file added to a staging folder's kind subfolder changes that subfolder's mtime.
    return max([folder.stat().st_mtime, *(p.stat().st_mtime for p in folder.iterdir())])


class Warehouse:
    """One lake, and everything newsflow does with it.

    `path` is the warehouse directory: on the embedded lake it holds the catalog and data/; on a
    shared lake (catalog given) only this machine's working files. Reads open the last committed
    snapshot and close again; writes (a run's `OpenRun`, `record_failed_run`, maintenance) are each one
    transaction, by a caller holding `whole_run_lock` and `commit_lock`.
    """

    def __init__(self, path: str | Path, catalog: str | None = None, data_path: str | None = None):
        """catalog and data_path as given (None: NEWSFLOW_CATALOG / NEWSFLOW_DATA_PATH, else embedded);
        catalog.CatalogError when they cannot be used."""
        self.path = Path(path)
        self.catalog, data_path = shared_catalog.from_settings(catalog, data_path)
        self.data_path = _folder(data_path or self.path / DATA_DIR)

    @classmethod
    def embedded(cls, path: str | Path) -> "Warehouse":
        """The embedded lake under path, whatever NEWSFLOW_CATALOG says (what move-catalog moves from)."""
        warehouse = cls.__new__(cls)
        warehouse.path, warehouse.catalog, warehouse.data_path = Path(path), None, _folder(Path(path) / DATA_DIR)
        return warehouse

    def __repr__(self) -> str:
        return f"Warehouse({str(self.path)!r}, catalog={self.catalog!r}, data_path={self.data_path!r})"

    @property
    def shared(self) -> bool:
        """Whether the catalog is in PostgreSQL, where writers on other machines may commit too."""
        return self.catalog is not None

    def where(self) -> str:
        """The lake in a person's words, for messages and the run summary (never a password: none is allowed)."""
        if self.shared:
            return f"PostgreSQL catalog {shared_catalog.describe(self.catalog)}, data {self.data_path}"
        return str(self.path)

    def catalog_target(self, read_only: bool = False) -> str:
        """What follows `ducklake:` in ATTACH. A reader's PostgreSQL session is read-only on the server
        side too, so even SQL that reached the catalog's connection could not write to it."""
        if not self.shared:
            return f"sqlite:{(self.path / CATALOG_FILE).resolve()}"
        if read_only:
            return f"{self.catalog} options='-c default_transaction_read_only=on'"
        return self.catalog

    def extensions(self) -> list[str]:
        """The DuckDB extensions the lake needs: DuckLake, its catalog's database, S3 for an s3:// data path."""
        names = ["postgres" if self.shared else "sqlite", "ducklake"]
        if self.data_path.startswith("s3://"):
            names += ["httpfs", "aws"]
        return names

    def exists(self) -> bool:
        """Whether a run has created the lake (catalog.CatalogUnreachable if its PostgreSQL cannot be reached)."""
        if self.shared:
            return shared_catalog.lake_exists(self.catalog)
        return (self.path / CATALOG_FILE).exists()

    def check_reachable(self) -> None:
        """catalog.CatalogUnreachable, in one line naming host and port, unless the catalog answers."""
        if self.shared:
            shared_catalog.connect(self.catalog).close()

    def whole_run_lock(self):
        """What a run holds from its first file to its commit: the embedded lake's single-writer lock.
        A shared lake's writers ingest, clean and extract at the same time, and take turns only to commit."""
        return nullcontext() if self.shared else write_lock(self.path)

    def commit_lock(self):
        """What a run holds while it reads the lake for its copies and stories and commits: on a shared
        lake, PostgreSQL's advisory lock (whole_run_lock already serialises the embedded lake's runs)."""
        return shared_catalog.commit_lock(self.catalog) if self.shared else nullcontext()

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection on the last committed snapshot (WarehouseMissing before the first run)."""
        with open_read_only(self) as con:
            yield con

    @contextmanager
    def _reading_through(self, con: duckdb.DuckDBPyConnection | None) -> Iterator[duckdb.DuckDBPyConnection]:
        """`con` (an open run's transaction: the lake with the run's settled batches) or a fresh reader."""
        if con is not None:
            yield con
        else:
            with self.reading() as fresh:
                yield fresh

    def _rows(self, con: duckdb.DuckDBPyConnection, name: str, parameters: dict | None = None) -> list[dict]:
        return self._table(con, name, parameters).to_pylist()

    def _table(self, con: duckdb.DuckDBPyConnection, name: str, parameters: dict | None = None) -> pa.Table:
        sql = read_sql(name)
        return con.execute(sql, _parameters_used(sql, parameters or {})).to_arrow_table()

    # What a run reads ------------------------------------------------------------------------------

    def known_input_ids(self) -> set[str]:
        """Ids of inputs already loaded or quarantined: an unchanged input is skipped."""
        if not self.exists():
            return set()
        with self.reading() as con:
            return {row[0] for row in con.execute(read_sql("reads/known_input_ids")).fetchall()}

    def known_entities(self) -> pa.Table:
        """The entities already loaded, with their canonical keys: evidence for a new run's mentions."""
        from tasks import entities

        if not self.exists():
            return entities.KNOWN_ENTITY_SCHEMA.empty_table()
        with self.reading() as con:
            return entities.with_canonical_keys(con.execute(read_sql("reads/known_entities")).to_arrow_table())

    def dedup_candidates(self, request: dict, con: duckdb.DuckDBPyConnection | None = None) -> dedup.EarlierArticles:
        """Loaded articles that may copy a batch's (dedup.candidate_request), with the signatures and
        fingerprints of those worth measuring (dedup.candidates_to_measure) and how many of the rest carry
        each passage; read through `con` when given (OpenRun), else from the last committed snapshot."""
        from tasks import dedup

        if con is None and not self.exists():
            return dedup.EarlierArticles.none()
        with self._reading_through(con) as con:
            articles = self._rows(con, "reads/copy_candidates", request)
            measured, unmeasured = dedup.candidates_to_measure(request, articles)
            ids = {"article_ids": measured}
            signatures, fingerprints = (self._table(con, f"reads/candidate_{kind}", ids)
                                        for kind in ("signatures", "fingerprints"))
            carriers = self._table(con, "reads/unmeasured_carriers", ids | {
                "unmeasured_ids": unmeasured, "fingerprints": request["fingerprints"]}) if unmeasured else None
            folder_sizes = {row["folder"]: row["articles"] for row in self._rows(con, "reads/folder_sizes", request)}
        for row in articles:
            del row["batch_prints"], row["copy_candidate"]
        return dedup.EarlierArticles(articles, signatures, fingerprints, folder_sizes,
                                     dedup.CARRIER_SCHEMA.empty_table() if carriers is None
                                     else carriers.cast(dedup.CARRIER_SCHEMA))

    def loaded_stories(self, run_terms: dict[str, stories.ArticleTerms], con: duckdb.DuckDBPyConnection | None = None,
                       this_run: str | None = None) -> stories.LoadedStories:
        """The warehouse's term counts for a batch's terms, and the stories its articles may join, found
        through story_profiles by each article's query terms (tasks/stories.py), with their profiles.
        Read through `con` when given (OpenRun); the articles of `this_run` (already loaded into the
        run's open transaction) are left out of the counts and spans: the run counts them itself."""
        from tasks import stories

        if con is None and not self.exists():
            return stories.LoadedStories()
        run_ids = {"run_article_ids": sorted(run_terms), "this_run": this_run}
        keys = sorted({(kind, term) for article in run_terms.values()
                       for kind in (stories.WORD_KIND, stories.ENTITY_KIND) for term in article.terms(kind)})
        with self._reading_through(con) as con:
            if not con.execute(read_sql("stories/story_profiles_exist")).fetchone()[0]:
                return stories.LoadedStories()   # a warehouse from before story profiles: --full-refresh makes them
            documents = con.execute(read_sql("stories/document_count"), run_ids).fetchone()[0]
            term_documents = self._rows(con, "stories/term_documents", run_ids | {
                "kinds": [kind for kind, _ in keys], "terms": [term for _, term in keys]})
            frequencies = stories.run_frequencies(run_terms, documents, term_documents)
            query = [(article_id, kind, term) for article_id, article in sorted(run_terms.items())
                     for kind, term in stories.query_terms(article, frequencies)]
            candidates = self._rows(con, "stories/story_candidates", run_ids | {
                "query_articles": [q[0] for q in query], "query_kinds": [q[1] for q in query],
                "query_terms": [q[2] for q in query], "stories_per_article": stories.STORIES_PER_ARTICLE})
            story_ids = run_ids | {"story_ids": sorted({row["story_id"] for row in candidates})}
            profiles = self._rows(con, "stories/story_profiles", story_ids)
            spans = self._rows(con, "stories/story_spans", story_ids)
        return stories.LoadedStories(documents, term_documents, candidates, profiles, spans)

    def copy_group_stories(self, roots: list[str], this_run: str, con: duckdb.DuckDBPyConnection | None = None
                           ) -> list[dict]:
        """Loaded articles outside `this_run` in the copy groups of `roots` (sql/stories/copy_group_stories.sql)."""
        if con is None and not self.exists():
            return []
        with self._reading_through(con) as con:
            return self._rows(con, "stories/copy_group_stories", {"roots": roots, "this_run": this_run})

    # What a run writes -----------------------------------------------------------------------------

    def open_run(self) -> "OpenRun":
        """A run's one transaction, opened at its first load (OpenRun)."""
        return OpenRun(self)


    def record_failed_run(self, run: load.RunRecord) -> None:
        """Record a run that stopped before its commit (its data is not loaded)."""
        with self.commit_lock(), open_for_writing(self) as con:
            con.execute("begin transaction")
            self._insert_run(con, run, f"newsflow run {run.run_id} ({run.status})")
            con.execute("commit")

    @staticmethod
    def _insert_run(con: duckdb.DuckDBPyConnection, run: load.RunRecord, message: str) -> None:
        from tasks import load

        for name in load.RUNS.load:
            con.execute(read_sql(f"load/{name}"), run.parameters())
        label_commit(con, message, run_id=run.run_id)

    def record_quality_results(self, run_id: str, results: pa.Table) -> None:
        """Store the results of a check that is not part of a pipeline run (re-validation)."""
        with self.commit_lock(), open_for_writing(self) as con:
            con.register("revalidation_results", results)
            con.execute("begin transaction")
            con.execute(read_sql("maintenance/insert_revalidation_results"), {"run_id": run_id})
            label_commit(con, f"newsflow re-validation {run_id}", run_id=run_id)
            con.execute("commit")

    # Maintenance -----------------------------------------------------------------------------------

    def parquet_files(self) -> int:
        """How many Parquet files the data path holds (the lake's, and any an interrupted load left)."""
        with self.reading() as con:
            return con.execute(read_sql("maintenance/parquet_file_count"), {"data_path": self.data_path}).fetchone()[0]

    def compact(self, keep_days: int) -> dict:
        """Merge small Parquet files, expire snapshots older than keep_days and delete unreferenced files."""
        before = self.parquet_files()
        with self.commit_lock(), open_for_writing(self) as con:
            snapshots_before = con.execute(read_sql("maintenance/snapshot_count")).fetchone()[0]
            con.execute(read_sql("maintenance/merge_adjacent_files"))
            con.execute(read_sql("maintenance/expire_snapshots"), {"keep_days": keep_days})
            con.execute(read_sql("maintenance/cleanup_old_files"))
            snapshots_after = con.execute(read_sql("maintenance/snapshot_count")).fetchone()[0]
        return {"parquet_files_before": before, "parquet_files_after": self.parquet_files(),
                "snapshots_before": snapshots_before, "snapshots_after": snapshots_after}

    def loaded_pages(self, page_size: int) -> Iterator[tuple[pa.Table, pa.Table]]:
        """Yield (articles, their mentions) of the warehouse, page by page, from one snapshot."""
        with self.reading() as con:
            offset = 0
            while True:
                articles = con.execute(read_sql("maintenance/articles_page"),
                                       {"page_size": page_size, "page_offset": offset}).to_arrow_table()
                if not len(articles):
                    return
                mentions = con.execute(read_sql("maintenance/mentions_of_articles"),
                                       {"article_ids": articles["article_id"].to_pylist()}).to_arrow_table()
                yield articles, mentions
                offset += page_size

    def entity_ids(self) -> list[str]:
        """Every canonical entity id in the warehouse: what a re-validated mention may point at."""
        with self.reading() as con:
            return [row[0] for row in con.execute(read_sql("maintenance/entity_ids")).fetchall()]

    def clear_leftovers(self, keep_younger_than: dt.timedelta, keep: str | None = None) -> dict[str, int]:
        """Remove what killed runs left behind: old staging folders and data files no commit refers to.

        On the embedded lake call it only while holding `write_lock`: then no other run is staging or
        writing, so every untracked data file is an orphan of an uncommitted load (readers never write
        files). On a shared lake another machine may be writing files it has not committed yet, so only
        untracked files older than keep_younger_than go. A staging folder younger than that, or named
        keep, is left for its flow run to be retried.
        """
        staging = self.path / STAGING_DIR
        oldest_kept = dt.datetime.now().timestamp() - keep_younger_than.total_seconds()
        stale = [folder for folder in (sorted(staging.iterdir()) if staging.is_dir() else [])
                 if folder.name != keep and _last_written(folder) < oldest_kept]
        for folder in stale:
            shutil.rmtree(folder, ignore_errors=True)
        orphans = 0
        if self.exists():
            with open_for_writing(self) as con:
                if self.shared:
                    orphans = len(con.execute(read_sql("maintenance/delete_orphaned_files_older_than"),
                                              {"older_than": dt.datetime.now(dt.timezone.utc) - keep_younger_than}
                                              ).fetchall())
                else:
                    orphans = len(con.execute(read_sql("maintenance/delete_orphaned_files")).fetchall())
        return {"staging_folders": len(stale), "orphan_files": orphans}


class OpenRun:
    """One run's rows in one open DuckLake transaction: loaded batch by batch, each as soon as its copies
    and stories are settled, so the next batch's search reads them (the transaction sees its own rows),
    and committed once, with the run's record: one snapshot per run, and readers never see half a run.

    The transaction opens at the first load. On a shared lake other writers may commit while it is
    open: `moved_on` says whether any did, in which case the batches were settled against a lake that
    is no longer the last, and the run discards the transaction and settles them again in its turn.
    """

    def __init__(self, warehouse: Warehouse):
        self.warehouse = warehouse
        self._con: duckdb.DuckDBPyConnection | None = None
        self._began_after: int | None = None
        self.load_seconds = 0.0

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The transaction's connection, opened (and the transaction begun) on first use."""
        if self._con is None:
            # Read before the transaction begins, so a commit in between can only make moved_on say
            # yes for nothing, never no for something. (The embedded lake's runs never overlap.)
            if self.warehouse.shared:
                self._began_after = shared_catalog.last_snapshot(self.warehouse.catalog)
            self._con = open_for_writing(self.warehouse)
            self._con.execute("begin transaction")
        return self._con

    def dedup_candidates(self, request: dict) -> dedup.EarlierArticles:
        return self.warehouse.dedup_candidates(request, self.connection)

    def loaded_stories(self, run_terms: dict[str, stories.ArticleTerms],
                       this_run: str | None = None) -> stories.LoadedStories:
        return self.warehouse.loaded_stories(run_terms, self.connection, this_run)

    def copy_group_stories(self, roots: list[str], this_run: str) -> list[dict]:
        return self.warehouse.copy_group_stories(roots, this_run, self.connection)

    def load(self, staged_files: dict[str, list[str]], run_id: str) -> None:
        """Load staged files into the transaction (tasks/load.py commit_plan): one batch's, or the run's rest."""
        from tasks import load

        self._execute(load.commit_plan(staged_files, run_id))

    def load_once(self, staged_files: dict[str, list[str]], run_id: str) -> None:
        """After the run's last batch has loaded: what loads once per run, over all its batches' files (tasks/load.py
        load_once_plan: the rows of the entities the batches touched, which entity settlement then reads)."""
        from tasks import load

        self._execute(load.load_once_plan(staged_files, run_id))

    def _execute(self, plan: list[tuple[str, dict]]) -> None:
        started = time.perf_counter()
        con = self.connection
        for name, values in plan:
            sql = read_sql(f"load/{name}")
            con.execute(sql, _parameters_used(sql, values))
        self.load_seconds += time.perf_counter() - started

    def settle_entities(self, run_id: str, corrections: list | None = None) -> dict[str, str]:
        """Link the lake's entities that name one thing (tasks/entity_settlement.py), apply a person's
        corrections, and re-point every row that named a merged id, in the transaction; merged id -> survivor."""
        from tasks import entity_settlement as settlement

        started = time.perf_counter()
        con = self.connection
        rows = con.execute(read_sql("entities/settlement_entities")).to_arrow_table().to_pylist()
        known = [settlement.Entity(row["entity_id"], row["name"], row["label"], row["mention_count"],
                                   tuple(row["aliases"] or ())) for row in rows]

        def loaded_before(ids: set[str]) -> set[str]:
            if not ids:
                return set()
            found = con.execute(read_sql("entities/entities_loaded_before"),
                                {"run_id": run_id, "entity_ids": sorted(ids)}).fetchall()
            return {row[0] for row in found}

        plan = settlement.plan(known, settlement.place_names(), loaded_before,
                               settlement.steps_from(os.environ.get(settlement.STEPS_VARIABLE)), corrections or [])
        # Registered as plan_<name>; sql/entities/stage_plan.sql copies each into the temp table <name>.
        settled_names = [name for name, _ in plan.settled.values()]
        settled_labels = [label for _, label in plan.settled.values()]
        splits = [{"entity_id": survivor, "text": text, "to_id": to_id}
                  for survivor, texts, to_id in plan.splits for text in texts]
        tables = {
            "plan_entity_merges": pa.table({"from_id": pa.array(list(plan.merges), pa.string()),
                                            "to_id": pa.array(list(plan.merges.values()), pa.string())}),
            "plan_settled_entities": pa.table({"entity_id": pa.array(list(plan.settled), pa.string()),
                                               "name": pa.array(settled_names, pa.string()),
                                               "label": pa.array(settled_labels, pa.string())}),
            "plan_entity_splits": pa.Table.from_pylist(splits, schema=settlement.SPLIT_SCHEMA),
            "plan_settled_ambiguities": pa.Table.from_pylist(plan.ambiguous, schema=settlement.AMBIGUITY_SCHEMA),
            "plan_applied_corrections": pa.Table.from_pylist(plan.corrections, schema=settlement.CORRECTION_SCHEMA)}
        for name, table in tables.items():
            con.register(name, table)
        changes = ("repoint_mentions", "split_mentions", "repoint_quotes", "repoint_story_terms", "settled_entity_rows",
                   "load/insert_entities") if plan.merges or plan.settled or plan.splits else ()
        for script in ("stage_plan", *changes, "record_ambiguous_names", "record_corrections"):
            for statement in _statements(read_sql(script if "/" in script else f"entities/{script}")):
                con.execute(statement, _parameters_used(statement, {"run_id": run_id}))
        for name in tables:
            con.unregister(name)
        self.load_seconds += time.perf_counter() - started
        return plan.merges

    def moved_on(self) -> bool:
        """Whether another writer committed since the transaction began (only a shared lake's can)."""
        return self._con is not None and self.warehouse.shared and \
            shared_catalog.last_snapshot(self.warehouse.catalog) != self._began_after

    def commit(self, run: load.RunRecord) -> None:
        """Commit what was loaded with the run's record, whose load time counts every load up to here."""
        started = time.perf_counter()
        con = self.connection
        try:
            with _COMMITS:
                run.stage_seconds["load"] = self.load_seconds + time.perf_counter() - started
                self.warehouse._insert_run(con, run, f"newsflow run {run.run_id}")
                con.execute("commit")
                self._close()   # before the lock is let go: nothing after it may roll a commit back
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Roll back whatever was loaded: the lake stays as its last snapshot has it."""
        if self._con is not None:
            try:
                self._con.execute("rollback")
            finally:
                self._close()
        self.load_seconds = 0.0

    def _close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def commit_under_way() -> bool:
    """Whether a run is committing in this process now."""
    return _COMMITS.locked()


def hold_commits(timeout: float) -> None:
    """Let a run's commit under way finish (up to `timeout` seconds), then let none begin in this process."""
    _COMMITS.acquire(timeout=timeout)


def _statements(script: str) -> list[str]:
    """The statements of a sql/ file that holds several, each ending in ';' at a line's end."""
    return [statement for statement in (part.strip() for part in script.split(";\n")) if statement]


def _parameters_used(sql: str, values: dict) -> dict:
    # DuckDB refuses named parameters a statement does not use.
    return {name: value for name, value in values.items() if f"${name}" in sql}


class MoveRefused(RuntimeError):
    """Raised when an embedded warehouse cannot be moved onto the catalog given (one line for the person)."""


def move_catalog(embedded: Warehouse, shared: Warehouse) -> dict[str, int]:
    """Move an embedded warehouse's catalog into an empty PostgreSQL database, history and all.

    DuckLake keeps the same metadata tables in SQLite and in PostgreSQL, so every row of every
    ducklake_* table is copied as it is, in one PostgreSQL transaction: each snapshot, its run id
    and time travel survive. The Parquet files stay where they are (the data path defaults to the
    warehouse's data/), or are copied first to a new local data path. Returns rows copied per table.
    """
    if embedded.shared or not shared.shared:
        raise MoveRefused("move-catalog moves an embedded warehouse (--warehouse) onto a PostgreSQL --catalog")
    if not embedded.exists():
        raise WarehouseMissing(f"no warehouse at {embedded.path}: nothing to move")
    if shared_catalog.lake_snapshots(shared.catalog) > 1:   # snapshot 0 alone: created by an earlier, failed move
        raise MoveRefused(f"the PostgreSQL catalog {shared.where()} already holds a lake: give an empty database")
    with write_lock(embedded.path):
        if shared.data_path != embedded.data_path:
            if "://" in shared.data_path:
                raise MoveRefused("copy data/ to the object store first (e.g. aws s3 sync W/data s3://…/), then move "
                                  "with --data-path set to the folder the files are already in")
            shutil.copytree(embedded.data_path, shared.data_path, dirs_exist_ok=False)
        with _connect(shared) as con:
            _attach(con, shared, read_only=False)   # creates DuckLake's metadata tables, empty but for snapshot 0
            con.execute("use memory")
            con.execute("detach lake")
            con.execute(f"attach {_quoted(str((embedded.path / CATALOG_FILE).resolve()))} as embedded "
                        "(type sqlite, read_only)")
            con.execute(f"attach {_quoted(shared_catalog.conninfo(shared.catalog))} as shared (type postgres)")
            tables = [row[0] for row in con.execute(read_sql("lake/catalog_tables")).fetchall()]
            copied = {}
            con.execute("begin transaction")
            try:
                for table in tables:
                    # Names from DuckLake's own catalog listing (catalog_tables.sql), never from a person.
                    con.execute(f"delete from shared.public.{table}")
                    con.execute(f"insert into shared.public.{table} by name select * from embedded.{table}")
                    copied[table] = con.execute(f"select count(*) from shared.public.{table}").fetchone()[0]
                con.execute(read_sql("lake/set_data_path"), {"data_path": shared.data_path})
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
    return copied
