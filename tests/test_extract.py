import pyarrow as pa
import pytest

from tasks.clean import clean_article
from tasks.extract import DEFAULT_MODEL, ModelNotInstalled, load_model, mentions_of, model_labels, recognise_entities
from tests.conftest import SEEDS


def _seed_texts() -> tuple[list[str], list[str]]:
    paths = sorted(SEEDS.glob("*.txt"))
    return [p.stem for p in paths], [clean_article(p.read_text(encoding="utf-8")).clean_text for p in paths]


def test_mentions_carry_exact_offsets_sentences_and_labels():
    text = "Vladimir Putin met Kassym-Jomart Tokayev in Moscow. Later, Putin spoke to reporters in Kazakhstan."
    rows = mentions_of(["a"], [text], DEFAULT_MODEL)
    by_text = {row["text"]: row for row in rows}
    assert by_text["Vladimir Putin"] == {"article_id": "a", "start_char": 0, "end_char": 14,
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


def test_two_workers_give_the_same_rows_as_one(monkeypatch):
    monkeypatch.setattr("tasks.extract.MIN_ARTICLES_PER_WORKER", 1)
    ids, texts = _seed_texts()
    articles = pa.table({"article_id": ids, "clean_text": texts})
    from newsflow.processes import shutdown
    try:
        assert recognise_entities(articles, DEFAULT_MODEL, workers=2) == \
            recognise_entities(articles, DEFAULT_MODEL, workers=1)
    finally:
        shutdown()


def test_only_the_pipes_ner_needs_run():
    assert load_model(DEFAULT_MODEL).pipe_names == ["tok2vec", "senter", "ner"]


def test_an_unknown_model_is_a_clear_error():
    with pytest.raises(ModelNotInstalled, match="not installed"):
        load_model("no_such_model_package")
