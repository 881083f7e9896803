"""Quality: a batch at a stage boundary in; the rows that pass, quarantined rows and results out.

`check_and_split` is the whole policy: the suite's verdict, then what happens to failing rows.

Each boundary has one Great Expectations suite in expectations/<suite>.json, loaded as data.
An expectation's `on_failure` is the orchestrator's policy: "quarantine" sets the failing rows
aside with the expectation's reason; "fail" stops the run (a failure that means a bug, not
bad input). Every result is kept for the quality_results table and the run's artifact.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from newsflow import heap
from newsflow.resources import expectations_dir
from tasks.dates import EARLIEST_DATE
from tasks.entities import NAME_LABELS
from tasks.extract import FIELD_COLUMNS
from tasks.ingest import QUARANTINE_SCHEMA

EXPECTATIONS_DIR = expectations_dir()
SUITES = ("raw", "clean", "extracted", "date_mentions", "quotes", "accounting")
RESULT_SCHEMA = pa.schema([
    ("suite", pa.string()), ("expectation", pa.string()), ("column_name", pa.string()),
    ("on_failure", pa.string()), ("success", pa.bool_()), ("element_count", pa.int64()),
    ("unexpected_count", pa.int64()),
])
# A row set aside from inside an article that loads (a mention, a date mention, a quote): the
# quarantine row names the item, its article and the item itself; input_id stays empty, since the
# input did become an article.
SET_ASIDE_SCHEMA = QUARANTINE_SCHEMA.append(pa.field("item", pa.string())) \
    .append(pa.field("article_id", pa.string())).append(pa.field("detail", pa.string()))
# The column a suite that sets rows aside (its "sets_aside" names what a row is) finds them by.
ROW_NUMBER = "row_number"
# What mention_frame adds to each mention for the extracted suite.
MENTION_FACTS = ("field_length", "span_matches_text", "entity_as_labelled", "entity_exists")


_gx_lock = threading.RLock()


class BatchCheckFailed(RuntimeError):
    """A `fail` expectation failed: the batch is wrong as a whole and the run must stop."""


@dataclass
class CheckOutcome:
    """What one suite found in one batch."""

    suite: str
    failed_rows: dict[str, str] = field(default_factory=dict)   # row id -> reason
    results: list[dict] = field(default_factory=list)
    validation: dict = field(default_factory=dict)               # GX's own result, for Data Docs


def load_suite(name: str) -> dict:
    return json.loads((EXPECTATIONS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _bind(value, parameters: dict):
    """Replace "$name" placeholders of a suite (run date, model labels) with this run's values."""
    if isinstance(value, str) and value.startswith("$"):
        return parameters[value[1:]]
    if isinstance(value, dict):
        return {k: _bind(v, parameters) for k, v in value.items()}
    return value


def suite_parameters(run_date: dt.date, labels: list[str]) -> dict:
    return {"run_date": run_date, "earliest_date": EARLIEST_DATE, "model_labels": labels}


@functools.cache
def _batch_definition():
    # Imported and built once per process: great_expectations takes seconds to import.
    import logging

    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas("newsflow")
    definition = source.add_dataframe_asset("batch").add_batch_definition_whole_dataframe("whole batch")
    heap.freeze_once("great_expectations")   # its modules and context last as long as the process
    return definition


def prepare_in_background() -> None:
    """Import GX and build its context in a thread: the first check of a run then need not wait for it."""
    threading.Thread(target=_prepare, name="prepare great_expectations", daemon=True).start()


def _prepare() -> None:
    with _gx_lock:
        _batch_definition()


def check(table: pa.Table, suite_name: str, parameters: dict) -> CheckOutcome:
    """Validate a batch against a suite; raise BatchCheckFailed on a `fail` expectation."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    spec = load_suite(suite_name)
    suite = gx.ExpectationSuite(name=suite_name)
    for item in spec["expectations"]:
        suite.add_expectation_configuration(ExpectationConfiguration(
            type=item["type"], kwargs=_bind(item["kwargs"], parameters),
            meta={"on_failure": item["on_failure"], "reason": item["reason"]}))
    if spec.get("sets_aside"):
        table = table.append_column(ROW_NUMBER, pa.array(range(len(table)), pa.int64()))
    frame = table.to_pandas()
    # One GX context serves the process and it is not thread-safe: batches checked side by side
    # (one thread each) would otherwise validate each other's frames.
    with _gx_lock:
        batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
        validation = batch.validate(suite, result_format={
            "result_format": "COMPLETE", "unexpected_index_column_names": [spec["row_id"]]})
    outcome = CheckOutcome(suite=suite_name, validation=validation.to_json_dict())
    for result in validation.results:
        config, meta = result.expectation_config, result.expectation_config.meta
        kwargs = config.kwargs
        column = kwargs.get("column") or ",".join(filter(None, (kwargs.get("column_A"), kwargs.get("column_B"))))
        outcome.results.append({
            "suite": suite_name, "expectation": config.type, "column_name": column,
            "on_failure": meta["on_failure"], "success": bool(result.success),
            "element_count": result.result.get("element_count"),
            "unexpected_count": result.result.get("unexpected_count"),
        })
        if result.success:
            continue
        if meta["on_failure"] == "fail" or result.exception_info.get("raised_exception"):
            raise BatchCheckFailed(f"quality suite {suite_name!r} failed {config.type} on {column}: "
                                   f"{meta['reason']}")
        for failing in result.result.get("unexpected_index_list") or []:
            row_id = failing[spec["row_id"]]
            outcome.failed_rows.setdefault(row_id, f"{suite_name} check: {meta['reason']} ({config.type})")
    return outcome


@dataclass
class Checked:
    """A batch after its check, split by the failure policy: what goes on, and what is set aside."""

    passed: pa.Table                 # the rows checked, less the failing ones
    articles: pa.Table               # the batch's articles, less those quarantined
    quarantined: pa.Table            # whole inputs quarantined (QUARANTINE_SCHEMA)
    set_aside: pa.Table              # rows set aside from inside articles that load (SET_ASIDE_SCHEMA)
    results: pa.Table                # one row per expectation (RESULT_SCHEMA)
    validation: dict                 # GX's own result, for Data Docs ({} when nothing was checked)


def check_and_split(suite: str, parameters: dict, table: pa.Table, articles: pa.Table | None = None,
                    entity_ids: pa.Array | None = None) -> Checked:
    """Check a batch at a stage boundary and apply the failure policy to what fails.

    `table` holds the rows the suite checks; `articles` the articles they belong to (the table
    itself when it is the articles). A suite that sets rows aside ("sets_aside": mentions, dates,
    quotes) checks rows inside articles: a failing row is a defect of ours, never a reason to lose
    the article, so the row goes to quarantine naming its article and the article loads. Any other
    suite quarantines the whole input of a failing row. A `fail` expectation raises BatchCheckFailed.
    """
    articles = table if articles is None else articles
    if len(articles) == 0:
        # Nothing to check (a re-run with nothing new): spare the seconds GX takes to import.
        outcome = CheckOutcome(suite=suite)
    else:
        frame = mention_frame(table, articles, entity_ids) if entity_ids is not None else table
        outcome = check(frame, suite, parameters)
    item = load_suite(suite).get("sets_aside")
    if item:
        set_aside, passed = _set_aside_rows(table, articles, outcome, item), _without_failed_rows(table, outcome)
        quarantined, kept = [], articles
    else:
        set_aside, passed = [], _without_failed_articles(table, outcome)
        quarantined, kept = _quarantine_rows(articles, outcome), _without_failed_articles(articles, outcome)
    return Checked(passed=passed, articles=kept, quarantined=pa.Table.from_pylist(quarantined, schema=QUARANTINE_SCHEMA),
                   set_aside=pa.Table.from_pylist(set_aside, schema=SET_ASIDE_SCHEMA),
                   results=pa.Table.from_pylist(outcome.results, schema=RESULT_SCHEMA), validation=outcome.validation)


def _without_failed_articles(table: pa.Table, outcome: CheckOutcome) -> pa.Table:
    if not outcome.failed_rows:
        return table
    keep = [value not in outcome.failed_rows for value in table["article_id"].to_pylist()]
    return table.filter(pa.array(keep, pa.bool_()))


def _without_failed_rows(table: pa.Table, outcome: CheckOutcome) -> pa.Table:
    keep = [number not in outcome.failed_rows for number in range(len(table))]
    return table.filter(pa.array(keep, pa.bool_()))


def _set_aside_rows(table: pa.Table, articles: pa.Table, outcome: CheckOutcome, item: str) -> list[dict]:
    """Quarantine rows for the rows of `table` that failed (by row number), each naming its article."""
    source_of = {row["article_id"]: row
                 for row in articles.select(["article_id", "source_path", "record_index"]).to_pylist()}
    rows = []
    for number, reason in sorted(outcome.failed_rows.items()):
        row = table.slice(number, 1).to_pylist()[0]
        article = source_of.get(row["article_id"], {})
        rows.append({"source_path": article.get("source_path", ""), "record_index": article.get("record_index"),
                     "stage": outcome.suite, "reason": reason, "input_id": None, "item": item,
                     "article_id": row["article_id"], "detail": json.dumps(row, default=str, ensure_ascii=False)})
    return rows


def _quarantine_rows(articles: pa.Table, outcome: CheckOutcome) -> list[dict]:
    return [{"source_path": row["source_path"], "record_index": row["record_index"], "stage": outcome.suite,
             "reason": outcome.failed_rows[row["article_id"]], "input_id": row["article_id"]}
            for row in articles.select(["article_id", "source_path", "record_index"]).to_pylist()
            if row["article_id"] in outcome.failed_rows]


EXAMPLES_PER_FAILURE = 3
EXAMPLE_CHARS = 60


def failed_expectations(validations: dict[str, dict]) -> list[dict]:
    """Every expectation that failed in a run's checks (GX results by "suite-batch" name), summed over
    the batches: suite, expectation, column, rows failed and a few of the values that failed it."""
    failed: dict[tuple[str, str, str], dict] = {}
    for name, validation in sorted(validations.items()):
        suite = name.rsplit("-", 1)[0]
        for result in validation.get("results", []):
            if result.get("success"):
                continue
            config, found = result["expectation_config"], result.get("result") or {}
            kwargs = config.get("kwargs", {})
            column = kwargs.get("column") or ",".join(filter(None, (kwargs.get("column_A"), kwargs.get("column_B"))))
            entry = failed.setdefault((suite, config["type"], column), {
                "suite": suite, "expectation": config["type"], "column_name": column, "rows_failed": 0,
                "examples": [], "reason": config.get("meta", {}).get("reason", "")})
            entry["rows_failed"] += found.get("unexpected_count") or 0
            for value in found.get("partial_unexpected_list") or []:
                example = _example(value)
                if len(entry["examples"]) < EXAMPLES_PER_FAILURE and example not in entry["examples"]:
                    entry["examples"].append(example)
    return list(failed.values())


def _example(value) -> str:
    # JSON, so an empty string or a null reads as one ("" and null), cut to fit a table cell.
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS - 1] + "…"


def mention_frame(mentions: pa.Table, articles: pa.Table, entity_ids: pa.Array | list[str]) -> pa.Table:
    """Mentions with the facts the extracted suite checks: the length of the mention's field, whether
    its offsets into that field give its text, and whether its entity is among `entity_ids` (as a
    column: GX's in_set with thousands of ids in its configuration costs more than the rest of the suite)."""
    ids = articles["article_id"].to_pylist()
    text_of = {field: dict(zip(ids, articles[column].to_pylist())) for field, column in FIELD_COLUMNS.items()
               if column in articles.column_names}
    fields = mentions["field"].to_pylist() if "field" in mentions.column_names else ["body"] * len(mentions)
    field_texts = [text_of.get(field or "body", {}).get(article_id) or ""
                   for field, article_id in zip(fields, mentions["article_id"].to_pylist())]
    starts, ends, texts = (mentions[c].to_pylist() for c in ("start_char", "end_char", "text"))
    matches = [field_text[s:e] == t for field_text, s, e, t in zip(field_texts, starts, ends, texts)]
    # A name has an entity, and it is among the batch's; a number, amount or date has none.
    is_name = pc.is_in(mentions["label"], value_set=pa.array(sorted(NAME_LABELS), pa.string()))
    has_entity = pc.is_valid(mentions["entity_id"])
    exists = pc.or_(pc.invert(has_entity), pc.fill_null(
        pc.is_in(mentions["entity_id"], value_set=pa.array(entity_ids, pa.string())), False))
    return mentions.append_column("field_length", pa.array([len(t) for t in field_texts], pa.int32())) \
                   .append_column("span_matches_text", pa.array(matches, pa.bool_())) \
                   .append_column("entity_as_labelled", pc.equal(is_name, has_entity)) \
                   .append_column("entity_exists", exists)


def accounting_frame(run, article_rows: int, quarantine_rows: int) -> pa.Table:
    """One row per run: its counts beside the rows it staged, for the accounting suite."""
    return pa.Table.from_pylist([{
        "run_id": run.run_id, "files_seen": run.files_seen, "inputs_seen": run.inputs_seen,
        "inputs_beyond_files": run.inputs_seen - run.files_seen,  # JSON records add inputs, never files
        "inputs_accounted_for": run.articles_loaded + run.quarantined + run.unchanged_skips,
        "articles_loaded": run.articles_loaded, "quarantined": run.quarantined,
        "unchanged_skips": run.unchanged_skips, "article_rows": article_rows, "quarantine_rows": quarantine_rows,
    }])


def build_data_docs(validations: dict[str, dict], site_dir: Path) -> Path:
    """GX Data Docs for one run's validation results (name -> GX result JSON); returns index.html."""
    with _gx_lock:
        return _build_data_docs(validations, site_dir.resolve())


def _build_data_docs(validations: dict[str, dict], site_dir: Path) -> Path:
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier, ValidationResultIdentifier)

    context = _batch_definition().data_asset.datasource._data_context
    site_name = f"run-{site_dir.name}"
    context.add_data_docs_site(site_name, {
        "class_name": "SiteBuilder", "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)}})
    store, keys = context.validation_results_store, []
    # Given no run time, GX parses one out of the run's name with dateutil, which reads a run id such as
    # "20261202T173200-5598ad7a" as a time zone 55:98 hours away and fails the run: the time is given.
    run = RunIdentifier(run_name=site_dir.name, run_time=dt.datetime.now(dt.timezone.utc))
    try:
        for name, validation in sorted(validations.items()):
            suite_name, batch = name.rsplit("-", 1)
            key = ValidationResultIdentifier(expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
                                             run_id=run, batch_identifier=batch)
            store.set(key, ExpectationSuiteValidationResultSchema().load(validation))
            keys.append(key)
        context.build_data_docs(site_names=[site_name], resource_identifiers=keys)
    finally:
        # The context lives as long as the process (a `newsflow serve` may run for months): forget this run.
        for key in keys:
            store.remove_key(key)
        context.delete_data_docs_site(site_name)
    return site_dir / "index.html"
