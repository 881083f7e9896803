"""Load: a run's staged Parquet batches in; one DuckLake commit out.

The only writer of the warehouse. Everything a run produced (articles, mentions, entities,
quarantine, quality results, the run's record) goes in one transaction, so a run that dies
leaves the last snapshot intact and readers never see half a run. That snapshot carries the
run's id (ducklake_snapshots' commit_extra_info), so sql/queries/run_snapshots.sql can name it.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from newsflow import warehouse as wh
from tasks import dedup, entities, stories

# Statements of sql/load/, in the order one run's commit applies them.
LOAD_STATEMENTS = (
    "stage_tables", "replaced_articles",
    "delete_replaced_entity_mentions", "delete_replaced_date_mentions", "delete_replaced_quotes",
    "delete_replaced_articles", "insert_articles", "relink_earlier_copies", "insert_entity_mentions",
    "insert_date_mentions", "insert_quotes",
    "entity_names", "delete_entities", "insert_entities", "insert_quarantine", "insert_quality_results",
    "delete_replaced_signatures", "delete_replaced_fingerprints", "delete_replaced_borrowings",
    "insert_signatures", "insert_fingerprints", "insert_borrowings", "delete_replaced_story_terms", "insert_story_terms",
    "delete_story_profiles", "insert_story_profiles",
    # the cleaner's audit trail: date details, removed spans, clean-to-raw offsets
    "delete_replaced_publication_details", "delete_replaced_removed_spans", "delete_replaced_clean_text_map",
    "insert_publication_details", "insert_removed_spans", "insert_clean_text_map",
)


@dataclass
class RunRecord:
    """What the runs table says of one run."""

    run_id: str
    started_at: dt.datetime
    source: str
    model: str
    status: str = "completed"
    files_seen: int = 0
    inputs_seen: int = 0
    articles_loaded: int = 0
    unchanged_skips: int = 0
    quarantined: int = 0
    duplicates: int = 0
    mentions: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    message: str | None = None

    def parameters(self) -> dict:
        values = {k: v for k, v in vars(self).items() if k != "stage_seconds"}
        return values | {"stage_seconds": json.dumps({k: round(v, 3) for k, v in self.stage_seconds.items()})}


@dataclass
class StagedRun:
    """The Parquet files a run staged, one list per kind of row."""

    articles: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    quarantine: list[str] = field(default_factory=list)
    quality: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    date_mentions: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    fingerprints: list[str] = field(default_factory=list)
    borrowings: list[str] = field(default_factory=list)
    story_terms: list[str] = field(default_factory=list)
    story_profiles: list[str] = field(default_factory=list)


def known_input_ids(warehouse: Path) -> set[str]:
    """Ids of inputs already loaded or quarantined: an unchanged input is skipped."""
    try:
        con = wh.open_read_only(warehouse)
    except wh.WarehouseMissing:
        return set()
    with con:
        return {row[0] for row in con.execute(wh.read_sql("load/known_input_ids")).fetchall()}


def known_entities(warehouse: Path) -> pa.Table:
    """The entities already loaded, with their canonical keys: evidence for a new run's mentions."""
    try:
        con = wh.open_read_only(warehouse)
    except wh.WarehouseMissing:
        return entities.KNOWN_ENTITY_SCHEMA.empty_table()
    with con:
        return entities.with_canonical_keys(con.execute(wh.read_sql("load/known_entities")).to_arrow_table())


def dedup_candidates(warehouse: Path, request: dict) -> dedup.EarlierArticles:
    """Loaded articles that may copy a run's (dedup.candidate_request), with their signatures and fingerprints."""
    try:
        con = wh.open_read_only(warehouse)
    except wh.WarehouseMissing:
        return dedup.EarlierArticles([], [], [])
    with con:
        sql = wh.read_sql("load/copy_candidates")
        articles = con.execute(sql, _parameters_used(sql, request)).to_arrow_table().to_pylist()
        ids = {"article_ids": [row["article_id"] for row in articles]}
        signatures, fingerprints = (
            con.execute(wh.read_sql(f"load/candidate_{kind}"), ids).to_arrow_table().to_pylist()
            for kind in ("signatures", "fingerprints"))
    return dedup.EarlierArticles(articles, signatures, fingerprints)


def loaded_stories(warehouse: Path, run_terms: dict[str, stories.ArticleTerms]) -> stories.LoadedStories:
    """The warehouse's term counts for the run's terms, and the stories the run's articles may join,
    found through story_profiles by each article's query terms (tasks/stories.py), with their profiles."""
    try:
        con = wh.open_read_only(warehouse)
    except wh.WarehouseMissing:
        return stories.LoadedStories()
    run_ids = {"run_article_ids": sorted(run_terms)}
    keys = sorted({(kind, term) for article in run_terms.values() for kind in (stories.WORD_KIND, stories.ENTITY_KIND)
                   for term in article.terms(kind)})
    with con:
        if not con.execute(wh.read_sql("stories/story_profiles_exist")).fetchone()[0]:
            return stories.LoadedStories()   # a warehouse from before story profiles: --full-refresh makes them
        documents = con.execute(wh.read_sql("stories/document_count"), run_ids).fetchone()[0]
        term_documents = _rows(con, "stories/term_documents", run_ids | {
            "kinds": [kind for kind, _ in keys], "terms": [term for _, term in keys]})
        frequencies = stories.run_frequencies(run_terms, documents, term_documents)
        query = [(article_id, kind, term) for article_id, article in sorted(run_terms.items())
                 for kind, term in stories.query_terms(article, frequencies)]
        candidates = _rows(con, "stories/story_candidates", run_ids | {
            "query_articles": [q[0] for q in query], "query_kinds": [q[1] for q in query],
            "query_terms": [q[2] for q in query], "stories_per_article": stories.STORIES_PER_ARTICLE})
        story_ids = run_ids | {"story_ids": sorted({row["story_id"] for row in candidates})}
        profiles = _rows(con, "stories/story_profiles", story_ids)
        spans = _rows(con, "stories/story_spans", story_ids)
    return stories.LoadedStories(documents, term_documents, candidates, profiles, spans)


def _rows(con: duckdb.DuckDBPyConnection, name: str, parameters: dict) -> list[dict]:
    sql = wh.read_sql(name)
    return con.execute(sql, _parameters_used(sql, parameters)).to_arrow_table().to_pylist()


def commit_run(warehouse: Path, staged: StagedRun, run: RunRecord) -> None:
    """Write the whole run in one DuckLake transaction."""
    started = time.perf_counter()
    with wh.open_for_writing(warehouse) as con:
        con.execute("begin transaction")
        try:
            for name in LOAD_STATEMENTS:
                sql = wh.read_sql(f"load/{name}")
                con.execute(sql, _parameters_used(sql, vars(staged) | {"run_id": run.run_id}))
            # The run's own record is part of the commit, so it carries the load time up to here.
            run.stage_seconds["load"] = time.perf_counter() - started
            con.execute(wh.read_sql("load/insert_run"), run.parameters())
            wh.label_commit(con, f"newsflow run {run.run_id}", run_id=run.run_id)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise


def record_failed_run(warehouse: Path, run: RunRecord) -> None:
    """Record a run that stopped before its commit (its data is not loaded)."""
    with wh.open_for_writing(warehouse) as con:
        con.execute("begin transaction")
        con.execute(wh.read_sql("load/insert_run"), run.parameters())
        wh.label_commit(con, f"newsflow run {run.run_id} ({run.status})", run_id=run.run_id)
        con.execute("commit")


def _parameters_used(sql: str, values: dict) -> dict:
    # DuckDB refuses named parameters a statement does not use.
    return {name: value for name, value in values.items() if f"${name}" in sql}


def parquet_files(warehouse: Path) -> int:
    return sum(1 for _ in (warehouse / wh.DATA_DIR).rglob("*.parquet"))


def compact(warehouse: Path, keep_days: int) -> dict:
    """Merge small Parquet files, expire snapshots older than keep_days and delete unreferenced files."""
    before = parquet_files(warehouse)
    with wh.open_for_writing(warehouse) as con:
        snapshots_before = con.execute(wh.read_sql("maintenance/snapshot_count")).fetchone()[0]
        con.execute(wh.read_sql("maintenance/merge_adjacent_files"))
        con.execute(wh.read_sql("maintenance/expire_snapshots"), {"keep_days": keep_days})
        con.execute(wh.read_sql("maintenance/cleanup_old_files"))
        snapshots_after = con.execute(wh.read_sql("maintenance/snapshot_count")).fetchone()[0]
    return {"parquet_files_before": before, "parquet_files_after": parquet_files(warehouse),
            "snapshots_before": snapshots_before, "snapshots_after": snapshots_after}


def loaded_pages(warehouse: Path, page_size: int):
    """Yield (articles, their mentions) of the warehouse, page by page, from one snapshot."""
    with wh.open_read_only(warehouse) as con:
        offset = 0
        while True:
            articles = con.execute(wh.read_sql("maintenance/articles_page"),
                                   {"page_size": page_size, "page_offset": offset}).to_arrow_table()
            if not len(articles):
                return
            mentions = con.execute(wh.read_sql("maintenance/mentions_of_articles"),
                                   {"article_ids": articles["article_id"].to_pylist()}).to_arrow_table()
            yield articles, mentions
            offset += page_size


def entity_ids(warehouse: Path) -> list[str]:
    """Every canonical entity id in the warehouse: what a re-validated mention may point at."""
    with wh.open_read_only(warehouse) as con:
        return [row[0] for row in con.execute(wh.read_sql("maintenance/entity_ids")).fetchall()]


def record_quality_results(warehouse: Path, run_id: str, results: pa.Table) -> None:
    """Store the results of a check that is not part of a pipeline run (re-validation)."""
    with wh.open_for_writing(warehouse) as con:
        con.register("revalidation_results", results)
        con.execute("begin transaction")
        con.execute(wh.read_sql("maintenance/insert_revalidation_results"), {"run_id": run_id})
        wh.label_commit(con, f"newsflow re-validation {run_id}", run_id=run_id)
        con.execute("commit")
