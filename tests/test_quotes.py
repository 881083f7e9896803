import pyarrow as pa

from tasks.entities import entity_id
from tasks.quotes import find_quotes, quotes

PUTIN = entity_id("PERSON", "vladimir putin")
PESKOV = entity_id("PERSON", "dmitry peskov")
NAMES = {PUTIN: "Vladimir Putin", PESKOV: "Dmitry Peskov", entity_id("ORG", "kremlin"): "Kremlin"}


def _mentions(text: str, spans: list[tuple[str, str, str]]) -> list[dict]:
    rows, cursor = [], 0
    for surface, label, eid in spans:
        start = text.index(surface, cursor)
        rows.append({"article_id": "a", "start_char": start, "end_char": start + len(surface), "text": surface,
                     "label": label, "entity_id": eid})
        cursor = start + len(surface)
    return rows


def _quotes(text: str, spans: list[tuple[str, str, str]]) -> list[tuple]:
    return [(q["speaker"], q["kind"], q["quote"], text[q["start_char"]:q["end_char"]] == q["quote"])
            for q in find_quotes("a", text, _mentions(text, spans), NAMES)]


def test_reported_speech_after_a_speaker_and_an_appositive():
    # From the seeds.
    text = ("Putin, on the other hand, has said that the ongoing situation would directly impact Russia. "
            "Dmitry Peskov, the Kremlin's spokesman, told reporters that the group discussed a civil war.")
    spans = [("Putin", "PERSON", PUTIN), ("Dmitry Peskov", "PERSON", PESKOV),
             ("Kremlin", "ORG", entity_id("ORG", "kremlin"))]
    assert _quotes(text, spans) == [
        ("Vladimir Putin", "reported", "the ongoing situation would directly impact Russia", True),
        ("Dmitry Peskov", "reported", "the group discussed a civil war", True)]


def test_a_direct_quote_with_its_speaker_after_it_or_a_pronoun_before_it():
    text = ("\u201cNo one is going to interfere,\u201d said Dmitry Peskov. Putin spoke next. "
            "He said: \u201cit is important to prevent the incursion of terrorists.\u201d")
    spans = [("Dmitry Peskov", "PERSON", PESKOV), ("Putin", "PERSON", PUTIN)]
    assert _quotes(text, spans) == [
        ("Dmitry Peskov", "direct", "No one is going to interfere,", True),
        ("Vladimir Putin", "direct", "it is important to prevent the incursion of terrorists.", True)]


def test_no_quote_without_a_speaker_or_without_a_clause():
    text = ("The Kremlin said in a statement. Officials said the talks would go on. "
            "\u201cThis is a long quotation with nobody named.\u201d")
    assert _quotes(text, [("Kremlin", "ORG", entity_id("ORG", "kremlin"))]) == []


def test_a_batch_gives_rows_for_each_article_with_canonical_speakers():
    text = "Putin said that the talks were useful."
    articles = pa.table({"article_id": ["a", "b"], "clean_text": [text, "No talk."]})
    mentions = pa.Table.from_pylist(_mentions(text, [("Putin", "PERSON", PUTIN)]))
    entities = pa.table({"entity_id": [PUTIN], "name": ["Vladimir Putin"], "label": ["PERSON"]})
    assert quotes(articles, mentions, entities).to_pylist() == [
        {"article_id": "a", "start_char": 16, "end_char": 37, "quote": "the talks were useful",
         "speaker": "Vladimir Putin", "speaker_entity_id": PUTIN, "kind": "reported"}]


def test_a_title_mention_does_not_speak_in_the_body():
    # A title mention's offsets (37-43) would otherwise place "Peskov" right before "said that" in clean_text.
    text = "Putin, said to be tired, left. Later it was said that the talks were useful."
    articles = pa.table({"article_id": ["a"], "clean_text": [text]})
    mentions = pa.Table.from_pylist([{"article_id": "a", "field": "title", "start_char": 37, "end_char": 43,
                                      "text": "Peskov", "label": "PERSON", "entity_id": PESKOV}])
    entities = pa.table({"entity_id": [PESKOV], "name": ["Dmitry Peskov"], "label": ["PERSON"]})
    assert quotes(articles, mentions, entities).to_pylist() == []
