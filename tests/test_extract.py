import pyarrow as pa
import pytest

from tasks.clean import clean_article
from tasks.extract import (
    DEFAULT_MODEL, ModelNotInstalled, in_story_casing, load_model, mentions_of, model_labels, recognise_entities,
)
from tests.conftest import SEEDS


def _seed_texts() -> tuple[list[str], list[str]]:
    paths = sorted(SEEDS.glob("*.txt"))
    return [p.stem for p in paths], [clean_article(p.read_text(encoding="utf-8")).clean_text for p in paths]


def test_mentions_carry_exact_offsets_sentences_and_labels():
    text = "Vladimir Putin met Kassym-Jomart Tokayev in Moscow. Later, Putin spoke to reporters in Kazakhstan."
    rows = mentions_of(["a"], [text], DEFAULT_MODEL)
    by_text = {row["text"]: row for row in rows}
    assert by_text["Vladimir Putin"] == {"article_id": "a", "field": "body", "start_char": 0, "end_char": 14,
                                              "text": "Vladimir Putin", "label": "PERSON", "sentence_index": 0}
    assert (by_text["Moscow"]["start_char"], by_text["Moscow"]["label"], by_text["Moscow"]["sentence_index"]) == \
        (44, "GPE", 0)
    assert (by_text["Kazakhstan"]["label"], by_text["Kazakhstan"]["sentence_index"]) == ("GPE", 1)


def test_every_seed_mention_indexes_into_clean_text():
    ids, texts = _seed_texts()
    rows = mentions_of(ids, texts, DEFAULT_MODEL)
    text_of = dict(zip(ids, texts))
    labels = set(model_labels(DEFAULT_MODEL))
    assert len(rows) > 200
    for row in rows:
        assert text_of[row["article_id"]][row["start_char"]:row["end_char"]] == row["text"]
        assert row["label"] in labels


def test_entities_of_the_title_byline_and_dateline_carry_offsets_into_their_field():
    article = {"title": "PUTIN MEETS TOKAYEV IN ASTANA", "byline": "By Olga Petrova", "dateline": "MOSCOW, Aug 26",
               "body": "Vladimir Putin met Kassym-Jomart Tokayev in Astana on Monday. Putin flew back to Moscow."}
    rows = mentions_of(["a"], [article], DEFAULT_MODEL)
    outside_the_body = [(r["field"], r["start_char"], r["end_char"], r["text"], r["label"], r["sentence_index"])
                        for r in rows if r["field"] != "body"]
    # The title in capitals is read in the body's casing, but each mention's text is the field as printed.
    assert outside_the_body == [
        ("title", 0, 5, "PUTIN", "PERSON", 0), ("title", 12, 19, "TOKAYEV", "PERSON", 0),
        ("title", 23, 29, "ASTANA", "GPE", 0), ("byline", 3, 15, "Olga Petrova", "PERSON", 0),
        ("dateline", 0, 6, "MOSCOW", "GPE", 0), ("dateline", 12, 14, "26", "CARDINAL", 0)]
    body = [(r["start_char"], r["text"], r["sentence_index"]) for r in rows if r["field"] == "body"]
    assert (0, "Vladimir Putin", 0) in body and (62, "Putin", 1) in body
    for row in rows:
        field_text = article[row["field"]]
        assert field_text[row["start_char"]:row["end_char"]] == row["text"]


def test_the_body_gets_what_the_model_finds_in_the_body_alone_whatever_the_headline():
    # A made-up wire story whose capitals headline and dateline, read with the body, changed what
    # the model found at the body's start: each field is a doc of its own.
    body = ("Kestrel Disc Products Co Inc, a unit of Marlow Enterprises Inc, said it agreed to buy the "
            "Halverson unit of Tamsin Corp for 12 mln dlrs. Kestrel Disc said the deal would close in "
            "November.")
    article = {"title": "KESTREL DISC TO BUY HALVERSON UNIT", "dateline": "GREELEY, Colo., Oct 19", "body": body}
    alone = [(e.start_char, e.end_char, e.label_) for e in load_model(DEFAULT_MODEL)(body).ents]
    rows = mentions_of(["a", "b"], [article, body], DEFAULT_MODEL)
    with_header = [(r["start_char"], r["end_char"], r["label"]) for r in rows if r["article_id"] == "a"
                   and r["field"] == "body"]
    body_only = [(r["start_char"], r["end_char"], r["label"]) for r in rows if r["article_id"] == "b"]
    assert with_header == body_only == alone
    assert (0, len("Kestrel Disc Products Co Inc"), "ORG") in alone


def test_a_field_in_capitals_takes_its_storys_casing_and_keeps_its_length():
    body = "Leicestershire beat Somerset at Grace Road, taking the title lead."
    title = "CRICKET - LEICESTERSHIRE TAKE OVER AT TOP AFTER INNINGS VICTORY ."
    assert in_story_casing(title, body) == "cricket - Leicestershire take over at top after innings victory ."
    assert in_story_casing("LONDON 1996-08-30", "In London, shares fell.") == "London 1996-08-30"
    assert in_story_casing("Putin meets Tokayev", body) == "Putin meets Tokayev"   # not in capitals: as it is


def test_two_workers_give_the_same_rows_as_one(monkeypatch):
    monkeypatch.setattr("tasks.extract.MIN_ARTICLES_PER_WORKER", 1)
    ids, texts = _seed_texts()
    articles = pa.table({"article_id": ids, "clean_text": texts})
    from newsflow.processes import WorkerPool
    pool = WorkerPool(2)
    try:
        assert recognise_entities(articles, DEFAULT_MODEL, pool) == \
            recognise_entities(articles, DEFAULT_MODEL, WorkerPool(1))
        assert pool.started   # the rows above did come from the worker processes
    finally:
        pool.shutdown()


def test_only_the_pipes_ner_needs_run():
    assert load_model(DEFAULT_MODEL).pipe_names == ["tok2vec", "senter", "ner"]


def test_an_unknown_model_is_a_clear_error():
    with pytest.raises(ModelNotInstalled, match="not installed"):
        load_model("no_such_model_package")
