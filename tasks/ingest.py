"""Ingest: a source folder (or one file) in; documents and quarantined inputs out.

An input is a file, or one record of a .json/.jsonl file. Each readable input becomes a
document row (decoded text, a stable content id, where it came from); each unreadable one
becomes a quarantine row with a reason. Nothing given is dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat as file_mode
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from charset_normalizer import from_bytes

from tasks.page_text import BODY_MARKUP, fragment_text, main_text

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
            text_of_record = fragment_text(body) if BODY_MARKUP.search(body) else body
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
        text, title_hint, date_evidence = main_text(text)
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
