"""Where one flow run keeps its batches between tasks: warehouse/.staging/<flow run id>/<kind>/<name>.parquet.

A kind is either one the warehouse loads (tasks/load.py STAGED: articles, mentions, quarantine...)
or one of the run's own intermediates below; any other name is a bug and raises. Stage tasks are
cached by the content of the files they read, so retrying a failed flow run from the Prefect UI
finds the batches it had staged (the folder lives until the run commits) and skips their stages.

The folder is on the flow's machine only. A batch sent to a Dask worker takes the bytes of the files
it reads with it (`pack`), runs in a temporary staging folder of the worker's, and brings back the
bytes of those it wrote, which `unpack` puts where they would have been written here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tasks import load

# The run's own kinds, in the order a batch makes them; none of them reaches the warehouse.
INTERMEDIATE = (
    "inputs",                 # every input path of the run, in reading order
    "known",                  # input ids and entities the warehouse held when the run began
    "documents", "raw",       # decoded inputs, and those the raw suite passed
    "repeated",               # short lines repeated across a source: site furniture
    "cleaned", "clean",       # cleaned articles, and those the clean suite passed
    "unchecked_mentions", "unchecked_date_mentions", "unchecked_quotes",   # extract's output, before its checks
    "prints",                 # MinHash signatures and paragraph fingerprints, for the run's search for copies
    "validations",            # GX's results as JSON, for the run's Data Docs
)
KINDS = frozenset(INTERMEDIATE) | load.STAGED.keys()
# How long a staging folder waits for its flow run to be retried before a later run clears it.
KEEP_FOR = dt.timedelta(days=2)


class Staging:
    """The staging folder of one flow run."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"Staging({str(self.root)!r})"

    def path(self, kind: str, batch: int | str, suffix: str = ".parquet") -> str:
        if kind not in KINDS:
            raise KeyError(f"no staging kind {kind!r}: add it to flows/staging.py or the table registry")
        folder = self.root / kind
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder / (f"{batch:05d}{suffix}" if isinstance(batch, int) else f"{batch}{suffix}"))

    def files(self, kind: str, suffix: str = ".parquet") -> list[str]:
        return sorted(str(p) for p in (self.root / kind).glob(f"*{suffix}"))

    def check_outputs(self, suite: str, batch: int) -> dict[str, str]:
        """Where one suite's check of one batch writes: passing rows, quarantine, set-aside rows, results,
        GX's validation."""
        name = f"{suite}-{batch:05d}"
        return {"quarantine_out": self.path("quarantine", name), "set_aside_out": self.path("set_aside", name),
                "results_out": self.path("quality", name), "validation_out": self.path("validations", name, ".json")}

    def dedup_outputs(self, batch: int) -> dict[str, str]:
        """Where one batch's search for copies writes each part of its result (flows/stages.py find_duplicates)."""
        return {"links": self.path("duplicates", f"links-{batch:05d}")} | {
            kind: self.path(kind, f"dedup-{batch:05d}") for kind in ("signatures", "fingerprints", "borrowings",
                                                                           "borrowed_passages")}

    def story_outputs(self) -> dict[str, str]:
        """Where the run's search for stories writes (flows/stages.py find_stories)."""
        return {"links": self.path("duplicates", "stories-run")} | {
            kind: self.path(kind, "stories-run") for kind in ("story_terms", "story_profiles")}

    def batch_files(self, kind: str, batch: int) -> list[str]:
        """The files of one batch of a kind: named <batch> or <step>-<batch> (check_outputs, dedup_outputs)."""
        return [p for p in self.files(kind) if Path(p).stem.rpartition("-")[2] == f"{batch:05d}"]

    def stage_empty_tables(self) -> None:
        """One empty file of every kind the warehouse loads: a run with nothing new still commits its record,
        and each load statement reads at least one file of its kinds."""
        for kind, schema in load.STAGED.items():
            write(schema.empty_table(), self.path(kind, "empty"))

    def for_load(self, batch: int) -> dict[str, list[str]]:
        """One batch's files for the warehouse, by kind, each kind with its empty file (a load reads one at least)."""
        return {kind: self.batch_files(kind, batch) + [self.path(kind, "empty")] for kind in load.STAGED}

    def loaded_for_load(self, loaded: set[str]) -> dict[str, list[str]]:
        """The files `loaded` (the settled batches'), by kind, each kind with its empty file: what the run's
        once-per-run load reads after its last batch (tasks/load.py load_once_plan)."""
        return {kind: [p for p in self.files(kind) if p in loaded] + [self.path(kind, "empty")] for kind in load.STAGED}

    def rest_for_load(self, loaded: set[str]) -> dict[str, list[str]]:
        """Every file staged for the warehouse but those `loaded`, by kind: what the run's commit still loads
        (the run's own checks, inputs set aside from batches with nothing new, the empty files)."""
        return {kind: [p for p in self.files(kind) if p not in loaded] for kind in load.STAGED}

    def rows(self, kind: str, batch: int | None = None) -> int:
        """Rows staged of a kind: the run's, or one batch's."""
        files = self.files(kind) if batch is None else self.batch_files(kind, batch)
        return sum(pq.read_metadata(p).num_rows for p in files)

    def pack(self, paths: list[str]) -> dict[str, bytes]:
        """The bytes of staged files, each under its name in the folder ("clean/00001.parquet")."""
        return {Path(p).relative_to(self.root).as_posix(): Path(p).read_bytes() for p in paths}

    def files_besides(self, given: dict[str, bytes]) -> list[str]:
        """Every file of the folder but those `given` (the files unpacked into it): what a batch wrote."""
        return sorted(str(p) for p in self.root.glob("*/*")
                      if p.is_file() and p.relative_to(self.root).as_posix() not in given)

    def unpack(self, files: dict[str, bytes]) -> None:
        """Write packed files into this folder, each at its name; a name that is not <kind>/<file> raises."""
        for name, content in files.items():
            kind, _, file_name = name.partition("/")
            if not file_name or "/" in file_name or file_name in (".", ".."):
                raise ValueError(f"no staged file {name!r}: a packed file is named <kind>/<file>")
            stem, dot, suffix = file_name.partition(".")
            Path(self.path(kind, stem, dot + suffix)).write_bytes(content)


def write(table: pa.Table, path: str) -> None:
    pq.write_table(table, path)


def write_chunks(tables: Iterable[pa.Table], schema: pa.Schema, path: str) -> None:
    """Write tables one after another into one file, each gone before the next is made."""
    with pq.ParquetWriter(path, schema) as writer:
        for table in tables:
            writer.write_table(table)


def read(path: str, columns: list[str] | None = None) -> pa.Table:
    return pq.read_table(path, columns=columns)


def _file_digest(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "blake2b").hexdigest()


def staged_content_key(context, parameters: dict) -> str:
    """Cache key of a stage: its name, its settings and the bytes of the staged files it reads.

    Parameters named *_in are input files, hashed by content. Output paths enter the key as
    paths: they name the flow run's own staging folder, which lives until the run commits, so a
    cached result is only ever reused by a retry of the same flow run, whose files still exist.
    """
    digest = hashlib.blake2b(context.task.name.encode())
    for name, value in sorted(parameters.items()):
        if name.endswith("_in") and value:
            value = [_file_digest(p) for p in value] if isinstance(value, list) else _file_digest(value)
        digest.update(f"{name}={value!r};".encode())
    return digest.hexdigest()


# Stages that only transform staged files: cached by content, never retried (bad data stays bad).
STAGED_STAGE = dict(cache_key_fn=staged_content_key, persist_result=True, cache_expiration=KEEP_FOR)
