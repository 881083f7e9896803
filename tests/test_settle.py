"""Batches settle one by one into the run's open transaction (flows/settle.py): in batch order whatever
order they finish in, each against the batches settled before it, committed once."""

import shutil
import time

import pyarrow as pa
from prefect import task
from prefect.cache_policies import NO_CACHE

import flows.pipeline
from bench import dump_tables
from flows.pipeline import news_pipeline
from tests.conftest import SEEDS
from tests.test_pipeline import query

SEED_FILES = sorted(p.name for p in SEEDS.glob("*.txt"))


def _source(root):
    """The five seeds and, read last, a reprint of the second (a line added): six inputs, six batches of one."""
    source = root / "source"
    source.mkdir()
    for name in SEED_FILES:
        shutil.copy(SEEDS / name, source / name)
    (source / "reprint.txt").write_text((SEEDS / SEED_FILES[1]).read_text() + "\nThis story was updated.\n")
    return source


def _run_with_batches_finishing(monkeypatch, source, warehouse, delay_of) -> list[int]:
    """Run the pipeline in batches of one, batch n held back delay_of(n) seconds before its stages;
    returns the order the batches finished in."""
    finished, batch = [], flows.pipeline.process_batch

    @task(name="batch", cache_policy=NO_CACHE)
    def held_back(staging, number, run_date, model, pool, parameters, progress=None, turns=None):
        time.sleep(delay_of(number))
        # Without the batches' turns (flows/batches.py), which would put them back in order before NER.
        done = batch.fn(staging, number, run_date, model, pool, parameters, progress)
        finished.append(number)
        return done

    with monkeypatch.context() as patched:
        patched.setattr(flows.pipeline, "process_batch", held_back)
        summary = news_pipeline(source=str(source), warehouse=str(warehouse), workers=1, batch_size=1)
    assert summary["articles_loaded"] == 6
    return finished


def test_the_same_inputs_give_the_same_copies_and_stories_whichever_batch_finishes_first(tmp_path, prefect_harness,
                                                                                         monkeypatch):
    source = _source(tmp_path)
    # Each batch held back a second longer than the one before: with no hold, a busy machine (CI beside
    # another job) let batches 2, 1 and 0 finish in that order, the same order as the reversed run.
    in_order = _run_with_batches_finishing(monkeypatch, source, tmp_path / "in-order", lambda n: 1.0 * n)
    # Each batch held back longer than the next: of the batches in flight at once, the last finishes first.
    reversed_ = _run_with_batches_finishing(monkeypatch, source, tmp_path / "reversed", lambda n: 1.0 * (6 - n))
    assert in_order != reversed_ and reversed_[:2] != sorted(reversed_[:2])
    outputs = {name: dump_tables.dump(tmp_path / name, tmp_path / f"{name}-dump") for name in ("in-order", "reversed")}
    assert outputs["in-order"] == outputs["reversed"]
    assert dump_tables.compare(tmp_path / "in-order-dump", tmp_path / "reversed-dump")
    # The reprint, in the last batch, was linked to its original, settled five batches before it, and the
    # six reports of one event are one story: each batch found what the batches before it had loaded.
    articles = query(tmp_path / "in-order", "select source_path, article_id, duplicate_of, story_id from articles")
    by_path = {row["source_path"]: row for row in articles}
    assert by_path["reprint.txt"]["duplicate_of"] == by_path[SEED_FILES[1]]["article_id"]
    assert len({row["story_id"] for row in articles}) == 1
    # One snapshot for the run, its six loads included.
    snapshots = query(tmp_path / "in-order", "select count(*) as n from ducklake_snapshots('lake') "
                                             "where commit_message like 'newsflow run %'")
    assert snapshots == [{"n": 1}]


def test_a_runs_open_transaction_keeps_no_copy_of_each_loaded_batchs_texts(tmp_path):
    """Batch after batch load into one open transaction, which keeps every table it replaced until it
    commits: the load statements read a batch's articles from its files, never through a temporary table
    of them, or a 20,000-article run held 250 MB of texts until its commit."""
    from flows.staging import write
    from newsflow.warehouse import Warehouse
    from tasks import clean, dedup, load

    lake = Warehouse(tmp_path / "warehouse").open_run()
    empty = {kind: str(tmp_path / f"empty-{kind}.parquet") for kind in load.STAGED}
    for kind, schema in load.STAGED.items():
        write(schema.empty_table(), empty[kind])

    def texts_held() -> int:
        return lake.connection.execute("select sum(memory_usage_bytes) from duckdb_memory() "
                                       "where tag in ('IN_MEMORY_TABLE', 'OVERFLOW_STRINGS')").fetchone()[0]

    held = []
    for batch in range(6):
        words = [f"word{batch}x{i}" for i in range(200_000)]   # 2 MB of text an article
        articles = pa.Table.from_pylist([{
            "article_id": f"a{batch}-{n}", "source_path": f"{batch}-{n}.txt", "clean_text": " ".join(words[n:]),
            "title": f"Batch {batch}", "content_hash": f"h{batch}-{n}", "word_count": len(words), "input_order": batch,
        } for n in range(2)], schema=clean.ARTICLE_SCHEMA)
        staged = dict(empty) | {"articles": str(tmp_path / f"articles-{batch}.parquet"),
                                "duplicates": str(tmp_path / f"duplicates-{batch}.parquet")}
        write(articles, staged["articles"])
        write(pa.Table.from_pylist([{"article_id": f"a{batch}-{n}"} for n in range(2)], schema=dedup.DUPLICATE_SCHEMA),
              staged["duplicates"])
        lake.load({kind: [path] for kind, path in staged.items()}, "run-1")
        held.append(texts_held())
    assert lake.connection.execute("select count(*) from articles").fetchone()[0] == 12
    # 4 MB of texts a batch: held, they would have grown by 20 MB over the five batches after the first.
    assert held[-1] - held[0] < 2**20, held
    lake.discard()


def test_the_runs_story_terms_are_written_a_chunk_at_a_time_and_are_the_rows_of_all_its_articles(tmp_path,
                                                                                                  monkeypatch):
    """The story stage writes its term rows chunk by chunk into one file, each chunk gone before the next is
    made (a 20,000-article run's 2.6 million rows, held whole, were its peak), and the file holds the same rows
    as the run's articles' terms made at once."""
    import pyarrow.parquet as pq

    from flows.stages import find_stories
    from flows.staging import write
    from newsflow.warehouse import Warehouse
    from tasks import clean, dedup, load, stories

    texts = ["Strikers closed the port of Piraeus as the union marched on Athens.",
             "The union's strike at Piraeus kept ferries in port for a second day.",
             "A comet passed close to Jupiter, astronomers at the Paranal observatory said."]
    articles = pa.Table.from_pylist([{"article_id": f"a{n}", "source_path": f"{n}.txt", "record_index": None,
                                      "title": None, "content_hash": f"h{n}", "published_date": None,
                                      "input_order": n, "clean_text": text} for n, text in enumerate(texts)],
                                    schema=pa.schema([clean.ARTICLE_SCHEMA.field(name) for name in dedup.ARTICLE_COLUMNS]))
    write(articles, str(tmp_path / "articles.parquet"))
    write(load.STAGED["mentions"].empty_table(), str(tmp_path / "mentions.parquet"))
    out = {kind: str(tmp_path / f"{kind}.parquet") for kind in ("links", "story_terms", "story_profiles")}
    monkeypatch.setattr(stories, "TERM_ROWS_ARTICLES", 1)
    lake = Warehouse(tmp_path / "warehouse").open_run()
    find_stories.fn(lake, [str(tmp_path / "articles.parquet")], [str(tmp_path / "mentions.parquet")], {}, "run-1",
                    True, out, {})
    lake.discard()

    written = pq.ParquetFile(out["story_terms"])
    assert written.metadata.num_row_groups == 3   # a chunk an article, written as it was made
    story_of = {row["article_id"]: row["story_id"] for row in pq.read_table(out["links"]).to_pylist()}
    assert story_of["a0"] == story_of["a1"] != story_of["a2"]
    at_once = stories.story_term_rows(stories.article_terms(articles.to_pylist(), []), story_of)
    assert written.read().sort_by([("article_id", "ascending"), ("kind", "ascending"), ("term", "ascending")]) \
        .equals(at_once.sort_by([("article_id", "ascending"), ("kind", "ascending"), ("term", "ascending")]))
