"""Clean: documents in; articles with clean text, title, byline, dateline, credits and date out.

Works line by line on the raw text: lines that are not the story (share buttons, ads, comment
counters, credits, date and "Published" lines) are set aside, bylines, datelines, credits and
agency sign-offs become fields, the title is found, and the story's lines are joined into
clean_text. Date strings found on the way are ranked by tasks/dates.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

import pyarrow as pa

from tasks.dates import DATE_PATTERN, DateCandidate, find_date_strings, resolve_publication_date

# Lines that are never the story (matched against the whole stripped line, any case).
JUNK_LINE_PATTERNS = {
    "share button": r"(share|share (this|here|on \w+|article|story)|print|e-?mail|tweet|pin it|whatsapp|copy link)",
    "follow or subscribe": r"(follow us|subscribe|sign up|click here|read more|related (topics|articles|stories)|"
                           r"also read|see also)\b.{0,80}",
    "advertisement": r"(advertisement|sponsored( content)?|promoted|ad)|.{0,60}\b(shop (now|for your)|buy now|"
                     r"amazing products)\b.{0,60}",
    "comment counter": r"((no|\d+) comments?|(leave|add|post) a comment.*|comments? \(?\d*\)?)\.?",
    "view counter": r"(views?|count|reads)\s*:\s*\d+",
    "copyright": r"(©|\(c\)|copyright\b).{0,200}",
}
JUNK_LINE = [(rule, re.compile(pattern, re.IGNORECASE)) for rule, pattern in JUNK_LINE_PATTERNS.items()]
# Lines that credit a photo or a source: kept as fields, not as text.
CREDIT_LINE = re.compile(r"\(?\s*((?:image|photo|picture|photograph|pic)s?(?: credits?)?\s*:\s*.+?"
                         r"|based on materials from .+|source\s*:\s*.+)\s*\)?", re.IGNORECASE)
# A photo credit printed at the end of a caption: "... withdrawal. photo : AFP".
CAPTION_CREDIT = re.compile(r"\s+((?:photo|image)s?\s*:\s*[A-Z][\w.&/ -]{0,40})$", re.IGNORECASE)
PUBLISHED_LINE = re.compile(r"(first published|published|last updated|updated|posted)\b\s*(on|at)?\s*[:\-]?",
                            re.IGNORECASE)
# " date 2021-08-23 Following the Taliban..." as some scrapers glue it to the first paragraph.
DATE_PREFIX = re.compile(r"\s*date\s+(\d{4}-\d{2}-\d{2})\s+")
BYLINE = re.compile(r"(?i:by)\s+([A-Z][\w.'-]+(?:\s+(?:[A-Z][\w.'-]+|and|&)){0,5})(\s*[,|].{0,60})?")
AGENCIES = r"REUTERS?|AFP|AP|TASS|XINHUA|UPI|DPA|ANI|PTI|IANS|BLOOMBERG"
AGENCY_SIGNOFF = re.compile(rf"\s*[-–—]+\s*({AGENCIES})\s*$|^\s*\(?({AGENCIES}|Reuters?)\)?\s*$")
# "MOSCOW, Aug 26:" / "SALVADOR, Feb 26 -" / "ROME 1996-12-06" / "LONDON (Reuters) -" opening a paragraph.
DATELINE = re.compile(
    r"([A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){0,3}(?:, [A-Z][a-z]+\.?)?"
    r"(?:,? \(?[A-Za-z]+\)?)?"
    r"(?:,? (?:[A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?|\d{4}-\d{2}-\d{2}))?)"
    r"\s*(?:\((?:" + AGENCIES + r"|Reuters)\))?\s*[:\-–—]+\s+"
)
DATE_LINE_FILLER = re.compile(r"(?i)\b(mon|tues|wednes|thurs|fri|satur|sun)day\b|\b\d{1,2}:\d{2}(:\d{2})?\s*([ap]\.?m\.?)?"
                              r"|\b(at|on|gmt|utc|ist|et|est|edt|bst|cet|msk|[ap]\.?m\.?)\b|[\s,|:\-–—.()]")
HEADER_LINES = 6           # a title or date line sits among the first few lines
TITLE_MAX_WORDS = 25
SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")

ARTICLE_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("source_path", pa.string()), ("record_index", pa.int32()),
    ("source_format", pa.string()), ("encoding", pa.string()), ("title", pa.string()),
    ("byline", pa.string()), ("dateline", pa.string()), ("credits", pa.string()),
    ("clean_text", pa.string()), ("published_date", pa.date32()), ("date_source", pa.string()),
    ("content_hash", pa.string()), ("word_count", pa.int32()), ("input_order", pa.int64()),
])


@dataclass
class CleanArticle:
    """The cleaned form of one raw text."""

    clean_text: str
    title: str | None = None
    byline: str | None = None
    dateline: str | None = None
    credits: list[str] = field(default_factory=list)
    date_candidates: list[DateCandidate] = field(default_factory=list)
    removed: list[tuple[int, str]] = field(default_factory=list)  # (line number, rule)


def clean_article(raw_text: str, title_hint: str | None = None, date_hint: str | None = None) -> CleanArticle:
    """Split a raw text into story lines and fields; see the module docstring."""
    lines = [line.strip() for line in raw_text.replace("\u00a0", " ").split("\n")]
    article = CleanArticle(clean_text="", title=title_hint)
    if date_hint:
        article.date_candidates.append(DateCandidate(date_hint, "metadata"))
    story: list[tuple[int, str]] = []   # (line number, text) of lines kept so far
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        in_header = not story or (len(story) < HEADER_LINES and not _is_paragraph(story[-1][1]))
        kept = _classify_line(number, line, in_header, article)
        if kept and not (story and story[-1][1] == kept):   # a title printed twice is one title
            story.append((number, kept))
    story = _take_title(story, article)
    story = _drop_trailing_boilerplate(story, article)
    story = _take_dateline_and_signoff(story, article)
    article.clean_text = "\n\n".join(text for _, text in story)
    return article


def _classify_line(number: int, line: str, in_header: bool, article: CleanArticle) -> str | None:
    """The story text of one line, or None when the line is set aside (recorded in article)."""
    if number == 1 or not article.clean_text:
        prefix = DATE_PREFIX.match(line)
        if prefix:
            article.date_candidates.append(DateCandidate(prefix.group(1), "date prefix", number))
            line = line[prefix.end():]
    if line.startswith("#"):
        line = line.lstrip("#").strip()   # a Markdown heading
    for rule, pattern in JUNK_LINE:
        if pattern.fullmatch(line):
            article.removed.append((number, rule))
            return None
    credit = CREDIT_LINE.fullmatch(line)
    if credit:
        article.credits.append(credit.group(1).strip())
        article.removed.append((number, "credit"))
        return None
    published = PUBLISHED_LINE.match(line)
    if published and find_date_strings(line[published.end():]):
        article.date_candidates += [DateCandidate(text, "published line", number)
                                    for text in find_date_strings(line[published.end():])]
        article.removed.append((number, "published line"))
        return None
    if in_header and _is_date_line(line):
        article.date_candidates += [DateCandidate(text, "header line", number) for text in find_date_strings(line)]
        article.removed.append((number, "date line"))
        return None
    byline = BYLINE.fullmatch(line) if in_header else None
    if byline and article.byline is None:
        article.byline = byline.group(1)
        article.removed.append((number, "byline"))
        return None
    caption_credit = CAPTION_CREDIT.search(line)
    if caption_credit:
        article.credits.append(caption_credit.group(1).strip())
        line = line[:caption_credit.start()]
    return line


def _is_date_line(line: str) -> bool:
    """A line that prints a full date and nothing else but weekday, time and punctuation."""
    if not find_date_strings(line):
        return False
    return not DATE_LINE_FILLER.sub("", DATE_PATTERN.sub("", line))


def _is_paragraph(text: str) -> bool:
    return len(text.split()) > TITLE_MAX_WORDS or bool(SENTENCE_END.search(text))


def _ends_sentence(text: str) -> bool:
    """Whether a line ends a sentence, an agency sign-off ("... a briefing. -REUTERS") included."""
    signoff = AGENCY_SIGNOFF.search(text)
    return signoff is not None and (signoff.group(2) is not None or _ends_sentence(text[:signoff.start()])) \
        or bool(SENTENCE_END.search(text))


def _take_title(story: list[tuple[int, str]], article: CleanArticle) -> list[tuple[int, str]]:
    """Move the headline (a short first line before the body) into the title field."""
    if article.title:
        return [(n, text) for n, text in story if text != article.title]
    if len(story) > 1 and not _is_paragraph(story[0][1]) and story[0][0] <= HEADER_LINES + 2:
        article.title = story[0][1]
        return story[1:]
    return story


def _drop_trailing_boilerplate(story: list[tuple[int, str]], article: CleanArticle) -> list[tuple[int, str]]:
    """Short unpunctuated lines after the story's last sentence are site furniture, not story."""
    last_sentence = max((i for i, (_, text) in enumerate(story) if _ends_sentence(text)), default=None)
    if last_sentence is None:
        return story
    for number, text in story[last_sentence + 1:]:
        if len(text.split()) <= 12:
            article.removed.append((number, "trailing boilerplate"))
        else:
            last_sentence = len(story)  # a long line after all: keep everything
            break
    kept = story[:last_sentence + 1]
    return kept


def _take_dateline_and_signoff(story: list[tuple[int, str]], article: CleanArticle) -> list[tuple[int, str]]:
    """Move "MOSCOW, Aug 26:" and "-REUTERS" from the text into the dateline and credits fields."""
    story = list(story)
    for i, (number, text) in enumerate(story[:3]):
        dateline = DATELINE.match(text)
        if dateline and len(text) > dateline.end():
            article.dateline = dateline.group(1).strip()
            article.date_candidates += [DateCandidate(d, "dateline", number) for d in find_date_strings(dateline.group(1))]
            story[i] = (number, text[dateline.end():])
            break
    while story:
        number, text = story[-1]
        signoff = AGENCY_SIGNOFF.search(text)
        if not signoff:
            break
        article.credits.append((signoff.group(1) or signoff.group(2)).strip())
        remainder = text[:signoff.start()].rstrip()
        story[-1:] = [(number, remainder)] if remainder else []
    return story


def clean_documents(documents: pa.Table, run_date: dt.date) -> pa.Table:
    """Clean every document of a batch; articles with empty text stay, for the clean suite to set aside."""
    rows = []
    for doc in documents.to_pylist():
        article = clean_article(doc["raw_text"], doc["title_hint"], doc["date_hint"])
        published_date, date_source = resolve_publication_date(article.date_candidates, run_date)
        rows.append({
            "article_id": doc["article_id"], "source_path": doc["source_path"],
            "record_index": doc["record_index"], "source_format": doc["source_format"],
            "encoding": doc["encoding"], "title": article.title, "byline": article.byline,
            "dateline": article.dateline, "credits": "; ".join(article.credits) or None,
            "clean_text": article.clean_text, "published_date": published_date, "date_source": date_source,
            "content_hash": hashlib.blake2b(article.clean_text.encode("utf-8"), digest_size=8).hexdigest(),
            "word_count": len(article.clean_text.split()), "input_order": doc["input_order"],
        })
    return pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA)
