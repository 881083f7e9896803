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
         "speaker": "Vladimir Putin", "speaker_entity_id": PUTIN, "kind": "reported", "speaker_source": "name"}]


# One test per pattern of attribution: the exact quote, speaker and speaker_source. Made-up sentences.
def _ids(*spans: tuple[str, str, str]) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """Mentions as (surface, label, canonical name) -> (spans with entity ids, names)."""
    with_ids = [(surface, label, entity_id(label, name.lower())) for surface, label, name in spans]
    return with_ids, {eid: name for (_, _, eid), (_, _, name) in zip(with_ids, spans)}


def _direct(text: str, *spans: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    """(quote, speaker, speaker_source) of the direct quotes find_quotes gives, offsets checked."""
    with_ids, names = _ids(*spans)
    rows = find_quotes("a", text, _mentions(text, with_ids), names)
    assert all(text[q["start_char"]:q["end_char"]] == q["quote"] for q in rows)
    return [(q["quote"], q["speaker"], q["speaker_source"]) for q in rows if q["kind"] == "direct"]


RUBIO = ("Rubio", "PERSON", "Marco Rubio")


def test_speaker_after_the_quote_with_the_verb_last():
    assert _direct("\u201cWe will win Florida,\u201d Rubio said on Monday.", RUBIO) == [
        ("We will win Florida,", "Marco Rubio", "name")]


def test_speaker_after_the_quote_with_the_verb_first():
    assert _direct('"We will win Florida," said Rubio.', RUBIO) == [("We will win Florida,", "Marco Rubio", "name")]


def test_a_title_and_a_party_label_around_the_name():
    text = "\u201cThe bill is dead,\u201d Sen. Marco Rubio (R-Fla.) said."
    assert _direct(text, ("Marco Rubio", "PERSON", "Marco Rubio"), ("R-Fla", "ORG", "R-Fla")) == [
        ("The bill is dead,", "Marco Rubio", "title")]


def test_a_description_before_the_name():
    text = "\u201cThe case was thin from the start,\u201d New York attorney Eric Levine said."
    assert _direct(text, ("New York", "GPE", "New York"), ("Eric Levine", "PERSON", "Eric Levine")) == [
        ("The case was thin from the start,", "Eric Levine", "title")]


def test_a_possessive_before_the_name_is_not_the_speaker():
    text = "\u201cWe never saw that memo,\u201d said Clinton\u2019s top aide Jake Sullivan."
    assert _direct(text, ("Clinton", "PERSON", "Hillary Clinton"), ("Jake Sullivan", "PERSON", "Jake Sullivan")) == [
        ("We never saw that memo,", "Jake Sullivan", "title")]


def test_an_organisation_and_a_rank_before_the_name_are_not_the_speaker():
    text = ('"The road was cleared by noon," said Army Capt. Christian Pardo. '
            '"Nobody was hurt," said Pentagon spokesman Jeff Davis.')
    assert _direct(text, ("Army Capt", "ORG", "Army Capt"), ("Christian Pardo", "PERSON", "Christian Pardo"),
                   ("Pentagon", "ORG", "Pentagon"), ("Jeff Davis", "PERSON", "Jeff Davis")) == [
        ("The road was cleared by noon,", "Christian Pardo", "title"), ("Nobody was hurt,", "Jeff Davis", "title")]


def test_an_affiliation_after_the_name_is_left_out_of_the_speaker():
    text = "\u201cThe arrests must stop,\u201d Meenakshi Ganguly of Human Rights Watch said in a statement."
    assert _direct(text, ("Meenakshi Ganguly", "PERSON", "Meenakshi Ganguly"),
                   ("Human Rights Watch", "ORG", "Human Rights Watch")) == [
        ("The arrests must stop,", "Meenakshi Ganguly", "title")]


def test_the_speaker_before_the_quote_with_a_colon_or_an_apposition():
    text = ("Weaver said: \u201cThe polls are wrong.\u201d "
            "Keron Blair, the group\u2019s director, told reporters, \u201cSchools need money.\u201d")
    assert _direct(text, ("Weaver", "PERSON", "Jeff Weaver"), ("Keron Blair", "PERSON", "Keron Blair")) == [
        ("The polls are wrong.", "Jeff Weaver", "name"), ("Schools need money.", "Keron Blair", "title")]


def test_the_next_quoted_sentence_carries_the_speaker():
    text = '"We are in this race," Weaver said. "We will be at the convention."'
    assert _direct(text, ("Weaver", "PERSON", "Jeff Weaver")) == [
        ("We are in this race,", "Jeff Weaver", "name"), ("We will be at the convention.", "Jeff Weaver", "carried")]


def test_a_quotation_over_paragraphs_with_single_marks_inside():
    text = ("\u201cThey told me, \u2018go home,\u2019 and I stayed,\u201d Weaver said. \u201cThe crowd was loud.\n\n"
            "\u201cThen it went quiet.\u201d\n\nThe rally ended at nine.")
    assert _direct(text, ("Weaver", "PERSON", "Jeff Weaver")) == [
        ("They told me, \u2018go home,\u2019 and I stayed,", "Jeff Weaver", "name"),
        ("The crowd was loud.", "Jeff Weaver", "carried"), ("Then it went quiet.", "Jeff Weaver", "carried")]


def test_a_partial_quote_inside_a_sentence():
    text = 'Cruz said Trump represents "New York values" and would lose Iowa.'
    assert _direct(text, ("Cruz", "PERSON", "Ted Cruz"), ("Trump", "PERSON", "Donald Trump"),
                   ("Iowa", "GPE", "Iowa")) == [("New York values", "Ted Cruz", "name")]


def test_he_is_the_last_named_speaker_when_no_one_else_was_named():
    text = ("\u201cThe count is over,\u201d Weaver said. The campaign disagreed. "
            "\u201cWe will not ask for a recount,\u201d he said.")
    assert _direct(text, ("Weaver", "PERSON", "Jeff Weaver")) == [
        ("The count is over,", "Jeff Weaver", "name"), ("We will not ask for a recount,", "Jeff Weaver", "pronoun")]


def test_he_is_left_without_a_speaker_when_two_people_could_be_him():
    text = ("\u201cThe count is over,\u201d Weaver said. Weaver later met Tad Devine. "
            "\u201cWe will not ask for a recount,\u201d he said.")
    assert _direct(text, ("Weaver", "PERSON", "Jeff Weaver"), ("Weaver", "PERSON", "Jeff Weaver"),
                   ("Tad Devine", "PERSON", "Tad Devine")) == [("The count is over,", "Jeff Weaver", "name")]


def test_a_quote_inside_a_headline_ends_with_the_headline():
    text = ("Trump: \u201cWe will build it\u201d\n\n"
            "The candidate spoke in Iowa on Monday. \u201cBelieve me,\u201d he said.")
    assert _direct(text, ("Trump", "PERSON", "Donald Trump"), ("Iowa", "GPE", "Iowa")) == [
        ("We will build it", "Donald Trump", "name"), ("Believe me,", "Donald Trump", "pronoun")]


def test_curly_and_straight_marks_give_the_same_quotes():
    curly = "\u201cThe count is over,\u201d Weaver said. \u201cWe won.\u201d"
    straight = '"The count is over," Weaver said. "We won."'
    weaver = ("Weaver", "PERSON", "Jeff Weaver")
    assert _direct(curly, weaver) == _direct(straight, weaver) == [
        ("The count is over,", "Jeff Weaver", "name"), ("We won.", "Jeff Weaver", "carried")]


def test_reported_speech_stays_a_kind_of_its_own():
    text = 'Weaver said that the campaign would go on. "We won," he added.'
    with_ids, names = _ids(("Weaver", "PERSON", "Jeff Weaver"))
    rows = find_quotes("a", text, _mentions(text, with_ids), names)
    assert [(q["kind"], q["quote"], q["speaker_source"]) for q in rows] == [
        ("reported", "the campaign would go on", "name"), ("direct", "We won,", "pronoun")]


def test_a_surname_the_model_took_for_an_organisation_is_the_article_s_person():
    text = "Jared Sexton teaches writing. \u201cIt was loud,\u201d Sexton said."
    assert _direct(text, ("Jared Sexton", "PERSON", "Jared Sexton"), ("Sexton", "ORG", "Sexton")) == [
        ("It was loud,", "Jared Sexton", "name")]


def test_a_show_named_in_quotation_marks_is_not_a_quote():
    assert _direct('Rubio said on "Meet the Press" that he would run.', RUBIO) == []


def test_a_paragraph_that_is_only_a_quote_goes_on_with_the_speaker_before():
    text = ("\u201cThe count is over,\u201d he told a meeting of the party\u2019s county officials in Des Moines.\n\n"
            "\u201cBut who will pay for it?\u201d\n\nThe meeting ended.")
    with_ids, names = _ids(("Weaver", "PERSON", "Jeff Weaver"))
    text = "Weaver spoke last. " + text
    rows = find_quotes("a", text, _mentions(text, with_ids), names)
    assert [(q["quote"], q["speaker"], q["speaker_source"]) for q in rows] == [
        ("The count is over,", "Jeff Weaver", "pronoun"), ("But who will pay for it?", "Jeff Weaver", "carried")]


def test_an_unfinished_quote_then_a_name_and_a_verb_in_the_past():
    assert _direct("\u201cGo back to Univision,\u201d Trump barked at the reporter.",
                   ("Trump", "PERSON", "Donald Trump")) == [("Go back to Univision,", "Donald Trump", "name")]


def test_a_surname_left_untagged_or_taken_for_a_place_is_the_person_named_in_full():
    text = ("Rep. Jim Jordan spoke first. \u201cThey got a deal,\u201d Jordan said. "
            "\u201cNo one else would,\u201d Kreutz wrote.")
    assert _direct(text, ("Jim Jordan", "PERSON", "Jim Jordan"), ("Jordan", "GPE", "Jordan")) == [
        ("They got a deal,", "Jim Jordan", "name")]


def test_a_sentence_ending_in_a_colon_gives_its_subject_to_the_quote():
    text = "Trump went even further in a later interview: \u201cIf he runs, he loses.\u201d"
    assert _direct(text, ("Trump", "PERSON", "Donald Trump")) == [("If he runs, he loses.", "Donald Trump", "name")]


def test_the_name_after_called_is_who_is_called_so_not_the_speaker():
    text = "Sanders called National Nurses United \u201cone of the sponsors of my campaign.\u201d"
    assert _direct(text, ("Sanders", "PERSON", "Bernie Sanders"), ("National Nurses United", "ORG", "NNU")) == [
        ("one of the sponsors of my campaign.", "Bernie Sanders", "name")]


def test_a_title_mention_does_not_speak_in_the_body():
    # A title mention's offsets (37-43) would otherwise place "Peskov" right before "said that" in clean_text.
    text = "Putin, said to be tired, left. Later it was said that the talks were useful."
    articles = pa.table({"article_id": ["a"], "clean_text": [text]})
    mentions = pa.Table.from_pylist([{"article_id": "a", "field": "title", "start_char": 37, "end_char": 43,
                                      "text": "Peskov", "label": "PERSON", "entity_id": PESKOV}])
    entities = pa.table({"entity_id": [PESKOV], "name": ["Dmitry Peskov"], "label": ["PERSON"]})
    assert quotes(articles, mentions, entities).to_pylist() == []
