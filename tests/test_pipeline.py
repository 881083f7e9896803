"""End to end: the real flow, DuckLake, spaCy and GX, on the seeds and on unhappy inputs."""

import contextlib
import json
import shutil
import threading
from pathlib import Path

import pytest

from flows.batches import BatchTurns, batch_bounds
from flows.pipeline import news_pipeline
from tasks.quality import BatchCheckFailed
from tests.conftest import PROJECT, SEEDS, newsflow_in_process, snapshot

SEED_DATES = {
    "000_2537d38693dccd6e.txt": "2021-08-23", "001_cc92b69f11ad1a98.txt": "2021-08-21",
    "002_d0aa3604567acda3.txt": "2021-08-23", "003_c09dba19e0102b27.txt": None,
    "004_8b3fc308f6c75f53.txt": "2021-08-27",
}


def query(warehouse: Path, sql: str) -> list[dict]:
    result = newsflow_in_process("query", sql, "--warehouse", str(warehouse), "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _run(source: Path, warehouse: Path, **options) -> dict:
    return news_pipeline(source=str(source), warehouse=str(warehouse), workers=1, **options)


def test_seeds_load_with_their_publication_dates(seed_warehouse):
    rows = query(seed_warehouse, "select source_path, published_date from articles order by source_path")
    assert {r["source_path"]: r["published_date"] for r in rows} == SEED_DATES


def test_every_mention_indexes_into_its_field(seed_warehouse):
    rows = query(seed_warehouse, """
        with placed as (
            select m.field, m.text,
                case coalesce(m.field, 'body') when 'body' then a.clean_text when 'title' then a.title
                    when 'byline' then a.byline when 'dateline' then a.dateline end as field_text,
                m.start_char, m.end_char
            from entity_mentions m join articles a using (article_id)
        )
        select count(*) as mentions, count(*) filter (where field = 'title') as in_titles,
               count(*) filter (where field_text is null
                   or substring(field_text, start_char + 1, end_char - start_char) <> text) as misplaced
        from placed""")
    assert rows[0]["mentions"] > 200 and rows[0]["in_titles"] > 0 and rows[0]["misplaced"] == 0


def test_entities_count_their_mentions(seed_warehouse):
    [putin] = query(seed_warehouse, "select * from entities where name = 'Vladimir Putin'")
    assert putin["label"] == "PERSON" and putin["article_count"] == 5
    [check] = query(seed_warehouse, """
        select count(*) as wrong from entities e
        where mention_count <> (select count(*) from entity_mentions m where m.entity_id = e.entity_id)""")
    assert check["wrong"] == 0


def test_run_is_recorded_with_its_quality_results(seed_warehouse):
    [run] = query(seed_warehouse, "select * from runs")
    assert (run["status"], run["files_seen"], run["articles_loaded"], run["quarantined"]) == ("completed", 5, 5, 0)
    assert set(json.loads(run["stage_seconds"])) == {"ingest", "clean", "extract", "quality", "batches_wall", "dedup",
                                                     "copies", "entities", "stories", "load"}
    results = query(seed_warehouse, "select suite, bool_and(success) as ok from quality_results group by suite")
    assert sorted((r["suite"], r["ok"]) for r in results) == [
        ("accounting", True), ("clean", True), ("date_mentions", True), ("extracted", True), ("quotes", True),
        ("raw", True)]


def test_a_second_run_adds_nothing(seed_reruns, seed_warehouse):
    # The seeds' first run is the seed warehouse's; seed_reruns ran them again into a copy of it, then
    # again with full_refresh, and kept the rows each run left.
    warehouse, before = seed_reruns["warehouse"], seed_reruns["before"]
    assert before == snapshot(seed_warehouse)
    second = seed_reruns["second"]
    assert (second["articles_loaded"], second["unchanged_skips"], second["mentions"]) == (0, 5, 0)
    assert seed_reruns["after_second"] == before
    # Nothing new was checked: no Data Docs, and the run's record and snapshot are all it adds.
    assert second["quality_docs"] == "" and not (warehouse / "quality_docs" / second["run_id"]).exists()
    assert seed_reruns["bytes_added_by_second"] < 100_000
    refreshed = seed_reruns["refreshed"]
    assert refreshed["articles_loaded"] == 5
    assert seed_reruns["after_refresh"] == before
    # Each run is one snapshot (after the lake's and the schema's), named by run_snapshots.sql.
    runs = query(warehouse, (PROJECT / "sql" / "queries" / "run_snapshots.sql").read_text())
    assert [run["snapshot_id"] for run in runs] == [4, 3, 2]
    assert query(warehouse, "select count(*) as n from ducklake_snapshots('lake')") == [{"n": 5}]


def test_bad_inputs_are_quarantined_and_good_ones_load(tmp_path, prefect_harness):
    source = tmp_path / "source"
    (source / "nested").mkdir(parents=True)
    shutil.copy(SEEDS / "004_8b3fc308f6c75f53.txt", source / "nested" / "story.txt")
    (source / "junk.txt").write_text("Share Here\nAdvertisement\nNo Comment.\n")
    (source / "empty.md").write_text("")
    (source / "feed.jsonl").write_text('{"text": "Russia and Kazakhstan signed a treaty in Moscow."}\n{broken\n')
    (source / "notes.pdf").write_bytes(b"%PDF-1.4")
    summary = _run(source, tmp_path / "warehouse")
    assert (summary["files_seen"], summary["inputs_seen"], summary["articles_loaded"], summary["quarantined"]) == \
        (5, 6, 2, 4)
    warehouse = tmp_path / "warehouse"
    assert sorted(r["source_path"] for r in query(warehouse, "select source_path from articles")) == \
        ["feed.jsonl", "nested/story.txt"]
    assert query(warehouse, "select source_path, record_index, stage, reason from quarantine order by 1") == [
        {"source_path": "empty.md", "record_index": None, "stage": "ingest", "reason": "empty file: no text to read"},
        {"source_path": "feed.jsonl", "record_index": 1, "stage": "ingest",
         "reason": "invalid JSON on line 2: Expecting property name enclosed in double quotes at column 2"},
        {"source_path": "junk.txt", "record_index": None, "stage": "clean",
         "reason": "clean check: no story text left after removing boilerplate (expect_column_values_to_match_regex)"},
        {"source_path": "notes.pdf", "record_index": None, "stage": "ingest",
         "reason": "unsupported file type '.pdf': newsflow reads .txt, .md, .json, .jsonl and .html"},
    ]
    again = _run(source, warehouse)
    assert (again["unchanged_skips"], again["quarantined"], again["articles_loaded"]) == (6, 0, 0)


def test_a_changed_file_replaces_its_article(tmp_path, prefect_harness):
    source = tmp_path / "source"
    source.mkdir()
    (source / "a.txt").write_text("23 August 2021\nPutin met Tokayev in Moscow on Saturday.\n")
    _run(source, tmp_path / "warehouse")
    (source / "a.txt").write_text("24 August 2021\nPutin met Merkel in Moscow on Friday.\n")
    _run(source, tmp_path / "warehouse")
    rows = query(tmp_path / "warehouse", "select published_date, clean_text from articles")
    assert rows == [{"published_date": "2021-08-24", "clean_text": "Putin met Merkel in Moscow on Friday."}]
    texts = {r["text"] for r in query(tmp_path / "warehouse", "select text from entity_mentions")}
    assert "Merkel" in texts and "Tokayev" not in texts


def test_a_batch_level_failure_stops_the_run_and_loads_nothing(tmp_path, prefect_harness, monkeypatch):
    suites = tmp_path / "expectations"
    shutil.copytree(Path(__file__).resolve().parent.parent / "expectations", suites)
    raw = json.loads((suites / "raw.json").read_text())
    raw["expectations"].append({"type": "expect_table_row_count_to_be_between",
                                "kwargs": {"min_value": 100}, "on_failure": "fail",
                                "reason": "too few documents"})
    (suites / "raw.json").write_text(json.dumps(raw))
    monkeypatch.setattr("tasks.quality.EXPECTATIONS_DIR", suites)
    with pytest.raises(BatchCheckFailed, match="expect_table_row_count_to_be_between"):
        _run(SEEDS, tmp_path / "warehouse")
    runs = query(tmp_path / "warehouse", "select status, message from runs")
    assert runs[0]["status"] == "failed" and "too few documents" in runs[0]["message"]
    [failed] = query(tmp_path / "warehouse", (PROJECT / "sql" / "queries" / "run_snapshots.sql").read_text())
    assert (failed["status"], failed["snapshot_id"]) == ("failed", 2)
    assert query(tmp_path / "warehouse", "select count(*) as n from articles") == [{"n": 0}]


def test_a_retried_flow_run_reuses_the_stages_it_had_finished(tmp_path, prefect_harness, monkeypatch):
    import tasks.clean
    import tasks.dedup

    calls = {"clean": 0, "dedup": 0}
    clean_documents, link = tasks.clean.clean_documents, tasks.dedup.link_copies

    def counting_clean(*args, **kwargs):
        calls["clean"] += 1
        return clean_documents(*args, **kwargs)

    def failing_then_working_link(*args, **kwargs):
        calls["dedup"] += 1
        if calls["dedup"] <= 3:          # the task's own two retries fail too: the flow run retries
            raise OSError("catalog briefly unavailable")
        return link(*args, **kwargs)

    monkeypatch.setattr(tasks.clean, "clean_documents", counting_clean)
    monkeypatch.setattr(tasks.dedup, "link_copies", failing_then_working_link)
    monkeypatch.setattr("flows.stages.find_duplicates.retry_delay_seconds", 0)
    summary = news_pipeline.with_options(retries=1)(source=str(SEEDS), warehouse=str(tmp_path / "w"), workers=1)
    assert summary["articles_loaded"] == 5
    assert calls == {"clean": 1, "dedup": 4}


def test_furniture_repeated_across_batches_of_a_run_is_removed(tmp_path, prefect_harness):
    site = tmp_path / "source" / "site"
    site.mkdir(parents=True)
    subjects = ["The port reopened after the storm.", "Wheat prices rose for a third week.",
                "The council approved the new budget.", "Rail workers ended their strike.",
                "The central bank held rates steady.", "A new bridge opened to traffic."]
    for number, subject in enumerate(subjects):
        (site / f"{number}.txt").write_text(f"Kestrel Valley Gazette Night Desk\n{subject} Officials said more "
                                            f"details would follow on day {number}.\n")
    # Two stories per batch: no batch alone holds the line in the three stories the rule needs.
    _run(tmp_path / "source", tmp_path / "warehouse", batch_size=2)
    texts = query(tmp_path / "warehouse", "select clean_text from articles")
    assert len(texts) == 6 and not any("Kestrel" in row["clean_text"] for row in texts)
    rules = query(tmp_path / "warehouse", "select rule, count(*) as n from removed_spans group by rule")
    assert {"rule": "repeated line", "n": 6} in rules


def test_every_mention_points_at_its_text_in_the_raw_file(seed_warehouse):
    rows = query(seed_warehouse, "select source_path, text, raw_start_char, raw_end_char from ("
                 + (Path(__file__).resolve().parent.parent / "sql/queries/mention_sources.sql").read_text() + ")")
    assert len(rows) == query(seed_warehouse, "select count(*) as n from entity_mentions "
                                              "where field = 'body'")[0]["n"] > 200
    for row in rows:
        raw = (SEEDS / row["source_path"]).read_text(encoding="utf-8").replace("\u00a0", " ")
        assert raw[row["raw_start_char"]:row["raw_end_char"]] == row["text"]


@pytest.mark.parametrize("count, batch_size, sizes", [
    (0, 1000, []), (1, 1000, [1]), (250, 1000, [250]),
    (10100, 1000, [125] + [985] * 10 + [125]), (2001, 1000, [125, 875, 876, 125]), (6, 2, [1, 2, 2, 1]),
])
def test_batches_cover_every_input_once_with_short_first_and_last(count, batch_size, sizes):
    bounds = batch_bounds(count, batch_size)
    assert [end - start for start, end in bounds] == sizes
    assert [i for start, end in bounds for i in range(start, end)] == list(range(count))


def test_batches_take_their_turns_in_batch_order_whichever_thread_starts_first():
    turns, entered = BatchTurns([0, 2, 5]), []

    def batch(number: int, fails: bool = False):
        with turns.turn(number):
            entered.append(number)
            if fails:
                raise RuntimeError("a stage failed")

    def failing(number: int):
        with contextlib.suppress(RuntimeError):
            batch(number, fails=True)

    # Started last first: each waits for the batches before it, and a failed batch still ends its turn.
    threads = [threading.Thread(target=batch, args=(5,)), threading.Thread(target=failing, args=(2,)),
               threading.Thread(target=batch, args=(0,))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert entered == [0, 2, 5]
    # A batch whose turn is past (a retry) or that is not in the order waits for none.
    batch(2)
    batch(7)
    assert entered == [0, 2, 5, 2, 7]


def test_the_run_form_shows_dask_address_as_an_optional_text_box():
    from prefect.utilities.callables import parameter_schema

    form = parameter_schema(news_pipeline.fn).model_dump()
    dask = form["properties"]["dask_address"]
    assert (dask["type"], dask["default"], "anyOf" in dask) == ("string", None, False)
    assert dask["description"].startswith("Run the batches on a Dask cluster: its scheduler address")
    assert "dask_address" not in form.get("required", [])
