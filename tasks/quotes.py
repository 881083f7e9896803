"""Quotes: articles and their resolved mentions in; who said what, with offsets, out.

Two kinds, read from the text and the entity mentions, without a parser:
- direct: every passage in quotation marks, straight or curly (a paragraph left open runs to its
  end, and the next paragraph that opens with a mark goes on with it; single marks inside are
  quotes within the quote). Its speaker is found through a speech verb around it, in either
  order ("...," Rubio said / "...," said Sen. Marco Rubio (R-Fla.) / Rubio said: "..." / Rubio
  insisted that he was "..."), else carried from the quote before it in the paragraph
  ("A," Weaver said. "B.") or the paragraph before, else "he"/"she": the one person named since
  the last named speaker, or that speaker; nobody when two could be meant. `speaker_source` says
  which: name, title (the name came with a title, an apposition or an affiliation), carried, pronoun.
- reported: a person or organisation, then a speech verb ("Putin said that ..."): the rest of
  the sentence.
The speaker is the mention's canonical entity; a quote whose speaker is not found is left out.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

import pyarrow as pa

from tasks.entities import PERSON_TITLES, SENTENCE_END, TITLES

QUOTE_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("start_char", pa.int32()), ("end_char", pa.int32()), ("quote", pa.string()),
    ("speaker", pa.string()), ("speaker_entity_id", pa.string()), ("kind", pa.string()),
    ("speaker_source", pa.string()),
])
SPEAKER_LABELS = {"PERSON", "ORG"}
SPEECH_VERB = re.compile(
    r"\b(?:(?:has|had|have|also|then|later|previously)\s+)*(?:said|says|told(?:\s+(?!that\b)\w+){1,2}|added|stated|"
    r"noted|warned|stressed|insisted|claimed|argued|explained|declared|announced|emphasi[sz]ed)\b")
# Verbs that introduce or follow the words in quotation marks.
CUE_VERB = re.compile(
    r"\b(?:say|says|said|saying|tell|tells|told|telling|add|adds|added|adding|write|writes|wrote|writing|"
    r"tweet(?:s|ed)?|post(?:s|ed)|ask(?:s|ed)|continu(?:es|ed)|explain(?:s|ed)|argu(?:es|ed)|insist(?:s|ed)|"
    r"not(?:es|ed)|warn(?:s|ed|ing)|sp(?:oke|eaks) (?:of|about)|declar(?:es|ed)|recall(?:s|ed)|remark(?:s|ed)|"
    r"repl(?:ies|ied)|respond(?:s|ed)|"
    r"jok(?:es|ed)|quipp?(?:s|ed)|conced(?:es|ed)|acknowledg(?:es|ed)|admitt?(?:s|ed)|predict(?:s|ed)|"
    r"stat(?:es|ed)|announc(?:es|ed)|complain(?:s|ed)|conten(?:ds|ded)|counter(?:s|ed)|observ(?:es|ed)|"
    r"suggest(?:s|ed)|urg(?:es|ed)|stress(?:es|ed)|emphasi[sz](?:es|ed)|claim(?:s|ed)|vow(?:s|ed)|"
    r"promis(?:es|ed|ing)|pledg(?:es|ed|ing)|boast(?:s|ed|ing)|vowing|insisting|arguing|noting|claiming|"
    r"conclud(?:es|ed)|assert(?:s|ed)|explain(?:s|ed)|told|wonder(?:s|ed)|"
    r"yell(?:s|ed)|shout(?:s|ed)|call(?:s|ed|ing)|describ(?:es|ed|ing)|assur(?:es|ed)|recount(?:s|ed)|"
    r"reflect(?:s|ed)|testifi(?:es|ed)|lament(?:s|ed)|mus(?:es|ed)|chim(?:es|ed) in|went on|"
    r"agree(?:s|d)|according to)\b")
PRONOUN = re.compile(r"\b(?:he|she)\s*$", re.IGNORECASE)
PRONOUN_SUBJECT = re.compile(r"^\W*(?:he|she)\W*$", re.IGNORECASE)
CLOSING_MARKS, STRAIGHT = "”", '"'
QUOTATION_MARK = re.compile('[“„”"]')
# Words after "said" that start a phrase about the saying, not what was said.
NOT_A_CLAUSE = {"in", "on", "at", "during", "after", "before", "to", "on", "by", "from", "with", "of", "for",
                "as", "according", "through", "via", "yesterday", "today", "earlier", "later", "last", "this"}
# Between a speaker and its verb: nothing, or an appositive set off by commas.
MAX_GAP = 120
# Between a speaker's name and the verb: an adverb, a party label "(R-Fla.)", an appositive set off by
# commas, or an affiliation "of Human Rights Watch"; anything else (", a Clinton aide said") is not the subject.
NAME_TO_VERB = re.compile(r"^\s*(?:\([^()]{1,40}\)\s*)?"
                          r"(?:,[^;:“”\"]{1,120},\s*|of(?: [A-Z][\w.&'’-]*| the| and| for)+\s*)?"
                          r"(?:\w+ly\s+|also\s+|later\s+|then\s+|has\s+|had\s+|once\s+|again\s+|previously\s+|"
                          r"would\s+|will\s+)*$")
# Between the verb and a speaker named after it: titles and descriptions, no clause break.
VERB_TO_NAME = re.compile(r"^(?![^;:,“”\"()]*\b(?:that|if|whether|how|what|why|on|in|at|to|from|during|with|of|"
                          r"for|about|by|after|before|when|while|as|because|it|this|they|we|I|you)\b)"
                          r"[^;:,“”\"()]{0,60}$")
# After a name, words that go on with the noun phrase ("Pentagon spokesman", "Clinton aide") rather than end it.
NAME_GOES_ON = re.compile(r"\s+(?!(?:of|who|in|on|at|during|to|after|while|when|before|as|from|with|via|and|"
                          r"told|said|says|added|wrote)\b)(?:[a-z]|[A-Z]\w*\s+[A-Z])")
SMALL_WORDS = {"a", "an", "and", "the", "of", "in", "on", "for", "to", "at", "with", "or", "&"}
# Between a rank or an organisation and the name it comes before ("Army Capt. Christian Pardo").
TITLE_GAP = re.compile(r"\.?\s+(?:[a-z]+\s+|[A-Z][\w.]*\s+){0,3}")
# A frame beside a quote holds at most this many words: more is a sentence of its own, not an attribution.
MAX_FRAME_WORDS = 14
TITLE_WORDS = TITLES | PERSON_TITLES
# Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = TITLE_WORDS | {
    "st", "jr", "sr", "rev", "gen", "sgt", "adm", "cmdr", "maj", "u.s", "no", "vs", "jan", "feb", "aug", "sept", "oct",
    "nov", "dec", "ala", "ariz", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "ky", "la", "mass",
    "md", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore", "pa", "tenn", "tex", "va", "vt", "wash",
    "wis"}


@dataclass
class Quotation:
    """A passage in quotation marks: its words' offsets, and whether its mark was closed in the paragraph."""
    start: int
    end: int
    closed: bool
    paragraph_start: int


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


def quotations(text: str) -> list[Quotation]:
    """Every passage in double quotation marks; one left open runs to the end of its paragraph."""
    found = []
    for paragraph_start, paragraph_end in _paragraphs(text):
        opened_at = None
        for found_mark in QUOTATION_MARK.finditer(text, paragraph_start, paragraph_end):
            position, mark = found_mark.start(), found_mark.group()
            if opened_at is None:
                # A closing mark where a quote cannot be open is a misprinted opening one when a word follows it.
                if mark in CLOSING_MARKS and not (position + 1 < paragraph_end and text[position + 1].isalnum()
                                                  and (position == paragraph_start or text[position - 1].isspace())):
                    continue
                opened_at = position + 1
            elif mark in CLOSING_MARKS or mark == STRAIGHT or not text[position - 1].isspace():
                found.append(_trimmed(text, opened_at, position, True, paragraph_start))
                opened_at = None
        if opened_at is not None:
            found.append(_trimmed(text, opened_at, paragraph_end, False, paragraph_start))
    return [quotation for quotation in found if quotation.end > quotation.start]


def _trimmed(text: str, start: int, end: int, closed: bool, paragraph_start: int) -> Quotation:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Quotation(start, end, closed, paragraph_start)


def _masked(text: str, found: list[Quotation]) -> str:
    """The text with every quotation's words blanked out: the frame around quotes, to read cues in."""
    chars = list(text)
    for quotation in found:
        # A quote's closing full stop stays: it ends the sentence ('..." And Sen. Portman said' is another one).
        kept = 1 if text[quotation.end - 1] == "." else 0
        chars[quotation.start:quotation.end - kept] = "X" * (quotation.end - quotation.start - kept)
    return "".join(chars)


def _sentence_ends(masked: str, start: int, end: int):
    """Full stops that end a sentence: not those of "Rep.", "Mr." or an initial ("Elijah E. Cummings")."""
    for match in SENTENCE_END.finditer(masked, start, end):
        word = re.search(r"(\w+)\W*$", masked[max(0, match.start() - 12):match.start() + 1])
        if masked[match.start()] == "." and word and (
                word.group(1).lower() in ABBREVIATIONS or len(word.group(1)) == 1):
            continue
        yield match


def _sentence_start(masked: str, position: int, floor: int) -> int:
    starts = [m.end() for m in _sentence_ends(masked, floor, position + 2) if m.end() <= position]
    return starts[-1] if starts else floor


def _sentence_end(masked: str, position: int, ceiling: int) -> int:
    end = next(_sentence_ends(masked, position, ceiling), None)
    return end.start() + 1 if end else ceiling


def _persons(mentions: list[dict], start: int, end: int, text: str) -> list[dict]:
    """Names inside [start, end) that can be a speaker, not a possessor ("Clinton's top aide").

    A surname the model took for an organisation ("Sexton said") is still the speaker: the cue
    verb beside it says it is someone.
    """
    first = bisect.bisect_left(mentions, start, key=lambda m: m["start_char"])   # mentions are in text order
    last = bisect.bisect_left(mentions, end, lo=first, key=lambda m: m["start_char"])
    return [m for m in mentions[first:last] if m["label"] in SPEAKER_LABELS and m["end_char"] <= end
            and not re.match(r"['’]s?\b", text[m["end_char"]:m["end_char"] + 2])]


def _source(mention: dict, text: str) -> str:
    """'title' when the name comes with a title, an apposition or an affiliation; 'name' when bare."""
    before = re.search(r"([\w.]+)[ \t]+$", text[max(0, mention["start_char"] - 30):mention["start_char"]])
    word = before.group(1) if before else ""
    # A title ("Sen.", "spokesman") or a description ("attorney"); not the verb, an article or a sentence's end.
    titled = word.lower().rstrip(".") in TITLE_WORDS or (
        word.islower() and not word.endswith(".") and word not in {"the", "a", "an"} and not CUE_VERB.fullmatch(word))
    followed = re.match(r"\s*(?:\(|, (?!\w+ing\b)|of )", text[mention["end_char"]:mention["end_char"] + 12])
    return "title" if titled or followed else "name"


def _subject_before(verb_start: int, floor: int, mentions: list[dict], text: str, masked: str):
    """The speaker named before a cue verb at `verb_start`: (mention, source), ('pronoun', None) or None."""
    for mention in reversed(_persons(mentions, floor, verb_start, text)):
        if re.search(r"\b(?:of|for|at|with|from)\s+(?:the\s+)?$",
                     text[max(0, mention["start_char"] - 12):mention["start_char"]]):
            continue   # "Meenakshi Ganguly of Human Rights Watch said": the organisation is her affiliation
        if NAME_TO_VERB.match(masked[mention["end_char"]:verb_start]):
            return mention, _source(mention, text)
    if PRONOUN.search(masked[floor:verb_start]) and PRONOUN_SUBJECT.match(
            re.sub(r"^.*[,:;]", "", masked[floor:verb_start], flags=re.S) or ""):
        return "pronoun", None
    return None


def _subject_after(verb_end: int, ceiling: int, mentions: list[dict], text: str, masked: str):
    """The speaker named right after a cue verb ("said Judicial Watch president Tom Fitton")."""
    # The name that ends the phrase after the verb: "said Pentagon spokesman Jeff Davis" is Davis.
    named = _persons(mentions, verb_end, ceiling, text)
    after = [m for m, following in zip(named, named[1:] + [None])
             if not NAME_GOES_ON.match(text[m["end_char"]:m["end_char"] + 30])
             and not (following and TITLE_GAP.fullmatch(text[m["end_char"]:following["start_char"]]))][:1]
    if after and VERB_TO_NAME.match(masked[verb_end:after[0]["start_char"]]) and next(
            _sentence_ends(masked, verb_end, after[0]["start_char"]), None) is None:
        gap = masked[verb_end:after[0]["start_char"]]
        return after[0], "title" if gap.strip() else _source(after[0], text)
    if re.match(r"\s+(?:he|she)\s*(?:[,.:]|$)", masked[verb_end:ceiling], re.IGNORECASE):
        return "pronoun", None
    return None


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _trailing_speaker(quotation: Quotation, text: str, masked: str, mentions: list[dict], ceiling: int):
    """'...," Rubio said.' / '...," said Rubio': the frame right after the closing mark."""
    if text[quotation.end - 1] == ".":
        return None   # the quote ended its sentence: what follows is another
    frame_end = min(_sentence_end(masked, quotation.end + 1, ceiling),
                    _next_opening(masked, quotation.end + 1, ceiling))
    verb = CUE_VERB.search(masked, quotation.end + 1, frame_end)
    if verb is None or _words(masked[quotation.end + 1:verb.start()]) > MAX_FRAME_WORDS:
        return _name_and_any_verb(quotation, text, mentions)
    before = masked[quotation.end + 1:verb.start()]
    if before.strip(" ,—–-\u00a0"):
        return _subject_before(verb.start(), quotation.end + 1, mentions, text, masked)
    return _subject_after(verb.end(), frame_end, mentions, text, masked)


def _name_and_any_verb(quotation: Quotation, text: str, mentions: list[dict]):
    """'"Go back to Univision," Trump barked': an unfinished quote, then a name and a verb in the past."""
    if text[quotation.end - 1] not in ",?!—-":
        return None
    frame = re.match(r"[”\"][ \t]+", text[quotation.end:quotation.end + 4])
    start = quotation.end + frame.end() if frame else -1
    name = next((m for m in _persons(mentions, start, start + 60, text) if m["start_char"] == start), None)
    if name and re.match(r"\s+[a-z]+ed\b", text[name["end_char"]:name["end_char"] + 20]):
        return name, "name"
    return None


def _next_opening(masked: str, position: int, ceiling: int) -> int:
    opening = re.compile(r"[“„\"]").search(masked, position, ceiling)
    return opening.start() if opening else ceiling


def _leading_speaker(quotation: Quotation, text: str, masked: str, mentions: list[dict]):
    """'Rubio said: "..."' / 'Rubio insisted that he was "..."': the cue verb before the quote in its sentence."""
    opening = quotation.start - 1
    sentence_start = _sentence_start(masked, opening, quotation.paragraph_start)
    verbs = list(CUE_VERB.finditer(masked, sentence_start, opening))
    if not verbs:
        found = _name_and_colon(sentence_start, opening, mentions, text)
        if found is None and re.search(r":\s*$", masked[sentence_start:opening]):
            found = _sentence_subject(sentence_start, opening, mentions, text)   # 'Trump went further: "...'
        return found
    verb = verbs[-1]
    # 'called National Nurses United "one of ..."': the name after "called" is who is called so.
    after = None if verb.group().startswith("call") else _subject_after(verb.end(), opening, mentions, text, masked)
    return (_subject_before(verb.start(), sentence_start, mentions, text, masked)
            or after
            or _sentence_subject(sentence_start, verb.start(), mentions, text))


def _name_and_colon(sentence_start: int, opening: int, mentions: list[dict], text: str):
    """'Trump: "We will win"' (a headline's way): a name opening the sentence, a colon, the quote."""
    named = _persons(mentions, sentence_start, opening, text)
    if named and re.fullmatch(r"\W*(?:[A-Z][\w.]*\s+){0,3}", text[sentence_start:named[-1]["start_char"]]) and \
            re.fullmatch(r"\s*(?:\([^()]{1,40}\)\s*)?:\s*", text[named[-1]["end_char"]:opening]):
        return named[-1], _source(named[-1], text)
    return None


def _sentence_subject(sentence_start: int, verb_start: int, mentions: list[dict], text: str):
    """'Trump returned ... and declared, "...': the person the sentence opens with, when no other is named
    before the verb or none of them opens a clause of its own."""
    persons = _persons(mentions, sentence_start, verb_start, text)
    opens = persons and re.fullmatch(r"\W*(?:[A-Z][a-z]+,\s+)?(?:[A-Z][\w.]*\s+){0,3}",
                                     text[sentence_start:persons[0]["start_char"]])
    if opens and (
            len({m["entity_id"] for m in persons}) == 1
            or not re.search(r"\b(?:who|whom|which|that|while|when|after|before|because|but|and)\b",
                             text[persons[0]["end_char"]:verb_start])):
        return persons[0], _source(persons[0], text)
    return None


def _ends_sentence_with_cue(quotation: Quotation, text: str, masked: str, mentions: list[dict], ceiling: int):
    """'the "bad angels" of human nature, McCain said.': a cue closing the sentence the quote sits in."""
    end = _sentence_end(masked, quotation.end + 1, ceiling)
    tail = re.search(r",\s*([^,]{0,80})$", masked[quotation.end + 1:end].rstrip(" .!?\u00a0"))
    if not tail:
        return None
    tail_start = quotation.end + 1 + tail.start(1)
    verb = CUE_VERB.search(masked, tail_start, end)
    if verb is None:
        return None
    if masked[tail_start:verb.start()].strip():
        return _subject_before(verb.start(), tail_start, mentions, text, masked)
    return _subject_after(verb.end(), end, mentions, text, masked)


def _paragraph_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end < 0 else end


def direct_quotes(text: str, mentions: list[dict]) -> list[tuple]:
    """Quoted passages with their speakers: (start, end, speaker mention, 'direct', speaker_source)."""
    found = quotations(text)
    masked = _masked(text, found)
    # People named outside quotation marks: who "he" can be (a name inside a quote is the speaker's word).
    persons = [m for m in mentions if m["label"] == "PERSON" and masked[m["start_char"]] == text[m["start_char"]]]
    rows = []
    previous: tuple | None = None       # (quotation, speaker mention) of the last attributed quote
    last_named: tuple | None = None     # (position, speaker mention) of the last quote attributed by a name
    for quotation in found:
        ceiling = _paragraph_end(text, quotation.end)
        speaker = (_trailing_speaker(quotation, text, masked, mentions, ceiling)
                   or _leading_speaker(quotation, text, masked, mentions)
                   or _ends_sentence_with_cue(quotation, text, masked, mentions, ceiling))
        if _introduces_the_next(quotation, text, masked, ceiling):
            # '... with, "Why now?" Mills then writes back, "...': the frame after a question is the next quote's
            speaker = _leading_speaker(quotation, text, masked, mentions) or speaker
        if speaker is None:
            speaker = _signed(quotation, text, mentions) or _cue_sentence_before(quotation, text, masked, mentions)
        if speaker and speaker[0] == "pronoun":
            speaker = _pronoun_speaker(quotation.start, last_named, persons)
        elif speaker is None and previous and _goes_on(previous[0], quotation, text, masked) \
                and not _has_own_cue(quotation, masked, ceiling):
            speaker = (previous[1], "carried")
        if speaker is None or _names_a_work(quotation, text):
            continue
        mention, source = speaker
        rows.append((quotation.start, quotation.end, mention, "direct", source))
        previous = (quotation, mention)
        if source in ("name", "title"):
            last_named = (quotation.start, mention)
    return rows


def _signed(quotation: Quotation, text: str, mentions: list[dict]):
    """'"..." ― Ariana Huichapa': a name after a dash, closing the quote's paragraph or as the next one."""
    after = re.match(r"[”\"]?[ \t]*\n?\s*[―—–-]+\s*", text[quotation.end:quotation.end + 12])
    if not after:
        return None
    start = quotation.end + after.end()
    name = next((m for m in mentions if m["start_char"] == start and m["label"] in SPEAKER_LABELS), None)
    if name and re.match(r"[\W\d]*?(?:\n|$)", text[name["end_char"]:name["end_char"] + 40]):
        return name, "name"
    return None


def _cue_sentence_before(quotation: Quotation, text: str, masked: str, mentions: list[dict]):
    """'Sam Lau ... said in a statement. "There are ..."': a quote opening a sentence after one that
    ends on its speaker's cue, in the same paragraph or the one before ending with a colon."""
    before = masked[quotation.paragraph_start:quotation.start - 1].rstrip()
    if before:
        floor, end = quotation.paragraph_start, quotation.paragraph_start + len(before)
    else:
        end = len(masked[:quotation.paragraph_start].rstrip())
        floor = masked.rfind("\n", 0, end) + 1
    if not masked[:end].endswith((":", ".")) or not before and not masked[:end].endswith(":"):
        return None
    start = _sentence_start(masked, end - 1, floor)
    if "X" * 3 in masked[start:end]:
        return None   # a sentence with a quote of its own
    verbs = list(CUE_VERB.finditer(masked, start, end))
    if not verbs or _words(masked[verbs[-1].end():end]) > 6:
        return None
    found = _subject_before(verbs[-1].start(), start, mentions, text, masked) or _subject_after(
        verbs[-1].end(), end, mentions, text, masked)
    return (found[0], "carried") if found and found[0] != "pronoun" else found


def _names_a_work(quotation: Quotation, text: str) -> bool:
    """'said on "Meet the Press."': a short title-case passage after a preposition names a show or a book."""
    words = text[quotation.start:quotation.end].split()
    return len(words) <= 6 and all(word[0].isupper() or word in SMALL_WORDS for word in words) and bool(
        re.search(r"\b(?:on|in|at|to|of|for|from|with|via|about)\s+(?:\w+['’]s\s+|the\s+)?\W$",
                  text[max(0, quotation.start - 30):quotation.start]))


def _introduces_the_next(quotation: Quotation, text: str, masked: str, ceiling: int) -> bool:
    """A question or exclamation followed by a frame that leads into the next quote ('Mills writes back, "')."""
    if text[quotation.end - 1] not in "?!":
        return False
    after = masked[quotation.end + 1:_next_opening(masked, quotation.end + 1, ceiling)]
    return _next_opening(masked, quotation.end + 1, ceiling) < ceiling and bool(re.search(r"[,:]\s*$", after))


def _has_own_cue(quotation: Quotation, masked: str, ceiling: int) -> bool:
    """'"...," Kreutz wrote': a quote with an attribution of its own, even one naming no one we know."""
    if masked[quotation.end - 1] == ".":
        return False
    frame_end = min(_sentence_end(masked, quotation.end + 1, ceiling),
                    _next_opening(masked, quotation.end + 1, ceiling))
    verb = CUE_VERB.search(masked, quotation.end + 1, frame_end)
    return verb is not None and _words(masked[quotation.end + 1:verb.start()]) <= 4


def _goes_on(earlier: Quotation, later: Quotation, text: str, masked: str) -> bool:
    """The later quote is the same speaker's next words: in the same paragraph with no sentence of the
    writer's own between, or opening the next paragraph, after one left open (a quotation running over
    paragraphs) or one whose quote is followed only by its attribution."""
    if later.paragraph_start == earlier.paragraph_start:
        return not any(len(masked[end.end():later.start].strip()) >= 40
                       for end in _sentence_ends(masked, earlier.end, later.start))
    between = text[earlier.end:later.start]
    if masked[later.paragraph_start:later.start - 1].strip() or between.count("\n") > 2:
        return False
    if not earlier.closed:
        return True
    rest = masked[earlier.end + 1:later.paragraph_start].strip()
    return not re.search(r"\w", rest) or (CUE_VERB.search(rest) is not None and _words(rest) <= 2 * MAX_FRAME_WORDS
                                          and next(_sentence_ends(rest + " X", 0, len(rest) - 1), None) is None)


def _pronoun_speaker(position: int, last_named: tuple | None, persons: list[dict]):
    """"he"/"she": the one person named (outside quotes) since the last named speaker, or that speaker
    when no one was; nobody when two people could be meant."""
    since, speaker = (last_named[1]["end_char"], last_named[1]) if last_named else (0, None)
    first = bisect.bisect_left(persons, since, key=lambda m: m["start_char"])
    named = persons[first:bisect.bisect_left(persons, position, lo=first, key=lambda m: m["start_char"])]
    if len({m["entity_id"] for m in named}) == 1:
        return named[-1], "pronoun"
    return (speaker, "pronoun") if speaker and not named else None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: a sentence ends at its full stop, or at a blank line before a capital."""
    # Wire copy breaks lines mid-sentence, blank lines too: a lower-case word after one goes on the sentence.
    paragraph_ends = {match.end() for match in re.finditer(r"\n\s*\n\s*(?![a-z])", text)}
    ends = sorted({match.end() for match in SENTENCE_END.finditer(text)} | paragraph_ends)
    starts = [0] + ends
    return list(zip(starts, starts[1:] + [len(text)]))


def _speaker_before(position: int, floor: int, mentions: list[dict], text: str) -> dict | None:
    """The speaker of a verb at `position`: a mention just before it, or "he"/"she" for the last person."""
    before = [m for m in mentions if m["label"] in SPEAKER_LABELS and floor <= m["start_char"]
              and m["end_char"] <= position]
    for candidate in reversed(before):  # nearest first; a mention inside an appositive is passed over
        gap = text[candidate["end_char"]:position]
        if not gap.strip() or (gap.lstrip().startswith(",") and len(gap) <= MAX_GAP and gap.rstrip().endswith(",")):
            return candidate
    if PRONOUN.search(text[floor:position]):
        persons = [m for m in mentions if m["label"] == "PERSON" and m["end_char"] <= position]
        return persons[-1] if persons else None
    return None


def _clause_start(text: str, verb_end: int, sentence_end: int, bare_clause: bool) -> int | None:
    """Where the reported clause after a speech verb starts: after ':', ',' or 'that', or right away."""
    rest = text[verb_end:sentence_end]
    opened = re.match(r"\s*[:,]\s*", rest)
    if opened:
        return verb_end + opened.end()
    that = re.search(r"\bthat\s+", rest[:60])
    if that:
        return verb_end + that.end()
    first_word = re.match(r"\s*(\w+)", rest)
    if bare_clause and first_word and first_word.group(1).lower() not in NOT_A_CLAUSE:
        return verb_end + first_word.start(1)
    return None


def reported_quotes(text: str, mentions: list[dict]) -> list[tuple]:
    """'X said (that) ...' quotes: (start, end, speaker mention, 'reported', speaker_source)."""
    found = []
    for start, end in sentence_spans(text):
        for verb in SPEECH_VERB.finditer(text, start, end):
            speaker = _speaker_before(verb.start(), start, mentions, text)
            quote_start = _clause_start(text, verb.end(), end, "told" not in verb.group().split())
            if speaker is None or quote_start is None:
                continue
            quote_end = quote_start + len(text[quote_start:end].rstrip().rstrip("."))
            if len(text[quote_start:quote_end].split()) >= 3:
                source = "name" if speaker["end_char"] <= verb.start() and not text[
                    speaker["end_char"]:verb.start()].strip() else "title"
                if PRONOUN.search(text[start:verb.start()]) and speaker["end_char"] < start:
                    source = "pronoun"
                found.append((quote_start, quote_end, speaker, "reported", source))
                break
    return found


def find_quotes(article_id: str, text: str, mentions: list[dict], names: dict[str, str]) -> list[dict]:
    """Quote rows of one article; `mentions` in text order, `names` entity_id -> canonical name."""
    direct = direct_quotes(text, _with_surnames(text, mentions, names))
    reported = [q for q in reported_quotes(text, mentions)
                if not any(d[0] < q[1] and q[0] < d[1] for d in direct)]  # a direct quote says it better
    rows, full_names = [], _full_names(mentions, names)
    for start, end, speaker, kind, source in sorted(direct + reported, key=lambda q: q[0]):
        speaker_id = _person_named(speaker, full_names, names)
        rows.append({"article_id": article_id, "start_char": start, "end_char": end, "quote": text[start:end],
                     "speaker": names[speaker_id], "speaker_entity_id": speaker_id, "kind": kind,
                     "speaker_source": source})
    return rows


def _with_surnames(text: str, mentions: list[dict], names: dict[str, str]) -> list[dict]:
    """The mentions, plus the surname of a person the article names in full wherever the model left it
    untagged or took it for a place ("Jordan said" after "Rep. Jim Jordan"): the speaker beside a cue."""
    people: dict[str, set[str]] = {}
    for mention in mentions:
        if mention["entity_id"] is None:   # a number, amount or date: no one's name
            continue
        words = names[mention["entity_id"]].split()
        if mention["label"] == "PERSON" and 1 < len(words) <= 4:
            people.setdefault(words[-1], set()).add(mention["entity_id"])
    surname = {word: ids.pop() for word, ids in people.items() if len(ids) == 1}
    if not surname:
        return mentions
    kept, added, at = [], [], 0
    for word in re.finditer(r"\b[A-Z][\w'’-]+\b", text):
        if word.group() not in surname:
            continue
        while at < len(mentions) and mentions[at]["end_char"] <= word.start():
            at += 1
        covering = mentions[at] if at < len(mentions) and mentions[at]["start_char"] <= word.start() else None
        if covering is None or covering["label"] not in SPEAKER_LABELS and covering["text"] == word.group():
            added.append({"start_char": word.start(), "end_char": word.end(), "text": word.group(),
                          "label": "PERSON", "entity_id": surname[word.group()]})
            kept.append(covering)
    replaced = {id(m) for m in kept if m is not None}
    return sorted([m for m in mentions if id(m) not in replaced] + added, key=lambda m: m["start_char"])


def _full_names(mentions: list[dict], names: dict[str, str]) -> dict[str, Counter]:
    """Surname -> how often the article names each full name ending in it ("Jared Sexton"; not "X. Sexton")."""
    by_surname: dict[str, Counter] = {}
    for mention in mentions:
        if mention["entity_id"] is None:
            continue
        words = names[mention["entity_id"]].split()
        if mention["label"] in SPEAKER_LABELS and 1 < len(words) <= 4 and len(words[0].rstrip(".")) > 1:
            by_surname.setdefault(words[-1], Counter())[mention["entity_id"]] += 1
    return by_surname


def _person_named(speaker: dict, full_names: dict[str, Counter], names: dict[str, str]) -> str:
    """The speaker's canonical entity: a surname the model took for an organisation ("Sexton said") is
    the article's most named person with that surname ("Jared Sexton"), when one is named most."""
    if speaker["label"] == "PERSON" and " " in names[speaker["entity_id"]]:
        return speaker["entity_id"]
    ranked = full_names.get(names[speaker["entity_id"]].split()[-1], Counter()).most_common(2)
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0]
    return speaker["entity_id"]



def quotes(articles: pa.Table, mentions: pa.Table, entities: pa.Table) -> pa.Table:
    """Quotes of every article of the batch, speakers resolved to the batch's canonical entities."""
    names = dict(zip(entities["entity_id"].to_pylist(), entities["name"].to_pylist()))
    by_article: dict[str, list[dict]] = {}
    for mention in sorted(mentions.to_pylist(), key=lambda m: (m["article_id"], m["start_char"])):
        if (mention.get("field") or "body") == "body":   # quotes are read in clean_text: its mentions speak
            by_article.setdefault(mention["article_id"], []).append(mention)
    rows = []
    for article_id, text in zip(articles["article_id"].to_pylist(), articles["clean_text"].to_pylist()):
        rows.extend(find_quotes(article_id, text, by_article.get(article_id, []), names))
    return pa.Table.from_pylist(rows, schema=QUOTE_SCHEMA)
