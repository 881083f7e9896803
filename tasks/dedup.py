"""Duplicates: the run's articles and earlier copies in the warehouse in; duplicate links out.

Exact duplicates share a content_hash (a hash of clean_text). Every copy but the earliest (by
published_date, then the order inputs were read) points at the earliest with duplicate_of;
copies share the earliest copy's story_id.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pyarrow as pa

DUPLICATE_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("duplicate_of", pa.string()), ("story_id", pa.string()),
])
_LATEST = dt.date.max


def _earliest_first(article: dict) -> tuple:
    return (article["published_date"] or _LATEST, article["input_order"], article["article_id"])


def link_exact_duplicates(articles: pa.Table, earlier_copies: pa.Table) -> pa.Table:
    """duplicate_of and story_id for the batch's articles and for any earlier copy whose links change.

    `earlier_copies` holds warehouse articles sharing a content_hash with the batch (as
    sql/load/earlier_copies.sql selects them).
    """
    columns = ["article_id", "source_path", "record_index", "content_hash", "published_date", "input_order"]
    groups: dict[str, list[dict]] = defaultdict(list)
    batch = articles.select(columns).to_pylist()
    # Loaded rows this run replaces (the same input read again) are not earlier copies.
    replaced = {row["article_id"] for row in batch} | {(row["source_path"], row["record_index"]) for row in batch}
    for row in batch:
        groups[row["content_hash"]].append(row | {"story_id": None, "loaded": False})
    for row in earlier_copies.to_pylist():
        if row["article_id"] not in replaced and (row["source_path"], row["record_index"]) not in replaced:
            groups[row["content_hash"]].append(row | {"loaded": True})
    links = []
    for copies in groups.values():
        copies.sort(key=_earliest_first)
        first = copies[0]
        story_id = first["story_id"] or first["article_id"]
        for copy in copies:
            duplicate_of = None if copy is first else first["article_id"]
            if not copy["loaded"] or copy.get("duplicate_of") != duplicate_of or copy["story_id"] != story_id:
                links.append({"article_id": copy["article_id"], "duplicate_of": duplicate_of, "story_id": story_id})
    return pa.Table.from_pylist(links, schema=DUPLICATE_SCHEMA)
