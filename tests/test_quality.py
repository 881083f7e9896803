"""Each suite with a passing and a failing batch, validated by the real Great Expectations."""

import datetime as dt

import pyarrow as pa
import pytest

from tasks.clean import ARTICLE_SCHEMA
from tasks.date_mentions import DATE_MENTION_SCHEMA, SANE_BOUNDS
from tasks.entities import MENTION_WITH_ENTITY_SCHEMA
from tasks.ingest import DOCUMENT_SCHEMA
from tasks.quality import SUITES, BatchCheckFailed, check, load_suite, mention_frame, suite_parameters
from tasks.quotes import QUOTE_SCHEMA

PARAMETERS = (suite_parameters(dt.date(2026, 11, 23), ["GPE", "ORG", "PERSON"])
              | SANE_BOUNDS)


def _document(article_id: str, raw_text: str = "A story.", source_format: str = "txt") -> dict:
    return {"article_id": article_id, "source_path": f"{article_id}.txt", "record_index": None,
            "source_format": source_format, "encoding": "utf-8", "raw_text": raw_text,
            "title_hint": None, "date_hint": None, "input_order": 0}


def _article(article_id: str, **fields) -> dict:
    return {"article_id": article_id, "source_path": f"{article_id}.txt", "clean_text": "Putin met Tokayev.",
            "title": "A title", "published_date": dt.date(2021, 8, 23), "date_source": "header line (line 1)",
            "content_hash": article_id, "word_count": 3, "input_order": 0} | fields


def test_every_suite_is_valid_data():
    for name in SUITES:
        suite = load_suite(name)
        assert suite["suite"] == name
        assert all(e["on_failure"] in {"quarantine", "fail"} and e["reason"] for e in suite["expectations"])


def test_raw_suite_passes_good_rows_and_names_bad_ones():
    table = pa.Table.from_pylist([_document("good"), _document("empty", raw_text=""),
                                  _document("odd", source_format="pdf")], schema=DOCUMENT_SCHEMA)
    outcome = check(table, "raw", PARAMETERS)
    assert outcome.failed_rows == {
        "empty": "raw check: no text in the input (expect_column_value_lengths_to_be_between)",
        "odd": "raw check: not a supported input format (expect_column_values_to_be_in_set)",
    }
    assert len(outcome.results) == len(load_suite("raw")["expectations"])


def test_raw_suite_fails_the_batch_on_duplicate_ids():
    table = pa.Table.from_pylist([_document("same"), _document("same")], schema=DOCUMENT_SCHEMA)
    with pytest.raises(BatchCheckFailed, match="'raw' failed expect_column_values_to_be_unique on article_id"):
        check(table, "raw", PARAMETERS)


def test_clean_suite_sets_aside_empty_text_and_impossible_dates():
    rows = [_article("good"), _article("undated", published_date=None, date_source=None),
            _article("blank", clean_text=" \n "), _article("future", published_date=dt.date(2031, 1, 1)),
            _article("ancient", published_date=dt.date(1899, 12, 31)),
            _article("unsourced", date_source=None), _article("untitled", title="")]
    outcome = check(pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA), "clean", PARAMETERS)
    assert sorted(outcome.failed_rows) == ["ancient", "blank", "future", "unsourced", "untitled"]
    assert outcome.failed_rows["future"] == ("clean check: publication date before 1900 or after the run's day "
                                             "(expect_column_values_to_be_between)")


def test_extracted_suite_sets_aside_bad_mentions_by_row_in_their_own_field():
    articles = pa.Table.from_pylist([_article("a", title="PUTIN IN ASTANA")], schema=ARTICLE_SCHEMA)
    mention = {"article_id": "a", "field": "body", "start_char": 0, "end_char": 5, "text": "Putin",
               "label": "PERSON", "sentence_index": 0, "entity_id": "e1"}
    mentions = pa.Table.from_pylist([
        mention,
        mention | {"start_char": 1, "end_char": 6},                                     # shifted
        mention | {"label": "FOOD"},
        mention | {"start_char": 15, "end_char": 40, "text": "Tokayev."},              # past the body
        mention | {"field": "title", "start_char": 9, "end_char": 15, "text": "ASTANA", "label": "GPE"},
        mention | {"field": "title", "start_char": 10, "end_char": 16, "text": "ASTANA", "label": "GPE"},
        mention | {"field": "headline"},
        mention | {"field": None},                                                      # no field: the body
    ], schema=MENTION_WITH_ENTITY_SCHEMA)
    outcome = check(mention_frame(mentions, articles, ["e1"]), "extracted", PARAMETERS)
    assert outcome.failed_rows == {
        1: ("extracted check: field_text[start_char:end_char] is not the mention's text "
            "(expect_column_values_to_be_in_set)"),
        2: "extracted check: entity label not in the model's label set (expect_column_values_to_be_in_set)",
        3: ("extracted check: mention ends past the end of its field "
            "(expect_column_pair_values_a_to_be_greater_than_b)"),
        5: ("extracted check: mention ends past the end of its field "
            "(expect_column_pair_values_a_to_be_greater_than_b)"),
        6: ("extracted check: mention in a field that is not body, title, byline or dateline "
            "(expect_column_values_to_be_in_set)"),
    }


def test_an_empty_batch_passes():
    outcome = check(ARTICLE_SCHEMA.empty_table(), "clean", PARAMETERS)
    assert outcome.failed_rows == {} and all(r["success"] for r in outcome.results)


def test_extracted_suite_stops_the_run_on_a_mention_without_its_entity():
    articles = pa.Table.from_pylist([_article("good")], schema=ARTICLE_SCHEMA)
    mentions = pa.Table.from_pylist([{"article_id": "good", "field": "body", "start_char": 0, "end_char": 5, "text": "Putin",
                                      "label": "PERSON", "sentence_index": 0, "entity_id": "unknown"}],
                                    schema=MENTION_WITH_ENTITY_SCHEMA)
    with pytest.raises(BatchCheckFailed, match="'extracted' failed expect_column_values_to_be_in_set on entity_exists"):
        check(mention_frame(mentions, articles, ["e1"]), "extracted", PARAMETERS)


def _date(**fields) -> dict:
    return {"article_id": "a", "start_char": 3, "end_char": 9, "text": "Sunday",
            "resolved_date": dt.date(2021, 8, 22), "granularity": "day"} | fields


def test_date_mentions_suite_passes_sane_dates_and_unresolved_ones():
    rows = [_date(), _date(resolved_date=None), _date(resolved_date=dt.date(1800, 1, 1), granularity="year")]
    outcome = check(pa.Table.from_pylist(rows, schema=DATE_MENTION_SCHEMA), "date_mentions", PARAMETERS)
    assert outcome.failed_rows == {} and all(r["success"] for r in outcome.results)


def test_date_mentions_suite_sets_aside_a_date_out_of_bounds():
    rows = [_date(), _date(resolved_date=dt.date(1799, 12, 31))]
    outcome = check(pa.Table.from_pylist(rows, schema=DATE_MENTION_SCHEMA), "date_mentions", PARAMETERS)
    assert outcome.failed_rows == {1: "date_mentions check: a resolved date outside 1800-2100: the resolver "
                                      "misread an expression (expect_column_values_to_be_between)"}


def test_date_mentions_suite_passes_every_granularity_and_kind_and_sets_aside_an_unknown_kind():
    rows = [_date(granularity=granularity, kind=kind) for granularity, kind in
            (("day", "weekday"), ("week", "relative"), ("quarter", "period"), ("decade", "period"), ("year", None))]
    outcome = check(pa.Table.from_pylist(rows, schema=DATE_MENTION_SCHEMA), "date_mentions", PARAMETERS)
    assert outcome.failed_rows == {} and all(r["success"] for r in outcome.results)
    outcome = check(pa.Table.from_pylist([_date(), _date(kind="guessed")], schema=DATE_MENTION_SCHEMA),
                    "date_mentions", PARAMETERS)
    assert list(outcome.failed_rows) == [1]


def _quote(**fields) -> dict:
    return {"article_id": "a", "start_char": 16, "end_char": 37, "quote": "the talks were useful",
            "speaker": "Vladimir Putin", "speaker_entity_id": "e1", "kind": "reported", "speaker_source": "name"} | fields


def test_quotes_suite_passes_quotes_with_speakers():
    outcome = check(pa.Table.from_pylist([_quote(), _quote(kind="direct")], schema=QUOTE_SCHEMA), "quotes",
                    PARAMETERS)
    assert outcome.failed_rows == {} and all(r["success"] for r in outcome.results)


@pytest.mark.parametrize("bad", [{"speaker": ""}, {"speaker": None}, {"speaker_entity_id": None},
                                 {"speaker_source": None}, {"speaker_source": "guessed"}])
def test_quotes_suite_sets_aside_a_quote_without_a_speaker(bad):
    rows = [_quote(), _quote(**bad)]
    outcome = check(pa.Table.from_pylist(rows, schema=QUOTE_SCHEMA), "quotes", PARAMETERS)
    assert list(outcome.failed_rows) == [1]


def test_failed_expectations_sum_batches_and_keep_a_few_distinct_example_values():
    from tasks.quality import failed_expectations

    first = check(pa.Table.from_pylist([_document("good"), _document("empty", raw_text=""),
                                        _document("odd", source_format="pdf"),
                                        _document("odder", source_format="doc|x")], schema=DOCUMENT_SCHEMA),
                  "raw", PARAMETERS)
    second = check(pa.Table.from_pylist([_document(f"odd{n}", source_format=f) for n, f in
                                         enumerate(["pdf", "xls", "ppt", "odt"])], schema=DOCUMENT_SCHEMA),
                   "raw", PARAMETERS)
    failures = failed_expectations({"raw-00000": first.validation, "raw-00001": second.validation})
    assert [(f["suite"], f["expectation"], f["column_name"], f["rows_failed"], f["examples"]) for f in failures] == [
        ("raw", "expect_column_values_to_be_in_set", "source_format", 6, ['"pdf"', '"doc|x"', '"xls"']),
        ("raw", "expect_column_value_lengths_to_be_between", "raw_text", 1, ['""']),
    ]
    assert failures[0]["reason"] == "not a supported input format"


def test_the_data_quality_artifact_lists_each_failure_with_its_column_count_and_examples():
    from newsflow.summary import render_quality_markdown

    run = {"run_id": "r1", "quality": [{"success": True}, {"success": False}],
           "quality_docs": "/w/quality_docs/r1/index.html",
           "quality_failures": [{"suite": "raw", "expectation": "expect_column_values_to_be_in_set",
                                 "column_name": "source_format", "rows_failed": 6,
                                 "examples": ['"pdf"', '"doc|x"'], "reason": "not a supported input format"}]}
    assert render_quality_markdown(run).splitlines() == [
        "# Data quality of run `r1`: 1/2 expectations passed",
        "",
        "| suite | expectation | column | rows failed | examples | why it matters |",
        "|---|---|---|---:|---|---|",
        "| raw | expect_column_values_to_be_in_set | `source_format` | 6 | `\"pdf\"`, `\"doc\\|x\"` "
        "| not a supported input format |",
        "",
        "Rows that failed an expectation were set aside: see the quarantine table.",
        "",
        "GX Data Docs of every check (open on the machine that ran it): `/w/quality_docs/r1/index.html`",
    ]
    passed = render_quality_markdown(run | {"quality": [{"success": True}], "quality_failures": []})
    assert "Every expectation passed." in passed


def test_data_docs_build_for_a_run_id_dateutil_would_misread(tmp_path):
    # "-5598ad7a" (the flow run id's head) parses as a 55:98-hour time zone: GX used to fail the run on it.
    from tasks.quality import build_data_docs

    outcome = check(pa.Table.from_pylist([_document("a")], schema=DOCUMENT_SCHEMA), "raw", PARAMETERS)
    index = build_data_docs({"raw-00000": outcome.validation}, tmp_path / "20261202T173200-5598ad7a")
    assert index.exists() and "raw" in index.read_text(encoding="utf-8")
