"""Ingest: a source folder (or one file) in; documents and quarantined inputs out.

An input is a file, or one record of a .json/.jsonl file. Each readable input becomes a
document row (decoded text, a stable content id, where it came from); each unreadable one
becomes a quarantine row with a reason. Nothing given is dropped.
"""

from __future__ import annotations

import functools
import hashlib
import html as html_module
import json
import os
import re
import stat as file_mode
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from charset_normalizer import from_bytes

SUPPORTED_SUFFIXES = {".txt": "txt", ".md": "md", ".json": "json", ".jsonl": "jsonl",
                      ".html": "html", ".htm": "html"}
# No news article comes near this; a file this big is a dump or a mistake. Such a file is
# quarantined from its size alone, never read, so memory stays bounded whatever the source holds
# (a 20 MB or 20 GB file costs a stat). Split a big JSONL feed into smaller files to load it.
MAX_INPUT_BYTES = 5 * 1024 * 1024
READ_STEP = 1024 * 1024
# Fields a JSON record may carry besides `text`, tried in this order.
TITLE_FIELDS = ("title", "headline")
URL_FIELDS = ("url", "link", "canonical_url")
DATE_FIELDS = ("published_date", "date", "published", "pubdate", "publish_date")

DOCUMENT_SCHEMA = pa.schema([
    ("article_id", pa.string()),
    ("source_path", pa.string()),
    ("record_index", pa.int32()),
    ("source_format", pa.string()),
    ("encoding", pa.string()),
    ("raw_text", pa.string()),
    ("title_hint", pa.string()),
    ("date_hint", pa.string()),
    ("input_order", pa.int64()),
    # Dates the input states about itself beside its text, each named by where it was found
    # ("meta:article:published_time", "json-ld", "url"): see tasks/page_dates.py.
    ("date_evidence", pa.list_(pa.struct([("text", pa.string()), ("origin", pa.string())]))),
])
QUARANTINE_SCHEMA = pa.schema([
    ("source_path", pa.string()),
    ("record_index", pa.int32()),
    ("stage", pa.string()),
    ("reason", pa.string()),
    ("input_id", pa.string()),
])


class SourceNotFound(FileNotFoundError):
    """The --source path does not exist."""


@dataclass
class IngestResult:
    """What reading a list of inputs gave: documents, quarantined inputs, unchanged skips."""

    documents: list[dict] = field(default_factory=list)
    quarantined: list[dict] = field(default_factory=list)
    skipped: int = 0
    records_seen: int = 0

    def documents_table(self) -> pa.Table:
        return pa.Table.from_pylist(self.documents, schema=DOCUMENT_SCHEMA)

    def quarantine_table(self) -> pa.Table:
        return pa.Table.from_pylist(self.quarantined, schema=QUARANTINE_SCHEMA)


def source_root(source: Path) -> Path:
    """The folder source_path values are relative to: the source itself, or a file's folder."""
    if not source.exists():
        raise SourceNotFound(f"source {source} does not exist: pass --source a folder or file of articles")
    return source.resolve() if source.is_dir() else source.resolve().parent


def discover_inputs(source: Path) -> list[str]:
    """Every file under source (recursively), as sorted '/'-separated paths relative to it.

    Symlinked folders are not followed (no loops, nothing read from outside the source);
    symlinked files count only when they point inside it. Unsupported file types are
    returned too, so that they are quarantined rather than silently ignored. A name that is
    not valid UTF-8 is returned in its printable form (see `printable_path`).
    """
    root = source_root(source)
    if source.is_file():
        return [printable_path(source.resolve().name)]
    found = []
    for folder, subfolders, files in os.walk(root, followlinks=False):
        subfolders.sort()
        for name in files:
            path = Path(folder) / name
            # realpath, not Path.resolve: a symlink loop must not stop the run (it is quarantined).
            if path.is_symlink() and not _is_inside(os.path.realpath(path), root):
                continue
            found.append(printable_path(path.relative_to(root).as_posix()))
    return sorted(found)


def printable_path(relative: str) -> str:
    """A path as valid UTF-8 text: bytes of a non-UTF-8 file name are written as \\xNN."""
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _file_path(root: Path, relative: str) -> Path:
    """The file a printable path names (undoing `printable_path` when the literal name is absent)."""
    path = root / relative
    if "\\x" not in relative or os.path.lexists(path):
        return path
    raw = re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(0xDC00 + int(m.group(1), 16)), relative)
    return root / raw


def _is_inside(path: str | Path, root: Path) -> bool:
    return Path(path).is_relative_to(root)


def content_id(source_path: str, record_index: int | None, text: str) -> str:
    """Stable id of one input's content: the same text at the same place, the same id."""
    key = f"{source_path}\0{'' if record_index is None else record_index}\0{text}"
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) for bytes in any common encoding, or None for binary data."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:   # a byte-order mark before bytes that are not that encoding
                return None
            return None if "\x00" in text else (text, encoding)
    if b"\x00" in data and (utf16 := _utf16_without_bom(data)) is not None:
        return utf16.replace("\r\n", "\n").replace("\r", "\n"), "utf-16"
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        best = _best_guess(data)
        if best is None:
            return None
        text, encoding = str(best), best.encoding
    # Text files carry no NULs; a decode that keeps them means the bytes were binary.
    if "\x00" in text:
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a byte-order mark, told apart from binary by where its NULs fall.

    Latin-script text in UTF-16 has a NUL in every other byte (the high byte of each character):
    the odd bytes for little-endian, the even ones for big-endian. Binary data has no such pattern.
    """
    if len(data) % 2 or len(data) < 4:
        return None
    even_nuls, odd_nuls = data[0::2].count(0) / (len(data) / 2), data[1::2].count(0) / (len(data) / 2)
    for encoding, high, low in (("utf-16-le", odd_nuls, even_nuls), ("utf-16-be", even_nuls, odd_nuls)):
        if high > 0.5 and low == 0:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return None if "\x00" in text else text
    return None


def _best_guess(data: bytes):
    """charset-normalizer's best match; on a tie, windows-1252, the web's default legacy encoding.

    Short texts often read equally well as cp1250, cp1252 or cp850 ("£" or "Ł"); news in a
    legacy encoding without a declaration is far more often windows-1252 (as WHATWG assumes).
    """
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    return next((m for m in tied if m.encoding == "cp1252"), best)


def read_inputs(root: Path, relative_paths: list[str], known_ids: set[str], first_order: int) -> IngestResult:
    """Read, decode and identify each input; skip those already loaded or quarantined unchanged."""
    result = IngestResult()
    for offset, relative in enumerate(relative_paths):
        for doc in _documents_of(root, relative, result, known_ids):
            result.records_seen += 1
            if doc["article_id"] in known_ids:
                result.skipped += 1
                continue
            doc["input_order"] = first_order + offset
            result.documents.append(doc)
    return result


def stage_inputs(source: str, paths: list[str], first_order: int, known_in: str, documents_out: str,
                 quarantine_out: str) -> dict:
    """read_inputs from and to Parquet files, so a worker process can run it: the ids known in
    `known_in`, the documents and quarantined inputs written out; returns the counts."""
    started = time.perf_counter()
    known_ids = set(pq.read_table(known_in)["input_id"].to_pylist())
    result = read_inputs(source_root(Path(source)), paths, known_ids, first_order)
    pq.write_table(result.documents_table(), documents_out)
    pq.write_table(result.quarantine_table(), quarantine_out)
    return {"inputs": result.records_seen, "skipped": result.skipped, "quarantined": len(result.quarantined),
            "documents": len(result.documents), "seconds": time.perf_counter() - started}


def _file_fingerprint(relative: str, stat: os.stat_result) -> str:
    # For inputs not worth reading (wrong type, too big): changes when the file does.
    return content_id(relative, None, f"{stat.st_size}:{stat.st_mtime_ns}")


def _documents_of(root: Path, relative: str, result: IngestResult, known_ids: set[str]):
    """Yield document rows of one file; quarantine what cannot be read."""
    def set_aside(reason: str, record_index: int | None = None, input_id: str | None = None) -> None:
        result.records_seen += 1
        if input_id is not None and input_id in known_ids:
            result.skipped += 1  # quarantined by an earlier run and unchanged since
            return
        result.quarantined.append({"source_path": relative, "record_index": record_index,
                                   "stage": "ingest", "reason": reason, "input_id": input_id})

    try:
        path = _checked_path(root, relative)
        stat = path.stat()
        # The type is the name's as listed: a link named .txt is read as text.
        source_format = SUPPORTED_SUFFIXES.get(Path(relative).suffix.lower())
        if not file_mode.S_ISREG(stat.st_mode):
            # A FIFO or device would block or never end; only plain files are read.
            set_aside("not a regular file (a pipe, socket or device): not read")
            return
        if source_format is None:
            set_aside(f"unsupported file type {Path(relative).suffix or '(none)'!r}: newsflow reads "
                      ".txt, .md, .json, .jsonl and .html", input_id=_file_fingerprint(relative, stat))
            return
        # Judged from the size first, so a big file costs a stat, not a read; the bounded read
        # still stops a file that grew since.
        data = None if stat.st_size > MAX_INPUT_BYTES else _read_at_most(path, MAX_INPUT_BYTES)
        if data is None:
            size = max(stat.st_size, MAX_INPUT_BYTES + 1)
            set_aside(f"file is {size / 1e6:.1f} MB, over the {MAX_INPUT_BYTES / 1e6:.0f} MB "
                      "limit for one article", input_id=_file_fingerprint(relative, stat))
            return
    except OSError as error:
        set_aside(f"could not be read: {error.strerror or error}")
        return
    decoded = decode(data)
    if decoded is None:
        set_aside("binary or undecodable content, not text", input_id=content_id(relative, None, data.hex()))
        return
    text, encoding = decoded
    base = {"source_path": relative, "source_format": source_format, "encoding": encoding}
    seen_before = result.records_seen
    if source_format in ("json", "jsonl") and text.strip():
        for record_index, record, error in _json_records(text, source_format):
            if error:
                set_aside(error, record_index, input_id=content_id(relative, record_index, text))
                continue
            body = record["text"]
            # A scraper's record may hold the page's HTML: its text, a line per block, is the article's.
            text_of_record = _fragment_text(body) if BODY_MARKUP.search(body) else body
            if not text_of_record.strip():
                set_aside("JSON record's 'text' is HTML with no text in it", record_index,
                          input_id=content_id(relative, record_index, body))
                continue
            yield base | {"record_index": record_index, "raw_text": text_of_record,
                          "article_id": content_id(relative, record_index, body),
                          "title_hint": _first_field(record, TITLE_FIELDS),
                          "date_hint": _first_field(record, DATE_FIELDS),
                          "date_evidence": _url_evidence(_first_field(record, URL_FIELDS))}
        if result.records_seen == seen_before:  # e.g. "[]": the file must not vanish unaccounted
            set_aside("JSON file holds no article records", input_id=content_id(relative, None, text))
        return
    title_hint, date_evidence = None, []
    if source_format == "html":
        text, title_hint, date_evidence = _html_main_text(text)
    if not text.strip():
        set_aside("empty file: no text to read" if source_format != "html" else "HTML page with no main text",
                  input_id=content_id(relative, None, text))
        return
    yield base | {"record_index": None, "raw_text": text, "article_id": content_id(relative, None, text),
                  "title_hint": title_hint, "date_hint": None, "date_evidence": date_evidence}


class OutsideSource(OSError):
    """A path that, read now, would lead out of the source folder."""


def _checked_path(root: Path, relative: str) -> Path:
    """The real file behind relative, checked again at read time to lie inside the source.

    Discovery checked it too, but a link can be swapped between listing and reading.
    """
    real = Path(os.path.realpath(_file_path(root, relative)))
    if not _is_inside(real, root):
        raise OutsideSource(0, "it links outside the source folder")
    return real


def _read_at_most(path: Path, limit: int) -> bytes | None:
    """The file's bytes, or None when it holds more than limit (read no further than limit + 1)."""
    # O_NOFOLLOW: if the checked path became a link since, refuse rather than follow it.
    with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb") as handle:
        # read(limit + 1) would allocate the whole limit for every small file: read what stat says,
        # then on in steps, for a file that grew since or one stat cannot size.
        data = handle.read(min(os.fstat(handle.fileno()).st_size, limit) + 1)
        while len(data) <= limit and (more := handle.read(min(READ_STEP, limit + 1 - len(data)))):
            data += more
    return None if len(data) > limit else data


def _json_records(text: str, source_format: str):
    """Yield (record_index, record, error) for each article record of a JSON or JSONL file."""
    if source_format == "jsonl":
        lines = [(i, line) for i, line in enumerate(text.split("\n")) if line.strip()]
    else:
        lines = [(None, text)]
    for index, line in lines:
        where = "file" if index is None else f"line {index + 1}"
        try:
            value = json.loads(line)
            # "\ud800" escapes decode to lone surrogates, which no UTF-8 column can hold.
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except json.JSONDecodeError as error:
            yield index, None, f"invalid JSON on {where}: {error.msg} at column {error.colno}"
            continue
        except UnicodeEncodeError:
            yield index, None, f"invalid JSON on {where}: an escape names half a Unicode character"
            continue
        except RecursionError:
            yield index, None, f"invalid JSON on {where}: nested too deeply"
            continue
        except ValueError:  # Python's limit on the digits of an integer
            yield index, None, f"invalid JSON on {where}: a number too long to read"
            continue
        # A .json file may hold a list of articles; a JSONL line is one record, whatever it holds.
        records = value if isinstance(value, list) and index is None else [value]
        for position, record in enumerate(records):
            record_index = index if index is not None else (position if isinstance(value, list) else None)
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                yield record_index, None, "JSON record has no string 'text' field"
            elif not record["text"].strip():
                yield record_index, None, "JSON record has an empty 'text' field"
            else:
                yield record_index, record, None


def _first_field(record: dict, names: tuple[str, ...]) -> str | None:
    for name in names:
        if isinstance(record.get(name), str) and record[name].strip():
            return record[name].strip()
    return None


def _url_evidence(url: str | None) -> list[dict]:
    """The date in a record's URL path, as evidence for the clean stage ([] when it names no day)."""
    from tasks.page_dates import url_date

    found = url_date(url) if url else None
    return [{"text": found.text, "origin": found.origin}] if found else []


# Below this many characters, trafilatura's precise mode has likely missed the story: read again.
MIN_PRECISE_TEXT = 200
# Two or more lines in a row, each the whole text of one of the page's links, are a list of links
# (related stories, tags, a menu trafilatura kept): navigation, not story. A single linked line
# (a story's "Read the report") stays. Chosen on the first half of the trafilatura-eval dev set.
MIN_LINK_RUN = 2
# A line the default mode finds inside the precise text's story joins it when it is a sentence of
# this many words or more (a lone "Contents", a table rule, a product link stay out). The length
# was chosen on the first half of trafilatura-eval; that it must end as a sentence, by reading what
# the rule added to the mediacloud pages (it halves the furniture it lets in; trafilatura-eval ties).
MIN_INSIDE_WORDS = 5


# Placeholder Latin: the words of the passage every lorem-ipsum generator draws on (Cicero, De finibus
# 1.32-33, and the classic "Lorem ipsum" cut of it). A line of PLACEHOLDER_MIN_WORDS or more words,
# PLACEHOLDER_SHARE of them from it, is placeholder: generated lines score 1.0, real Latin prose (Caesar,
# the Lord's Prayer, a Vatican notice) 0.14-0.27.
LOREM_IPSUM = (
    "Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium, totam rem "
    "aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo. "
    "Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut odit aut fugit, sed quia consequuntur magni dolores "
    "eos qui ratione voluptatem sequi nesciunt. Neque porro quisquam est, qui dolorem ipsum quia dolor sit amet, "
    "consectetur, adipisci velit, sed quia non numquam eius modi tempora incidunt ut labore et dolore magnam aliquam "
    "quaerat voluptatem. Ut enim ad minima veniam, quis nostrum exercitationem ullam corporis suscipit laboriosam, "
    "nisi ut aliquid ex ea commodi consequatur? Quis autem vel eum iure reprehenderit qui in ea voluptate velit esse "
    "quam nihil molestiae consequatur, vel illum qui dolorem eum fugiat quo voluptas nulla pariatur? At vero eos et "
    "accusamus et iusto odio dignissimos ducimus qui blanditiis praesentium voluptatum deleniti atque corrupti quos "
    "dolores et quas molestias excepturi sint occaecati cupiditate non provident, similique sunt in culpa qui officia "
    "deserunt mollitia animi, id est laborum et dolorum fuga. Et harum quidem rerum facilis est et expedita "
    "distinctio. Nam libero tempore, cum soluta nobis est eligendi optio cumque nihil impedit quo minus id quod maxime "
    "placeat facere possimus, omnis voluptas assumenda est, omnis dolor repellendus. Temporibus autem quibusdam et aut "
    "officiis debitis aut rerum necessitatibus saepe eveniet ut et voluptates repudiandae sint et molestiae non "
    "recusandae. Itaque earum rerum hic tenetur a sapiente delectus, ut aut reiciendis voluptatibus maiores alias "
    "consequatur aut perferendis doloribus asperiores repellat. Lorem ipsum dolor sit amet, consectetur adipiscing "
    "elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
    "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in "
    "voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, "
    "sunt in culpa qui officia deserunt mollit anim id est laborum.")
PLACEHOLDER_MIN_WORDS = 8
PLACEHOLDER_SHARE = 0.8
# A declared body (JSON-LD articleBody) of fewer characters is a teaser or a paywall's first
# paragraph, never a reason to replace the text.
MIN_DECLARED_BODY = 500
# The text stands when it holds this share of the declared body's 4-word shingles. On the dev pages
# (trafilatura-eval and mediacloud, 28 declaring a body) the text holds .80 or more of it on all
# but four, and those four hold .33 or less.
MIN_BODY_HELD = 0.6
# A line of the page is part of the declared body when this share of it is in the body ...
MIN_LINE_IN_BODY = 0.8
# ... and the page's lines stand for the body when they hold this share of it.
MIN_BODY_IN_LINES = 0.9
# When the text holds this share of the declared body, a line of at most SHORT_LINE_WORDS words that
# is not in the body (a table row aside: bodies leave tables out) is the page's, not the story's.
SHORT_LINES_CHECKED = 0.8
SHORT_LINE_WORDS = 8
BODY_MARKUP = re.compile(r"(?i)<(?:p|div|br|table|li|h\d)\b")
BLOCK_ELEMENTS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption",
                  "section", "article", "header", "footer", "ul", "ol", "table", "pre", "dt", "dd", "hr")
# Paragraphs joined without a break when a CMS flattened the body: "flood mitigation projects.The county said".
GLUED_PARAGRAPHS = re.compile(r"(?<=[a-z\d][.!?])(?=[A-Z])|(?<=[a-z\d][.!?][\"”’])(?=[A-Z“\"])")


def _html_main_text(html: str) -> tuple[str, str | None, list[dict]]:
    """Main text, title and publication-date evidence of an HTML page.

    The text is trafilatura's (scripts and navigation dropped; tables kept, as story data): precise
    mode, with the lines its default mode finds inside the story; the default mode alone when
    precise mode finds (almost) nothing; less runs of link lines; in Unicode NFC, title too. The
    dates are the page's own statements (tasks/page_dates.py), never htmldate's search over the body.
    """
    import trafilatura  # imported here: it pulls in lxml and htmldate, not needed for text inputs

    from tasks.page_dates import page_date_evidence

    options = {"with_metadata": True, "include_comments": False, "include_tables": True,
               "date_extraction_params": {"extensive_search": False, "original_date": True}}
    document = trafilatura.bare_extraction(html, favor_precision=True, **options)
    fuller = trafilatura.bare_extraction(html, **options)
    precise_text = _without_placeholder(document.text or "" if document is not None else "")
    fuller_text = _without_placeholder(fuller.text or "" if fuller is not None else "")
    if len(precise_text.strip()) < MIN_PRECISE_TEXT:
        if fuller is not None and len(fuller_text) > len(precise_text):
            document = fuller
        text = fuller_text if document is fuller else precise_text
    else:
        text = _with_lines_inside_the_story(precise_text, fuller_text)
    text = _with_the_declared_body(text, html)
    evidence = [{"text": found.text, "origin": found.origin} for found in page_date_evidence(html)]
    if document is None:
        return "", None, evidence
    # NFC, as trafilatura's own extract() returns its text: a page may spell "ü" as u + a combining
    # diaeresis, and then a search for "geprüft" (or a quote matched against the text) misses it.
    title = unicodedata.normalize("NFC", document.title) if document.title else document.title
    return unicodedata.normalize("NFC", _without_link_runs(text, html)), title, evidence


def _without_placeholder(text: str) -> str:
    """The text less its lines of placeholder Latin ("Dolor ipsam et est cumque. Laboriosam sed ..."):
    a paywall's blurred stand-in for the story, or a template's filler, which precise mode may take
    for the story itself (mediacloud 1518961308, where the story's free first paragraph is elsewhere)."""
    return "\n".join(line for line in text.split("\n") if not _is_placeholder(line))


def _is_placeholder(line: str) -> bool:
    words = re.findall(r"[^\W\d_]+", line.lower())
    return len(words) >= PLACEHOLDER_MIN_WORDS and \
        sum(word in _placeholder_words() for word in words) >= PLACEHOLDER_SHARE * len(words)


@functools.cache
def _placeholder_words() -> frozenset[str]:
    return frozenset(re.findall(r"[a-z]+", LOREM_IPSUM.lower()))


def _with_the_declared_body(text: str, html: str) -> str:
    """The text, or the story the page declares in its JSON-LD (schema.org articleBody) where the
    text holds little of it: the story is drawn by a script (scmp.com: precise mode found only a
    photo caption), or the extractor took one block of a story split over several (mediacloud
    1685640081 kept the last three of its paragraphs).

    The page's own lines are taken where they are the declared body (trafilatura's recall mode keeps
    the paragraphs and tables); the declared body itself, split at its glued paragraph ends, where
    the page's lines do not hold it.

    Where the text does hold the body, its short lines that the body lacks are the page's: a
    newsletter form's labels, the site's name, "More News", a photo caption.
    """
    if '"articleBody"' not in html:   # most pages: no second parse
        return text
    body = _declared_body(html)
    if len(body) < MIN_DECLARED_BODY:
        return text
    held = _share_held(body, text)
    if held >= SHORT_LINES_CHECKED:
        return "\n".join(line for line in text.split("\n")
                         if not line.strip() or line.lstrip().startswith("|") or len(line.split()) > SHORT_LINE_WORDS
                         or _share_held(line, body) >= MIN_LINE_IN_BODY)
    if held >= MIN_BODY_HELD:
        return text
    import trafilatura

    recall = trafilatura.extract(html, favor_recall=True, include_comments=False, include_tables=True) or ""
    lines = [line for line in recall.split("\n") if line.strip() and _share_held(line, body) >= MIN_LINE_IN_BODY]
    if _share_held(body, "\n".join(lines)) >= MIN_BODY_IN_LINES:
        return "\n".join(lines)
    return GLUED_PARAGRAPHS.sub("\n", body)


def _declared_body(html: str) -> str:
    """The longest articleBody of the page's JSON-LD, as plain text ("" when none)."""
    import lxml.html
    from lxml.etree import ParserError

    from tasks.page_dates import json_ld_things

    try:
        tree = lxml.html.fromstring(html.encode("utf-8", "surrogatepass"))
    except (ParserError, ValueError):
        return ""
    bodies = [thing["articleBody"] for thing in json_ld_things(tree) if isinstance(thing.get("articleBody"), str)]
    body = html_module.unescape(max(bodies, key=len, default=""))   # "Amazon&#x2019;s": escaped inside the JSON
    if BODY_MARKUP.search(body):   # a body written as HTML
        return _fragment_text(body)
    return "\n".join(" ".join(line.split()) for line in body.split("\n") if line.strip())


def _fragment_text(markup: str) -> str:
    """The text of an HTML fragment (a declared body, a JSON record's text written as HTML): a line per
    block, a table row's cells joined by " | ", scripts, styles, forms and navigation left out."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (ParserError, ValueError):
        return ""
    for element in root.xpath(".//script|.//style|.//noscript|.//template|.//iframe|.//form|.//nav|.//button|.//svg"):
        element.drop_tree()
    for element in root.iter(*BLOCK_ELEMENTS):
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    for cell in root.iter("td", "th"):
        cell.tail = " | " + (cell.tail or "")
    return "\n".join(" ".join(line.split()) for line in root.text_content().split("\n") if line.strip())


def _share_held(text: str, within: str) -> float:
    """The share of text's 4-word shingles (its words, for a shorter text) found in within."""
    inner = _shingles(within)
    words = re.findall(r"\w+", text.lower())
    if len(words) < 4:
        return float(" ".join(words) in " ".join(re.findall(r"\w+", within.lower()))) if words else 0.0
    outer = _shingles(text)
    return len(outer & inner) / len(outer)


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + 4]) for i in range(len(words) - 3)}


def _with_lines_inside_the_story(precise: str, fuller: str) -> str:
    """The precise text, with the sentences (`_is_sentence`) that the default mode finds between
    its first and last line, and those that directly follow its last line.

    Precise mode drops whole paragraphs in the middle of a story (a question in an interview, a
    paragraph beside a picture); what the default mode adds there is mostly story, what it adds
    before or after is mostly furniture (newsletter forms, cookie notices, the title again), except
    sentences straight after the last line, before any heading or form: the story's end, which
    precise mode cut. On trafilatura-eval and the mediacloud pages these were 7 story lines and 4 of
    a house's plugs (2,063 characters, about three quarters story). The precise text as it is when
    the default text does not hold every one of its lines in order.
    """
    precise_lines = [line.strip() for line in precise.split("\n") if line.strip()]
    fuller_lines = [line.strip() for line in fuller.split("\n") if line.strip()]
    # Where each precise line sits in the fuller text, in order; any missing: keep the precise text.
    places, start = [], 0
    for line in precise_lines:
        try:
            start = fuller_lines.index(line, start)
        except ValueError:
            return precise
        places.append(start)
        start += 1
    if not places:
        return precise
    taken = set(places)
    inside = {i for i in range(places[0] + 1, places[-1])
              if i not in taken and _is_sentence(fuller_lines[i])}
    # The sentences that follow the last precise line without a break (no heading, form label or
    # link line between) continue the story: its last paragraphs, "X contributed to this report".
    after = places[-1] + 1
    while after < len(fuller_lines) and _is_sentence(fuller_lines[after]):
        inside.add(after)
        after += 1
    if not inside:
        return precise
    return "\n".join(line for i, line in enumerate(fuller_lines) if i in taken or i in inside)


def _is_sentence(line: str) -> bool:
    """A line of MIN_INSIDE_WORDS or more that ends as a sentence does (not a teaser's "…")."""
    return (len(line.split()) >= MIN_INSIDE_WORDS and line[-1] in ".!?:»\"”"
            and not line.endswith(("...", "…")))


def _without_link_runs(text: str, html: str) -> str:
    """The text less runs of MIN_LINK_RUN or more lines that are each wholly one link of the page,
    unless nothing else is left."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        # bytes: lxml refuses a str that carries an XML encoding declaration
        tree = lxml.html.fromstring(html.encode("utf-8", "surrogatepass"))
    except (ParserError, ValueError):
        return text
    links = {_spaced(anchor.text_content()) for anchor in tree.iter("a")} - {""}
    lines = text.split("\n")
    linked = [_spaced(line) in links for line in lines]
    in_run = [False] * len(lines)
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and linked[end]:
            end += 1
        if end - start >= MIN_LINK_RUN:
            in_run[start:end] = [True] * (end - start)
        start = end + 1 if end == start else end
    kept = "\n".join(line for line, drop in zip(lines, in_run) if not drop)
    # A page that is nothing but links keeps them: a page is never lost to this rule (its dates
    # and its record stay; the clean suite judges what is left).
    return kept if kept.strip() else text


def _spaced(text: str) -> str:
    return " ".join(text.split())
