"""A row that fails a check inside a good article is set aside; the article and its other rows load."""

import datetime as dt
import json

import pyarrow as pa

from tasks.clean import ARTICLE_SCHEMA
from tasks.entities import MENTION_WITH_ENTITY_SCHEMA
from tasks.quality import check_and_split, suite_parameters

PARAMETERS = suite_parameters(dt.date(2026, 11, 23), ["GPE", "ORG", "PERSON"])


def test_a_mention_failing_a_check_is_set_aside_while_its_article_loads():
    articles = pa.Table.from_pylist([{"article_id": "a", "source_path": "wire/a.txt", "title": "PUTIN IN ASTANA",
                                      "clean_text": "Putin met Tokayev."}], schema=ARTICLE_SCHEMA)
    mention = {"article_id": "a", "field": "body", "label": "PERSON", "sentence_index": 0, "entity_id": "e1"}
    mentions = pa.Table.from_pylist([
        mention | {"start_char": 0, "end_char": 5, "text": "Putin"},
        mention | {"start_char": 10, "end_char": 10, "text": ""},            # ends where it starts: a defect of ours
        mention | {"field": "title", "start_char": 9, "end_char": 15, "text": "ASTANA", "label": "GPE"},
    ], schema=MENTION_WITH_ENTITY_SCHEMA)
    checked = check_and_split("extracted", PARAMETERS, mentions, articles, pa.array(["e1"]))
    assert (len(checked.quarantined), len(checked.set_aside)) == (0, 1)
    assert checked.articles["article_id"].to_pylist() == ["a"]
    assert checked.passed["text"].to_pylist() == ["Putin", "ASTANA"]
    assert checked.quarantined.num_rows == 0   # no input lost: the accounting is untouched
    [row] = checked.set_aside.to_pylist()
    assert {k: row[k] for k in ("source_path", "stage", "item", "article_id", "input_id")} == {
        "source_path": "wire/a.txt", "stage": "extracted", "item": "entity mention", "article_id": "a",
        "input_id": None}
    assert row["reason"] == ("extracted check: mention ends before it starts "
                             "(expect_column_pair_values_a_to_be_greater_than_b)")
    assert json.loads(row["detail"])["start_char"] == 10
    assert checked.validation["success"] is False   # still in the Data Docs
