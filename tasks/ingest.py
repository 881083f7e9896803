"""Ingest: a source folder (or one file) in; documents and quarantined inputs out.

An input is a file, or one record of a .json/.jsonl file. Each readable input becomes a
document row (decoded text, a stable content id, where it came from); each unreadable one
becomes a quarantine row with a reason. Nothing given is dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from charset_normalizer import from_bytes

SUPPORTED_SUFFIXES = {".txt": "txt", ".md": "md", ".json": "json", ".jsonl": "jsonl",
                      ".html": "html", ".htm": "html"}
# No news article comes near this; a file this big is a dump or a mistake.
MAX_INPUT_BYTES = 5 * 1024 * 1024
# Fields a JSON record may carry besides `text`, tried in this order.
TITLE_FIELDS = ("title", "headline")
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
    returned too, so that they are quarantined rather than silently ignored.
    """
    root = source_root(source)
    if source.is_file():
        return [source.resolve().name]
    found = []
    for folder, subfolders, files in os.walk(root, followlinks=False):
        subfolders.sort()
        for name in files:
            path = Path(folder) / name
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                continue
            found.append(path.relative_to(root).as_posix())
    return sorted(found)


def content_id(source_path: str, record_index: int | None, text: str) -> str:
    """Stable id of one input's content: the same text at the same place, the same id."""
    key = f"{source_path}\0{'' if record_index is None else record_index}\0{text}"
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) for bytes in any common encoding, or None for binary data."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding), encoding
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

    path = root / relative
    try:
        stat = path.stat()
        source_format = SUPPORTED_SUFFIXES.get(path.suffix.lower())
        if source_format is None:
            set_aside(f"unsupported file type {path.suffix or '(none)'!r}: newsflow reads "
                      ".txt, .md, .json, .jsonl and .html", input_id=_file_fingerprint(relative, stat))
            return
        if stat.st_size > MAX_INPUT_BYTES:
            set_aside(f"file is {stat.st_size / 1e6:.1f} MB, over the {MAX_INPUT_BYTES / 1e6:.0f} MB "
                      "limit for one article", input_id=_file_fingerprint(relative, stat))
            return
        data = path.read_bytes()
    except OSError as error:
        set_aside(f"could not be read: {error.strerror or error}")
        return
    decoded = decode(data)
    if decoded is None:
        set_aside("binary or undecodable content, not text", input_id=content_id(relative, None, data.hex()))
        return
    text, encoding = decoded
    base = {"source_path": relative, "source_format": source_format, "encoding": encoding}
    if source_format in ("json", "jsonl"):
        for record_index, record, error in _json_records(text, source_format):
            if error:
                set_aside(error, record_index, input_id=content_id(relative, record_index, text))
                continue
            body = record["text"]
            yield base | {"record_index": record_index, "raw_text": body,
                          "article_id": content_id(relative, record_index, body),
                          "title_hint": _first_field(record, TITLE_FIELDS),
                          "date_hint": _first_field(record, DATE_FIELDS)}
        return
    title_hint = date_hint = None
    if source_format == "html":
        text, title_hint, date_hint = _html_main_text(text)
    if not text.strip():
        set_aside("empty file: no text to read" if source_format != "html" else "HTML page with no main text",
                  input_id=content_id(relative, None, text))
        return
    yield base | {"record_index": None, "raw_text": text, "article_id": content_id(relative, None, text),
                  "title_hint": title_hint, "date_hint": date_hint}


def _json_records(text: str, source_format: str):
    """Yield (record_index, record, error) for each article record of a JSON or JSONL file."""
    if source_format == "jsonl":
        lines = [(i, line) for i, line in enumerate(text.split("\n")) if line.strip()]
    else:
        lines = [(None, text)]
    for index, line in lines:
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            where = "file" if index is None else f"line {index + 1}"
            yield index, None, f"invalid JSON on {where}: {error.msg} at column {error.colno}"
            continue
        records = value if isinstance(value, list) else [value]
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


def _html_main_text(html: str) -> tuple[str, str | None, str | None]:
    """Main text, title and date of an HTML page, by trafilatura (scripts and navigation dropped)."""
    import trafilatura  # imported here: it pulls in lxml and htmldate, not needed for text inputs

    document = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                           include_tables=False, favor_precision=True)
    if document is None:
        return "", None, None
    return document.text or "", document.title, document.date
