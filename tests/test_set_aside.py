"""A row that fails a check inside a good article is set aside; the article and its other rows load."""

import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq

from flows.pipeline import _check
from tasks.clean import ARTICLE_SCHEMA
from tasks.entities import MENTION_WITH_ENTITY_SCHEMA
from tasks.quality import suite_parameters

PARAMETERS = suite_parameters(dt.date(2026, 11, 23), ["GPE", "ORG", "PERSON"])


def _outputs(tmp_path) -> dict[str, str]:
    return {name: str(tmp_path / f"{name}.parquet") for name in
            ("passed_out", "quarantine_out", "set_aside_out", "results_out", "articles_out")} \
        | {"validation_out": str(tmp_path / "validation.json")}


def test_a_mention_failing_a_check_is_set_aside_while_its_article_loads(tmp_path):
    articles = pa.Table.from_pylist([{"article_id": "a", "source_path": "wire/a.txt", "title": "PUTIN IN ASTANA",
                                      "clean_text": "Putin met Tokayev."}], schema=ARTICLE_SCHEMA)
    mention = {"article_id": "a", "field": "body", "label": "PERSON", "sentence_index": 0, "entity_id": "e1"}
    mentions = pa.Table.from_pylist([
        mention | {"start_char": 0, "end_char": 5, "text": "Putin"},
        mention | {"start_char": 10, "end_char": 10, "text": ""},            # ends where it starts: a defect of ours
        mention | {"field": "title", "start_char": 9, "end_char": 15, "text": "ASTANA", "label": "GPE"},
    ], schema=MENTION_WITH_ENTITY_SCHEMA)
    out = _outputs(tmp_path)
    counts = _check("extracted", PARAMETERS, mentions, articles, pa.array(["e1"]), **out)
    assert (counts["quarantined"], counts["set_aside"]) == (0, 1)
    assert pq.read_table(out["articles_out"])["article_id"].to_pylist() == ["a"]
    assert pq.read_table(out["passed_out"])["text"].to_pylist() == ["Putin", "ASTANA"]
    assert pq.read_table(out["quarantine_out"]).num_rows == 0   # no input lost: the accounting is untouched
    [row] = pq.read_table(out["set_aside_out"]).to_pylist()
    assert {k: row[k] for k in ("source_path", "stage", "item", "article_id", "input_id")} == {
        "source_path": "wire/a.txt", "stage": "extracted", "item": "entity mention", "article_id": "a",
        "input_id": None}
    assert row["reason"] == ("extracted check: mention ends before it starts "
                             "(expect_column_pair_values_a_to_be_greater_than_b)")
    assert json.loads(row["detail"])["start_char"] == 10
    assert json.loads((tmp_path / "validation.json").read_text())["success"] is False   # still in the Data Docs
