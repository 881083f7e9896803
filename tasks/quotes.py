"""Quotes: articles and their resolved mentions in; who said what, with offsets, out.

Two forms, both read from the text and the entity mentions, without a parser:
- reported: a person or organisation, then a speech verb ("Putin said that ...", "Peskov, the
  Kremlin's spokesman, told reporters ..."): the quote is the rest of the sentence;
- direct: a passage in quotation marks with its speaker named next to it (“...,” said Peskov /
  Peskov said: “...”), or "he"/"she" for the last person the article named.
The speaker is the mention's canonical entity; a quote whose speaker is not found is left out.
"""

from __future__ import annotations

import re

import pyarrow as pa

from tasks.entities import SENTENCE_END

QUOTE_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("start_char", pa.int32()), ("end_char", pa.int32()), ("quote", pa.string()),
    ("speaker", pa.string()), ("speaker_entity_id", pa.string()), ("kind", pa.string()),
])
SPEAKER_LABELS = {"PERSON", "ORG"}
SPEECH_VERB = re.compile(
    r"\b(?:(?:has|had|have|also|then|later|previously)\s+)*(?:said|says|told(?:\s+(?!that\b)\w+){1,2}|added|stated|"
    r"noted|warned|stressed|insisted|claimed|argued|explained|declared|announced|emphasi[sz]ed)\b")
PRONOUN = re.compile(r"\b(?:he|she)\s*$", re.IGNORECASE)
DIRECT_QUOTE = re.compile(r"[“\"]([^”\"\n]{12,}?)[”\"]")
# Words after "said" that start a phrase about the saying, not what was said.
NOT_A_CLAUSE = {"in", "on", "at", "during", "after", "before", "to", "on", "by", "from", "with", "of", "for",
                "as", "according", "through", "via", "yesterday", "today", "earlier", "later", "last", "this"}
# Between a speaker and its verb: nothing, or an appositive set off by commas.
MAX_GAP = 120


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


def _speaker_after(position: int, mentions: list[dict], text: str) -> dict | None:
    """The speaker of ' said Peskov' right after a closing quotation mark."""
    verb = re.match(r"\s*,?\s*(?:said|says|added)\s+", text[position:position + 40])
    if not verb:
        return None
    after = [m for m in mentions if m["label"] in SPEAKER_LABELS and m["start_char"] >= position + verb.end()
             and m["start_char"] <= position + verb.end() + 40]
    return after[0] if after else None


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


def reported_quotes(text: str, mentions: list[dict]) -> list[dict]:
    """'X said (that) ...' quotes: (start, end, speaker mention)."""
    found = []
    for start, end in sentence_spans(text):
        for verb in SPEECH_VERB.finditer(text, start, end):
            speaker = _speaker_before(verb.start(), start, mentions, text)
            quote_start = _clause_start(text, verb.end(), end, "told" not in verb.group().split())
            if speaker is None or quote_start is None:
                continue
            quote_end = quote_start + len(text[quote_start:end].rstrip().rstrip("."))
            if len(text[quote_start:quote_end].split()) >= 3:
                found.append((quote_start, quote_end, speaker, "reported"))
                break
    return found


def direct_quotes(text: str, mentions: list[dict]) -> list[dict]:
    """Quoted passages with a speaker next to them: (start, end, speaker mention)."""
    found = []
    for match in DIRECT_QUOTE.finditer(text):
        speaker = _speaker_after(match.end(), mentions, text)
        if speaker is None:
            sentence_start = max(start for start, _ in sentence_spans(text[:match.start() + 1]))
            verbs = list(SPEECH_VERB.finditer(text, sentence_start, match.start()))
            if verbs and not text[verbs[-1].end():match.start()].strip(" ,:that"):
                speaker = _speaker_before(verbs[-1].start(), sentence_start, mentions, text)
        if speaker:
            found.append((match.start(1), match.end(1), speaker, "direct"))
    return found


def find_quotes(article_id: str, text: str, mentions: list[dict], names: dict[str, str]) -> list[dict]:
    """Quote rows of one article; `mentions` in text order, `names` entity_id -> canonical name."""
    direct = direct_quotes(text, mentions)
    reported = [q for q in reported_quotes(text, mentions)
                if not any(d[0] < q[1] and q[0] < d[1] for d in direct)]  # a direct quote says it better
    return [{"article_id": article_id, "start_char": start, "end_char": end, "quote": text[start:end],
             "speaker": names[speaker["entity_id"]], "speaker_entity_id": speaker["entity_id"], "kind": kind}
            for start, end, speaker, kind in sorted(direct + reported, key=lambda q: q[0])]


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
