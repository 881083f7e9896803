import pyarrow as pa

from tasks.entities import canonical_key, display_name, entity_id, resolve_entities
from tasks.extract import MENTION_SCHEMA


def _mentions(article_id: str, text: str, spans: list[tuple[str, str]]) -> pa.Table:
    rows, cursor = [], 0
    for surface, label in spans:
        start = text.index(surface, cursor)
        rows.append({"article_id": article_id, "start_char": start, "end_char": start + len(surface),
                     "text": surface, "label": label, "sentence_index": 0})
        cursor = start + len(surface)
    return pa.Table.from_pylist(rows, schema=MENTION_SCHEMA)


def test_display_name_drops_the_titles_and_possessives():
    assert display_name("President Vladimir Putin", "PERSON") == "Vladimir Putin"
    assert display_name("Putin's", "PERSON") == "Putin"
    assert display_name("the Collective Security Treaty Organization", "ORG") == "Collective Security Treaty Organization"
    assert display_name("President", "PERSON") == "President"   # a title alone stays a word


def test_canonical_key_folds_accents_and_case():
    assert canonical_key("Vladimír Putin", "PERSON") == canonical_key("VLADIMIR PUTIN", "PERSON") == "vladimir putin"


def test_surname_and_acronym_join_their_full_forms_in_one_article():
    text = ("Vladimir Putin said the Collective Security Treaty Organization (CSTO) would meet. "
            "Putin said the CSTO was ready. Vladimír Putin left.")
    spans = [("Vladimir Putin", "PERSON"), ("the Collective Security Treaty Organization", "ORG"),
             ("CSTO", "ORG"), ("Putin", "PERSON"), ("CSTO", "ORG"), ("Vladimír Putin", "PERSON")]
    articles = pa.table({"article_id": ["a"], "clean_text": [text]})
    mentions, entities = resolve_entities(_mentions("a", text, spans), articles)
    putin, csto = entity_id("PERSON", "vladimir putin"), entity_id("ORG", "collective security treaty organization")
    assert mentions["entity_id"].to_pylist() == [putin, csto, csto, putin, csto, putin]
    assert sorted(entities.to_pylist(), key=lambda e: e["label"]) == [
        {"entity_id": csto, "name": "Collective Security Treaty Organization", "label": "ORG"},
        {"entity_id": putin, "name": "Vladimir Putin", "label": "PERSON"},
    ]


def test_an_ambiguous_surname_stays_its_own_entity():
    text = "Hillary Clinton and Bill Clinton arrived. Clinton spoke."
    spans = [("Hillary Clinton", "PERSON"), ("Bill Clinton", "PERSON"), ("Clinton", "PERSON")]
    articles = pa.table({"article_id": ["a"], "clean_text": [text]})
    mentions, _ = resolve_entities(_mentions("a", text, spans), articles)
    assert mentions["entity_id"].to_pylist()[2] == entity_id("PERSON", "clinton")


def test_ids_do_not_depend_on_the_batch():
    text = "Putin spoke."
    articles = pa.table({"article_id": ["b"], "clean_text": [text]})
    mentions, entities = resolve_entities(_mentions("b", text, [("Putin", "PERSON")]), articles)
    assert mentions["entity_id"].to_pylist() == [entity_id("PERSON", "putin")] == entities["entity_id"].to_pylist()
