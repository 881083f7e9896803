"""Every table and view of a warehouse, dumped so that two runs of the pipeline can be compared.

A refactor that must change no output (issue 17) is checked by dumping a seeds run and a 1,000-story
Reuters run before and after it:

    python -m bench.dump_tables run seeds/ /work/dumps/before-seeds
    python -m bench.dump_tables run --reuters 1000 /work/dumps/before-reuters1000
    python -m bench.dump_tables dump WAREHOUSE OUTDIR          # a warehouse a run already made
    python -m bench.dump_tables compare DIR_A DIR_B            # exit 1 when anything differs

`run` runs `newsflow run --source SOURCE --warehouse <fresh temp folder>` (the CLI installed beside
this Python; with no Prefect server configured it starts its own temporary API), then dumps.
`--reuters N` writes the first N Reuters-21578 stories with a body (bench/reuters.py) to a temp
folder and uses it as SOURCE.

OUTDIR gets one `<name>.jsonl` per table and view of the lake (found through the catalog,
duckdb_tables() and duckdb_views(), so a table added later is dumped too): one JSON object per row,
keys sorted, lines sorted, so the file is the same whatever order the rows were written in. Beside
them, `schema.json`: for each name, table or view, its columns in catalog order with their types,
and its row count. DuckLake's own bookkeeping (snapshots, file lists) is not dumped: how a run
commits may change without changing a row.

Normalised, because two runs of the same code on the same input legitimately differ there:
- run_id (every table that has one, and wherever a run id appears inside a text value: a run's
  message, a quarantined row's detail, a path under the warehouse): replaced by `<run N>`, N the
  run's rank by started_at. The id holds the clock and the flow run's random id.
- runs.started_at, runs.finished_at: dropped; wall-clock times.
- runs.stage_seconds and any column named *_seconds or *duration*: dropped; timings.
- articles.input_order: replaced by its dense rank (1, 2, ...). It counts from the flow run's
  scheduled start in microseconds, so its values move with the clock, but its order is what
  the pipeline uses (ties between copies), so the order is kept.
- the source folder and the warehouse folder (absolute paths, e.g. in runs.source or a Data Docs
  path): replaced by `<source>` and `<warehouse>` inside any text value; they are temp folders.
Nothing else is touched: ids derived from content (article_id, entity_id, story_id, input_id) are
stable by contract and compared as they are.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import duckdb

BIN = Path(sys.executable).parent
SCHEMA_FILE = "schema.json"
CATALOG_FILE = "catalog.sqlite"
DROPPED = {("runs", "started_at"), ("runs", "finished_at")}
TIMING_COLUMN = re.compile(r"(_seconds$|^seconds$|duration)")
RANKED = {"input_order"}          # kept as their rank order, wherever they appear
RUN_ID = "run_id"
# Shown by `compare` for a table that differs, from each side.
SHOWN_ROWS = 5

TABLES_SQL = """
select table_name as name, 'table' as kind from duckdb_tables() where database_name = 'lake'
union all
select view_name, 'view' from duckdb_views() where database_name = 'lake' and not internal
order by name
"""
COLUMNS_SQL = """
select column_name, data_type from duckdb_columns()
where database_name = 'lake' and table_name = ? order by column_index
"""


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def open_lake(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse read-only, attached as the README shows (no newsflow code: it is what is tested)."""
    import duckdb_extension_ducklake
    import duckdb_extension_sqlite

    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    for package, name in ((duckdb_extension_sqlite, "sqlite"), (duckdb_extension_ducklake, "ducklake")):
        extension = next(Path(package.__file__).parent.rglob(f"{name}.duckdb_extension"))
        con.execute(f"install {_quoted(str(extension))}")
        con.execute(f"load {name}")
    catalog, data = (warehouse / CATALOG_FILE).resolve(), (warehouse / "data").resolve()
    # ATTACH takes no bound parameters: the paths are escaped literals.
    con.execute(f"attach {_quoted(f'ducklake:sqlite:{catalog}')} as lake "
                f"(read_only, data_path {_quoted(f'{data}/')}, override_data_path true)")
    con.execute("use lake")
    return con


def _plain(value):
    """A value as JSON can hold it, the same on every run."""
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, float):
        return repr(value)      # repr round-trips: a last-bit difference shows
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _replacer(replacements: list[tuple[str, str]]):
    """A function that rewrites every text inside a value (nested lists and dicts too)."""
    replacements = [(old, new) for old, new in replacements if old]

    def rewrite(value):
        if isinstance(value, str):
            for old, new in replacements:
                value = value.replace(old, new)
            return value
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        if isinstance(value, dict):
            return {k: rewrite(v) for k, v in value.items()}
        return value

    return rewrite


def _run_labels(con: duckdb.DuckDBPyConnection, names: set[str]) -> list[tuple[str, str]]:
    if "runs" not in names:
        return []
    ids = [row[0] for row in con.execute("select run_id from runs order by started_at, run_id").fetchall()]
    return [(run_id, f"<run {n}>") for n, run_id in enumerate(ids, 1)]


def _kept(table: str, column: str) -> bool:
    return (table, column) not in DROPPED and not TIMING_COLUMN.search(column)


def dump(warehouse: Path, outdir: Path, source: Path | None = None) -> dict:
    """Write every table and view of `warehouse` to `outdir`; returns what schema.json holds."""
    outdir.mkdir(parents=True, exist_ok=True)
    con = open_lake(warehouse)
    objects = con.execute(TABLES_SQL).fetchall()
    names = {name for name, _ in objects}
    # Only absolute paths are replaced: a relative one ("seeds") could be a word in an article.
    replacements = _run_labels(con, names) + [(str(warehouse.resolve()), "<warehouse>")]
    if source is not None:
        replacements.append((str(source.resolve()), "<source>"))
    # Longest first, so a path is replaced before a run id inside it is.
    rewrite = _replacer(sorted(replacements, key=lambda pair: -len(pair[0])))
    schema = {}
    for name, kind in objects:
        columns = con.execute(COLUMNS_SQL, [name]).fetchall()
        kept = [column for column, _ in columns if _kept(name, column)]
        # Identifiers cannot be bound; these come from the catalog, quoted.
        selected = [f'dense_rank() over (order by "{c}") as "{c}"' if c in RANKED else f'"{c}"' for c in kept]
        rows = con.execute(f'select {", ".join(selected) or "1"} from "{name}"').fetchall()
        lines = sorted(json.dumps({c: rewrite(_plain(v)) for c, v in zip(kept, row)}, sort_keys=True,
                                  ensure_ascii=False) for row in rows)
        (outdir / f"{name}.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        schema[name] = {"kind": kind, "columns": [[c, t] for c, t in columns],
                        "dropped": [c for c, _ in columns if c not in kept], "rows": len(lines)}
    con.close()
    (outdir / SCHEMA_FILE).write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return schema


def write_reuters(count: int, target: Path) -> Path:
    """The first `count` Reuters-21578 stories with a body, one .txt each, under `target`."""
    from bench.reuters import stories, write_corpus

    found = stories()
    if count > len(found):
        raise SystemExit(f"dump_tables: Reuters-21578 holds {len(found)} stories with a body, not {count}")
    write_corpus(target, found[:count])
    return target


def run_and_dump(source: Path, outdir: Path, keep_warehouse: bool) -> None:
    """A fresh `newsflow run` of `source`, dumped."""
    scratch = Path(tempfile.mkdtemp(prefix="dump_tables_"))
    warehouse = scratch / "warehouse"
    try:
        # Absolute, so that the path stored in runs.source is the one replaced by <source>.
        command = [str(BIN / "newsflow"), "run", "--source", str(source.resolve()), "--warehouse", str(warehouse)]
        print("dump_tables:", " ".join(command), file=sys.stderr)
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        (scratch / "run.log").write_text(done.stdout, encoding="utf-8")
        if done.returncode != 0:
            print(done.stdout[-4000:], file=sys.stderr)
            raise SystemExit(f"dump_tables: newsflow run exited {done.returncode} (log kept in {scratch})")
        schema = dump(warehouse, outdir, source)
        print(f"dump_tables: {len(schema)} tables and views written to {outdir}", file=sys.stderr)
    finally:
        if keep_warehouse:
            print(f"dump_tables: warehouse kept at {warehouse}", file=sys.stderr)
        elif (scratch / "warehouse").exists():
            shutil.rmtree(scratch, ignore_errors=True)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def compare(dir_a: Path, dir_b: Path) -> bool:
    """Print, per table, whether both dumps hold the same columns and rows; True when all do."""
    schema_a = json.loads((dir_a / SCHEMA_FILE).read_text(encoding="utf-8"))
    schema_b = json.loads((dir_b / SCHEMA_FILE).read_text(encoding="utf-8"))
    all_same = True
    for name in sorted(set(schema_a) | set(schema_b)):
        if name not in schema_a or name not in schema_b:
            print(f"{name}: differs: only in {dir_a if name in schema_a else dir_b}")
            all_same = False
            continue
        a, b = schema_a[name], schema_b[name]
        notes = []
        if sorted(map(tuple, a["columns"])) != sorted(map(tuple, b["columns"])):
            notes.append(f"columns {a['columns']} != {b['columns']}")
        elif a["columns"] != b["columns"]:
            # Rows are keyed by column name, so a new column order alone changes no row.
            print(f"{name}: note: column order {[c for c, _ in a['columns']]} -> {[c for c, _ in b['columns']]}")
        rows_a, rows_b = _lines(dir_a / f"{name}.jsonl"), _lines(dir_b / f"{name}.jsonl")
        if rows_a != rows_b:
            only_a = sorted(set(rows_a) - set(rows_b))
            only_b = sorted(set(rows_b) - set(rows_a))
            notes.append(f"rows {len(rows_a)} vs {len(rows_b)}; {len(only_a)} only in A, {len(only_b)} only in B"
                         + ("" if only_a or only_b else " (same rows, different multiplicity)"))
            notes += [f"  A: {row}" for row in only_a[:SHOWN_ROWS]] + [f"  B: {row}" for row in only_b[:SHOWN_ROWS]]
        if notes:
            all_same = False
            print(f"{name}: differs: " + "\n".join(notes))
        else:
            print(f"{name}: same ({len(rows_a)} rows)")
    print("all same" if all_same else "DIFFERENT")
    return all_same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dump_tables", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="newsflow run into a fresh warehouse, then dump it")
    run.add_argument("paths", nargs="+", metavar="SOURCE OUTDIR", help="SOURCE OUTDIR, or OUTDIR with --reuters")
    run.add_argument("--reuters", type=int, metavar="N", help="the first N Reuters-21578 stories as SOURCE")
    run.add_argument("--keep-warehouse", action="store_true", help="keep the run's warehouse and log")
    dump_command = commands.add_parser("dump", help="dump a warehouse a run already made")
    dump_command.add_argument("warehouse", type=Path)
    dump_command.add_argument("outdir", type=Path)
    dump_command.add_argument("--source", type=Path, help="the run's --source, replaced by <source> in texts")
    compare_command = commands.add_parser("compare", help="compare two dumps; exit 1 when they differ")
    compare_command.add_argument("dir_a", type=Path)
    compare_command.add_argument("dir_b", type=Path)
    args = parser.parse_args(argv)

    if args.command == "compare":
        return 0 if compare(args.dir_a, args.dir_b) else 1
    if args.command == "dump":
        dump(args.warehouse, args.outdir, args.source)
        return 0
    if args.reuters is not None:
        if len(args.paths) != 1:
            parser.error("run --reuters N takes OUTDIR only")
        with tempfile.TemporaryDirectory(prefix="dump_tables_reuters_") as corpus:
            run_and_dump(write_reuters(args.reuters, Path(corpus) / "reuters"), Path(args.paths[0]),
                         args.keep_warehouse)
        return 0
    if len(args.paths) != 2:
        parser.error("run takes SOURCE OUTDIR")
    run_and_dump(Path(args.paths[0]), Path(args.paths[1]), args.keep_warehouse)
    return 0


if __name__ == "__main__":
    sys.exit(main())
