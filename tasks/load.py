"""Load: the table registry, the map of what a run stages and how its one commit loads it.

Each warehouse table is one `Table`: its name, its key, the staging kinds whose Parquet files
load into it (with their Arrow schemas, owned by the stage that writes them), its DDL in
sql/schema/ and the statements of sql/load/ that load it. Everything else is derived from here:
where a run stages each kind (flows/staging.py), the empty files a run with nothing new commits,
the order of the commit's statements and the parameters they are bound to (`commit_plan`), the
schema a warehouse is created or brought up to date with, and the columns the quality suites may
name (tests/test_registry.py). newsflow/warehouse.py executes the plan in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyarrow as pa

from tasks import clean, date_mentions, dedup, entities, ingest, quality, quotes, stories


@dataclass(frozen=True)
class Table:
    """One warehouse table: what a run stages for it and how the run's commit loads it."""

    name: str
    key: tuple[str, ...]             # the columns that identify a row
    ddl: tuple[str, ...]             # sql/schema/ statements: the table, then each column added since
    load: tuple[str, ...] = ()       # sql/load/ statements, in the order each load runs them
    # sql/load/ statements run once per run, after its last batch, over all its files (`load_once_plan`).
    load_once: tuple[str, ...] = ()
    # Staging kind -> the Arrow schema of its files. A statement reads a kind's files as $<kind>.
    staged: dict[str, pa.Schema] = field(default_factory=dict)


# In commit order: a table's statements may read the tables loaded before it (entities count the
# mentions just inserted; the run's record counts the entities).
TABLES = (
    Table("articles", key=("article_id",), ddl=("articles", "articles_contact"),
          # The staged articles joined to their duplicate links (a macro over the batch's files), and the
          # loaded articles they replace (changed inputs, --full-refresh): every table below reads these two.
          load=("stage_tables", "replaced_articles", "delete_replaced_articles", "insert_articles",
                "relink_earlier_copies"),
          staged={"articles": clean.ARTICLE_SCHEMA, "duplicates": dedup.DUPLICATE_SCHEMA}),
    Table("entity_mentions", key=("article_id", "field", "start_char", "end_char"),
          ddl=("entity_mentions", "entity_mentions_field", "entity_mentions_model_label"),
          # touched_entities: the entities whose rows the entities table rewrites, read before the
          # replaced articles' mentions are deleted.
          load=("touched_entities_table", "touched_entities", "delete_replaced_entity_mentions",
                "insert_entity_mentions"),
          staged={"mentions": entities.MENTION_WITH_ENTITY_SCHEMA}),
    Table("date_mentions", key=("article_id", "start_char", "end_char"), ddl=("date_mentions", "date_mentions_kind"),
          load=("delete_replaced_date_mentions", "insert_date_mentions"),
          staged={"date_mentions": date_mentions.DATE_MENTION_SCHEMA}),
    Table("quotes", key=("article_id", "start_char", "end_char"), ddl=("quotes", "quotes_speaker_source"),
          load=("delete_replaced_quotes", "insert_quotes"), staged={"quotes": quotes.QUOTE_SCHEMA}),
    # Each row counts all of an entity's mentions: written once, when every batch has loaded, and before
    # entity settlement reads them. Written again at every batch, the entities the batches share were
    # rewritten batch after batch in the open transaction: once, a 10,000-article run's load took 10.9 s
    # against 13.5 s, and its peak RSS fell 20-40 MiB (docs/benchmarks.md).
    Table("entities", key=("entity_id",), ddl=("entities",),
          load_once=("entity_names", "delete_entities", "insert_entities"),
          staged={"entities": entities.ENTITY_SCHEMA}),
    # Written in the writer's turn by entity settlement (newsflow/warehouse.py OpenRun.settle_entities).
    Table("ambiguous_names", key=("entity_id",), ddl=("ambiguous_names",)),
    Table("entity_corrections", key=("run_id", "line"), ddl=("entity_corrections",)),
    # Whole inputs set aside, and rows set aside from inside articles that loaded (item, article_id, detail).
    Table("quarantine", key=("source_path", "record_index", "stage", "run_id"),
          ddl=("quarantine", "quarantine_item", "quarantine_article_id", "quarantine_detail"),
          load=("insert_quarantine", "insert_set_aside"),
          staged={"quarantine": ingest.QUARANTINE_SCHEMA, "set_aside": quality.SET_ASIDE_SCHEMA}),
    Table("quality_results", key=("run_id", "suite", "expectation", "column_name"), ddl=("quality_results",),
          load=("insert_quality_results",), staged={"quality": quality.RESULT_SCHEMA}),
    Table("minhash_signatures", key=("article_id",), ddl=("minhash_signatures",),
          load=("delete_replaced_signatures", "insert_signatures"), staged={"signatures": dedup.SIGNATURE_SCHEMA}),
    Table("passage_fingerprints", key=("article_id", "paragraph_index", "fingerprint"), ddl=("passage_fingerprints",),
          load=("delete_replaced_fingerprints", "insert_fingerprints"),
          staged={"fingerprints": dedup.FINGERPRINT_SCHEMA}),
    Table("borrowings", key=("article_id", "borrowed_from"), ddl=("borrowings",),
          load=("delete_replaced_borrowings", "insert_borrowings"), staged={"borrowings": dedup.BORROWING_SCHEMA}),
    Table("borrowed_passages", key=("article_id", "borrowed_from", "start_char"), ddl=("borrowed_passages",),
          load=("delete_replaced_borrowed_passages", "insert_borrowed_passages"),
          staged={"borrowed_passages": dedup.PASSAGE_SCHEMA}),
    Table("story_terms", key=("article_id", "kind", "term"), ddl=("story_terms",),
          load=("delete_replaced_story_terms", "insert_story_terms"),
          staged={"story_terms": stories.STORY_TERM_SCHEMA}),
    Table("story_profiles", key=("story_id", "kind", "term"), ddl=("story_profiles",),
          load=("delete_story_profiles", "insert_story_profiles"),
          staged={"story_profiles": stories.STORY_PROFILE_SCHEMA}),
    # Full-text search (sql/queries/search.sql), from the staged articles' own title and clean text.
    Table("search_terms", key=("article_id", "term"), ddl=("search_terms",),
          load=("delete_replaced_search_terms", "insert_search_terms")),
    Table("search_documents", key=("article_id",), ddl=("search_documents",),
          load=("delete_replaced_search_documents", "insert_search_documents")),
    # The cleaner's audit trail, read from the staged articles' own columns.
    Table("publication_details", key=("article_id",), ddl=("publication_details",),
          load=("delete_replaced_publication_details", "insert_publication_details")),
    Table("removed_spans", key=("article_id", "start_char"), ddl=("removed_spans",),
          load=("delete_replaced_removed_spans", "insert_removed_spans")),
    Table("clean_text_map", key=("article_id", "clean_start"), ddl=("clean_text_map",),
          load=("delete_replaced_clean_text_map", "insert_clean_text_map")),
    # Last: the run's own record, bound to RunRecord.parameters(), carries the load time up to it.
    Table("runs", key=("run_id",), ddl=("runs",), load=("insert_run",)),
)
RUNS = TABLES[-1]
# Every kind a run stages for the warehouse -> its schema; a commit binds each as $<kind>.
STAGED = {kind: schema for table in TABLES for kind, schema in table.staged.items()}
# What each quality suite checks: the rows of these schemas, with the facts quality.py adds to them.
SUITE_ROWS = {"raw": ingest.DOCUMENT_SCHEMA, "clean": clean.ARTICLE_SCHEMA,
              "extracted": STAGED["mentions"], "date_mentions": STAGED["date_mentions"], "quotes": STAGED["quotes"]}


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

    def add_batch(self, result: dict) -> None:
        """Add one batch's counts and busy seconds (flows/pipeline.py process_batch) to the record."""
        checks = result.get("checks", {}).values()
        self.inputs_seen += result["ingest"]["inputs"]
        self.unchanged_skips += result["ingest"]["skipped"]
        self.quarantined += result["ingest"]["quarantined"] + sum(check["quarantined"] for check in checks)
        busy = {"ingest": result["ingest"]["seconds"], "quality": sum(check["seconds"] for check in checks)} | {
            stage: result.get(step, {}).get("seconds", 0.0)
            for stage, step in (("clean", "clean"), ("extract", "extract"), ("dedup", "fingerprint"))}
        for stage, seconds in busy.items():
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds

    @contextmanager
    def timed(self, stage: str):
        """Add the seconds the block takes to the stage's."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + time.perf_counter() - started

    def parameters(self) -> dict:
        values = {k: v for k, v in vars(self).items() if k != "stage_seconds"}
        return values | {"stage_seconds": json.dumps({k: round(v, 3) for k, v in self.stage_seconds.items()})}


def commit_plan(staged_files: dict[str, list[str]], run_id: str) -> list[tuple[str, dict]]:
    """The statements that load staged files (one batch's, or the run's rest), before the run's record:
    (sql/load/ name, parameters).

    staged_files holds the files of every kind in STAGED; a run that staged none of a kind passes
    an empty file of it, since read_parquet of an empty list fails.
    """
    return _plan(staged_files, run_id, [name for table in TABLES if table is not RUNS for name in table.load])


def load_once_plan(staged_files: dict[str, list[str]], run_id: str) -> list[tuple[str, dict]]:
    """The statements run once, after the run's batches have loaded: every table's `load_once`, over all
    the run's staged files (the same shape as commit_plan's)."""
    return _plan(staged_files, run_id, [name for table in TABLES for name in table.load_once])


def _plan(staged_files: dict[str, list[str]], run_id: str, names: list[str]) -> list[tuple[str, dict]]:
    missing = STAGED.keys() - staged_files.keys()
    if missing or not all(staged_files.values()):
        raise ValueError(f"a commit needs at least one file of every staged kind; none of {sorted(missing)}")
    values = dict(staged_files) | {"run_id": run_id}
    return [(name, values) for name in names]


# Changes to what a warehouse holds, not only to its columns: (sql/schema/ query saying whether a
# warehouse still needs it, sql/schema/ statements that make it), run once, after schema_statements.
UPGRADES = (("entity_id_required", "numbers_without_entities"), ("search_index_missing", "index_every_article"))


def schema_statements() -> list[str]:
    """The sql/schema/ statements that create a warehouse or bring an older one up to date, table by table."""
    return [name for table in TABLES for name in table.ddl]
