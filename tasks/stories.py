"""Stories: articles with their canonical entities in; pairs of articles about the same event out.

Two articles tell the same story when they were published within a few days of each other (an
undated article is judged on its content alone), share several of their most-mentioned
entities, and share enough of their vocabulary. Stories are the connected groups of such pairs
and of duplicate copies (tasks/dedup.py assigns the story_id).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import duckdb
import pyarrow as pa

from newsflow.warehouse import read_sql

# Entities that name who or where a story is about; dates, numbers and money are not.
STORY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "EVENT", "FAC", "LOC"})
SALIENT_ENTITIES = 8            # an article's most-mentioned entities, the ones a story is about
MIN_SHARED_ENTITIES = 3
MIN_SHARED_VOCABULARY = 0.12    # Jaccard of words of 4+ letters; the seeds' story pairs: 0.12-0.36
STORY_WINDOW = dt.timedelta(days=3)
# An entity in more articles than this (the country of every story) finds no candidates alone.
MAX_ARTICLES_PER_ENTITY = 200
CONTENT_WORD = re.compile(r"\w{4,}")


def salient_entities(mentions: list[dict]) -> dict[str, list[str]]:
    """Each article's most-mentioned story entities (ties by entity id), from rows of article_id, entity_id, label."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for row in mentions:
        if row["label"] in STORY_LABELS:
            counts[row["article_id"]][row["entity_id"]] += row.get("mentions", 1)
    return {article_id: [e for e, _ in sorted(c.items(), key=lambda item: (-item[1], item[0]))][:SALIENT_ENTITIES]
            for article_id, c in counts.items()}


def vocabulary(clean_text: str) -> frozenset[str]:
    return frozenset(CONTENT_WORD.findall(clean_text.lower()))


def _within_window(a: dt.date | None, b: dt.date | None) -> bool:
    return a is None or b is None or abs(a - b) <= STORY_WINDOW


def _sharing_entities(entities: dict[str, list[str]], new_ids: set[str]) -> list[tuple[str, str]]:
    """Pairs (one of them new) sharing MIN_SHARED_ENTITIES salient entities: a join in DuckDB."""
    ids = list(entities)
    salient = pa.table({"article": [i for i, article_id in enumerate(ids) for _ in entities[article_id]],
                        "entity_id": [e for article_id in ids for e in entities[article_id]],
                        "is_new": [article_id in new_ids for article_id in ids for _ in entities[article_id]]},
                       schema=pa.schema([("article", pa.int32()), ("entity_id", pa.string()), ("is_new", pa.bool_())]))
    with duckdb.connect() as con:
        con.register("salient", salient)
        pairs = con.execute(read_sql("stories/shared_entities"), {
            "max_articles_per_entity": MAX_ARTICLES_PER_ENTITY, "min_shared_entities": MIN_SHARED_ENTITIES}).fetchall()
    return [tuple(sorted((ids[first], ids[second]))) for first, second in pairs]


def same_story_pairs(articles: dict[str, dict], entities: dict[str, list[str]], new_ids: set[str]) -> set[tuple]:
    """Pairs (involving at least one new article) that tell the same story.

    `articles` maps article_id to a row with published_date and clean_text; `entities` maps
    article_id to its salient entities (salient_entities).
    """
    words = {}
    pairs = set()
    for a, b in _sharing_entities({k: v for k, v in entities.items() if k in articles}, new_ids):
        if not _within_window(articles[a]["published_date"], articles[b]["published_date"]):
            continue
        for article_id in (a, b):
            if article_id not in words:
                words[article_id] = vocabulary(articles[article_id]["clean_text"])
        union = words[a] | words[b]
        if union and len(words[a] & words[b]) / len(union) >= MIN_SHARED_VOCABULARY:
            pairs.add((a, b))
    return pairs
