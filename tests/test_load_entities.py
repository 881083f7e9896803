"""The entities table, rewritten by each run only for the entities it touched, stays what a full rebuild gives.

Every run here goes through the real flow into a temporary warehouse; after each one the entities
table is compared with the rows aggregated afresh, in Python, from every mention and article date
(a name already in the warehouse keeps winning). An entity the run did not touch has no reason to
change, and one whose last mention went with a replaced article must be gone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from flows.pipeline import news_pipeline
from newsflow.warehouse import open_read_only

ARTICLES = {
    "a.txt": "21 August 2021\nVladimir Putin met Angela Merkel in Moscow on Saturday. "
             "Putin said the talks with Merkel went well.\n",
    "b.txt": "23 August 2021\nAngela Merkel flew home to Berlin. Merkel met Olaf Scholz at the chancellery.\n",
    "c.txt": "25 August 2021\nNATO ministers met in Brussels. Jens Stoltenberg said NATO would stay united.\n",
}
# a.txt read again, changed: a later date, no Merkel and no Moscow any more, and Putin's name with an
# accent: the same entity, which this run alone would name "Vladimír Putin".
CHANGED_A = "27 August 2021\nVladimír Putin spoke to farmers in Kazan on Friday. Putin praised the harvest.\n"
# A new input naming entities loaded before (NATO, Jens Stoltenberg) and one that is not.
NEW_D = "29 August 2021\nJens Stoltenberg met Justin Trudeau in Ottawa. NATO will meet again in October.\n"


def _run(source: Path, warehouse: Path, **options) -> dict:
    return news_pipeline(source=str(source), warehouse=str(warehouse), workers=1, **options)


def _entities(warehouse: Path) -> dict[str, dict]:
    with open_read_only(warehouse) as con:
        rows = con.execute("select * from entities").to_arrow_table().to_pylist()
    by_id = {row["entity_id"]: row for row in rows}
    assert len(by_id) == len(rows), "an entity has two rows"
    return by_id


def _rebuilt(warehouse: Path, before: dict[str, dict], loaded: dict[str, dict]) -> dict[str, dict]:
    """The rows a full rebuild gives: every mention counted again, names already held kept.

    A name the run gave a new entity cannot be derived from the mentions, so it is taken from the
    loaded row (`loaded`); every other column is computed here from entity_mentions and articles."""
    with open_read_only(warehouse) as con:
        mentions = con.execute("""
            select m.entity_id, m.article_id, m.text, a.published_date
            from entity_mentions as m left join articles as a using (article_id)""").fetchall()
    counts, articles, forms, dates = Counter(), defaultdict(set), defaultdict(Counter), defaultdict(list)
    for entity, article, text, published in mentions:
        counts[entity] += 1
        articles[entity].add(article)
        forms[entity][text] += 1
        if published is not None:
            dates[entity].append(published)
    rows = {}
    for entity in counts:
        named = before.get(entity) or loaded.get(entity)
        if named is None:
            continue        # no name known: no row, as in the full rebuild
        rows[entity] = {
            "entity_id": entity, "name": named["name"], "label": named["label"],
            "mention_count": counts[entity], "article_count": len(articles[entity]),
            "aliases": sorted(forms[entity], key=lambda text: (-forms[entity][text], text)),
            "first_seen": min(dates[entity], default=None), "last_seen": max(dates[entity], default=None)}
    return rows


def _assert_as_if_rebuilt(warehouse: Path, before: dict[str, dict]) -> dict[str, dict]:
    loaded = _entities(warehouse)
    assert loaded == _rebuilt(warehouse, before, loaded)
    return loaded


def _by_name(table: dict[str, dict]) -> dict[str, dict]:
    return {row["name"]: row for row in table.values()}


def test_each_run_leaves_the_entities_table_a_full_rebuild_would(tmp_path, prefect_harness):
    source, warehouse = tmp_path / "source", tmp_path / "wh"
    source.mkdir()
    for name, text in ARTICLES.items():
        (source / name).write_text(text)

    # A first run.
    _run(source, warehouse)
    first = _assert_as_if_rebuilt(warehouse, {})
    names = _by_name(first)
    assert {"Vladimir Putin", "Angela Merkel", "Moscow", "Brussels", "Jens Stoltenberg"} <= set(names)
    assert (names["Angela Merkel"]["first_seen"].isoformat(), names["Angela Merkel"]["last_seen"].isoformat()) == (
        "2021-08-21", "2021-08-23")
    assert names["Angela Merkel"]["article_count"] == 2

    # A re-run with nothing new changes no row.
    _run(source, warehouse)
    assert _assert_as_if_rebuilt(warehouse, first) == first

    # Changed inputs: a.txt replaced (its old mentions go), d.txt new.
    (source / "a.txt").write_text(CHANGED_A)
    (source / "d.txt").write_text(NEW_D)
    _run(source, warehouse)
    changed = _assert_as_if_rebuilt(warehouse, first)
    names = _by_name(changed)
    # Moscow's only mentions went with the old a.txt: its row goes too.
    assert "Moscow" not in names and "Kazan" in names
    # Merkel was touched only through the replaced article: b.txt's mentions alone are counted now.
    assert names["Angela Merkel"]["article_count"] == 1
    assert names["Angela Merkel"]["first_seen"].isoformat() == "2021-08-23"
    # Putin's article moved to a later date; the name held before wins over the run's accented one.
    assert names["Vladimir Putin"]["first_seen"].isoformat() == "2021-08-27"
    assert "Vladimír Putin" in names["Vladimir Putin"]["aliases"]
    assert names["Vladimir Putin"]["entity_id"] == _by_name(first)["Vladimir Putin"]["entity_id"]
    assert names["Jens Stoltenberg"]["article_count"] == 2
    assert names["Jens Stoltenberg"]["last_seen"].isoformat() == "2021-08-29"
    # An entity no run since the first has touched keeps its row as it was.
    assert names["Brussels"] == _by_name(first)["Brussels"]

    # --full-refresh recomputes every article: the table it leaves is the one the runs built.
    _run(source, warehouse, full_refresh=True)
    assert _assert_as_if_rebuilt(warehouse, changed) == changed


def test_a_run_in_batches_of_one_leaves_the_entities_a_run_in_one_batch_does(tmp_path, prefect_harness):
    """The entities' rows are written once, after the run's last batch: each counts the mentions of every
    batch, and a new entity spelled two ways by two batches takes the least spelling, as in one batch."""
    source = tmp_path / "source"
    source.mkdir()
    texts = dict(ARTICLES) | {"e.txt": CHANGED_A}    # "Vladimír Putin" in the last batch, "Vladimir" in the first
    for name, text in texts.items():
        (source / name).write_text(text)

    _run(source, tmp_path / "one-batch")
    _run(source, tmp_path / "batches-of-one", batch_size=1)
    whole, one_by_one = _entities(tmp_path / "one-batch"), _entities(tmp_path / "batches-of-one")
    assert one_by_one == whole == _rebuilt(tmp_path / "batches-of-one", {}, one_by_one)
    putin = _by_name(one_by_one)["Vladimir Putin"]
    assert putin["article_count"] == 2 and "Vladimír Putin" in putin["aliases"]
