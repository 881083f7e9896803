import datetime as dt

import pyarrow as pa

from tasks.dedup import link_exact_duplicates

EARLIER_COLUMNS = ("article_id", "source_path", "record_index", "content_hash", "published_date", "input_order",
                   "story_id", "duplicate_of")


def _articles(*rows) -> pa.Table:
    return pa.Table.from_pylist([{"article_id": a, "source_path": f"{a}.txt", "record_index": None,
                                  "content_hash": h, "published_date": d, "input_order": o}
                                 for a, h, d, o in rows])


def _earlier(*rows) -> pa.Table:
    return pa.Table.from_pylist([dict(zip(EARLIER_COLUMNS, row)) for row in rows]) if rows else \
        pa.table({c: [] for c in EARLIER_COLUMNS})


def _links(table: pa.Table) -> dict:
    return {row["article_id"]: (row["duplicate_of"], row["story_id"]) for row in table.to_pylist()}


def test_copies_point_at_the_earliest_by_date_then_order():
    articles = _articles(("late", "h1", dt.date(2021, 8, 25), 1), ("early", "h1", dt.date(2021, 8, 23), 2),
                         ("undated", "h1", None, 0), ("other", "h2", None, 3))
    assert _links(link_exact_duplicates(articles, _earlier())) == {
        "early": (None, "early"), "late": ("early", "early"), "undated": ("early", "early"),
        "other": (None, "other")}


def test_a_copy_of_a_loaded_article_joins_its_story():
    articles = _articles(("new", "h1", dt.date(2021, 8, 24), 10))
    earlier = _earlier(("old", "old.txt", None, "h1", dt.date(2021, 8, 23), 1, "story-1", None))
    assert _links(link_exact_duplicates(articles, earlier)) == {"new": ("old", "story-1")}


def test_an_earlier_copy_arriving_later_relinks_the_loaded_one():
    articles = _articles(("first", "h1", dt.date(2021, 8, 20), 10))
    earlier = _earlier(("old", "old.txt", None, "h1", dt.date(2021, 8, 23), 1, "old", None))
    assert _links(link_exact_duplicates(articles, earlier)) == {"first": (None, "first"), "old": ("first", "first")}


def test_the_same_input_read_again_is_not_its_own_copy():
    articles = _articles(("a", "h1", None, 10))
    earlier = _earlier(("a", "a.txt", None, "h1", None, 1, "a", None),
                       ("a-old-version", "a.txt", None, "h1", None, 0, "a-old-version", None))
    assert _links(link_exact_duplicates(articles, earlier)) == {"a": (None, "a")}
