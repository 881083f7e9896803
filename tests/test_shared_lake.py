"""A shared lake: the DuckLake catalog in a real PostgreSQL (tests/postgres.py), Parquet files under
--data-path, writers that run at once, a writer killed while it commits, the catalog down, and an
embedded warehouse moved onto PostgreSQL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsflow import catalog as shared_catalog
from newsflow import warehouse as wh
from tests.conftest import SEEDS, copy_of, free_port, newsflow, newsflow_in_process, snapshot

pytestmark = pytest.mark.slow
SEED_FILES = sorted(p.name for p in SEEDS.iterdir())


def new_lake(postgres, root: Path, name: str) -> dict:
    """A new empty database for a lake's catalog, a data path and this machine's working folder."""
    return {"catalog": "postgres:" + postgres.create_database(name), "data_path": str(root / f"{name}-data"),
            "warehouse": str(root / f"{name}-work")}


def _warehouse(lake: dict) -> wh.Warehouse:
    return wh.Warehouse(lake["warehouse"], lake["catalog"], lake["data_path"])


def _lake_arguments(lake: dict) -> list[str]:
    return ["--warehouse", lake["warehouse"], "--catalog", lake["catalog"], "--data-path", lake["data_path"]]


def _rows(lake: dict, sql: str, **parameters) -> list[dict]:
    with _warehouse(lake).reading() as con:
        return con.execute(sql, parameters or None).to_arrow_table().to_pylist()


def _run_snapshots(lake: dict) -> dict[str, int]:
    """run id -> how many snapshots carry it."""
    rows = _rows(lake, "select commit_extra_info::json->>'run_id' as run_id, count(*) as n from ducklake_snapshots('lake') "
                       "where commit_extra_info is not null group by all")
    return {row["run_id"]: row["n"] for row in rows}


@pytest.fixture(scope="module")
def shared_runs(postgres, seed_source, seed_warehouse, tmp_path_factory) -> dict:
    """The seeds run into a PostgreSQL lake, again (nothing new), then with full_refresh, in this process."""
    from flows.pipeline import news_pipeline

    lake = new_lake(postgres, tmp_path_factory.mktemp("shared"), "runs")
    runs = [news_pipeline(source=str(seed_source), workers=1, **lake),
            news_pipeline(source=str(seed_source), workers=1, **lake)]
    after_second = snapshot(_warehouse(lake))
    runs.append(news_pipeline(source=str(seed_source), workers=1, full_refresh=True, **lake))
    return {"lake": lake, "runs": runs, "after_second": after_second}


def test_a_postgres_lake_holds_what_the_embedded_one_does_and_re_runs_incrementally(shared_runs, seed_warehouse):
    lake, (first, second, refreshed) = shared_runs["lake"], shared_runs["runs"]
    assert (first["articles_loaded"], second["articles_loaded"], second["unchanged_skips"]) == (5, 0, 5)
    assert refreshed["articles_loaded"] == 5
    # The same rows, ids, stories and copies as the embedded seed warehouse, before and after the refresh.
    assert shared_runs["after_second"] == snapshot(seed_warehouse)
    assert snapshot(_warehouse(lake)) == snapshot(seed_warehouse)
    # One snapshot per run, named by its run id; the working folder holds no catalog and no data.
    assert _run_snapshots(lake) == {run["run_id"]: 1 for run in (first, second, refreshed)}
    assert not (Path(lake["warehouse"]) / wh.CATALOG_FILE).exists()
    assert not (Path(lake["warehouse"]) / wh.DATA_DIR).exists()
    assert list(Path(lake["data_path"]).rglob("*.parquet"))
    assert "PostgreSQL catalog" in first["warehouse"] and "runs-data" in first["warehouse"]


def test_query_reads_a_postgres_lake_with_time_travel_and_nothing_else(shared_runs, tmp_path):
    lake, (first, *_) = shared_runs["lake"], shared_runs["runs"]
    version = _rows(lake, "select snapshot_id from ducklake_snapshots('lake') "
                          "where commit_extra_info::json->>'run_id' = $run_id", run_id=first["run_id"])[0]["snapshot_id"]
    done = newsflow_in_process("query", f"select count(*) as n from articles at (version => {version})",
                               "--format", "csv", *_lake_arguments(lake))
    assert (done.returncode, done.stdout.splitlines()) == (0, ["n", "5"])
    history = newsflow_in_process("query", "sql/queries/run_snapshots.sql", "--format", "csv", *_lake_arguments(lake))
    assert history.returncode == 0 and first["run_id"] in history.stdout
    # NEWSFLOW_CATALOG / NEWSFLOW_DATA_PATH stand for the options.
    os.environ.update({shared_catalog.CATALOG_VARIABLE: lake["catalog"],
                       shared_catalog.DATA_PATH_VARIABLE: lake["data_path"]})
    try:
        by_environment = newsflow_in_process("query", "select count(*) as n from entities", "--format", "csv",
                                             "--warehouse", lake["warehouse"])
    finally:
        del os.environ[shared_catalog.CATALOG_VARIABLE], os.environ[shared_catalog.DATA_PATH_VARIABLE]
    assert by_environment.returncode == 0 and int(by_environment.stdout.splitlines()[1]) > 50
    other = lake["catalog"].removeprefix("postgres:").replace("dbname=runs", "dbname=postgres")
    refused = {
        "another database": f"select * from postgres_scan('{other}', 'pg_catalog', 'pg_database')",
        "the catalog's session": "select * from postgres_query('__ducklake_metadata_lake', 'select 1')",
        "a write": "delete from articles",
        "a file outside the lake": f"select * from read_text('{SEEDS / SEED_FILES[0]}')",
        "a copy out": f"copy (select 1) to '{tmp_path / 'out.csv'}'",
    }
    for what, sql in refused.items():
        done = newsflow_in_process("query", sql, *_lake_arguments(lake))
        assert done.returncode == 2 and done.stderr.count("\n") == 1, (what, done.stderr)
    assert not (tmp_path / "out.csv").exists()
    # Even SQL that reached the catalog's PostgreSQL session could not write: the session is read-only there.
    with wh.open_for_query(_warehouse(lake)) as con:
        [[read_only]] = con.execute("select * from postgres_query('__ducklake_metadata_lake', "
                                    "'select current_setting(''default_transaction_read_only'')')").fetchall()
    assert read_only == "on"


def test_maintenance_on_a_postgres_lake_compacts_and_keeps_every_row(shared_runs, prefect_harness):
    from flows.maintenance import warehouse_maintenance

    lake = shared_runs["lake"]
    before = snapshot(_warehouse(lake))
    result = warehouse_maintenance(keep_days=0, **lake)
    assert result["parquet_files_after"] < result["parquet_files_before"]
    assert snapshot(_warehouse(lake)) == before


def test_a_catalog_that_cannot_be_reached_is_one_line_naming_host_and_port_and_nothing_is_written(tmp_path):
    port = free_port()   # nothing listens there
    work, data = tmp_path / "work", tmp_path / "data"
    catalog = f"postgres:dbname=lake host=127.0.0.1 port={port} user=newsflow"
    for command in ("run", "query"):
        arguments = ["--source", str(SEEDS)] if command == "run" else ["select 1"]
        done = newsflow(command, *arguments, "--warehouse", str(work), "--catalog", catalog, "--data-path", str(data))
        assert done.returncode == 1, done.stderr
        assert done.stderr.count("\n") == 1 and f"127.0.0.1:{port}" in done.stderr, done.stderr
        assert not work.exists() and not data.exists()
    # A password on the command line, and a catalog without its data path, are refused before anything starts.
    with_password = newsflow("run", "--warehouse", str(work), "--catalog", catalog + " password=secret",
                             "--data-path", str(data))
    no_data_path = newsflow("query", "select 1", "--warehouse", str(work), "--catalog", catalog)
    assert with_password.returncode == 2 and "PGPASSWORD" in with_password.stderr
    assert "secret" not in with_password.stderr + with_password.stdout
    assert no_data_path.returncode == 2 and "--data-path" in no_data_path.stderr


# Writers at once ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api_env(prefect_harness) -> dict:
    """The environment of a subprocess run, recorded on the test session's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    return os.environ | {"PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_LOGGING_LEVEL": "WARNING"}


def start_run(source: Path, lake: dict, env: dict, *options: str) -> subprocess.Popen:
    command = [str(Path(sys.executable).parent / "newsflow"), "run", "--source", str(source), "--workers", "1",
               *_lake_arguments(lake), *options]
    # A session of its own, so a kill reaches the whole run as a machine crash would.
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    return out + err


def seed_sources(root: Path) -> tuple[Path, Path]:
    """Two sources, as two machines would get: three seeds, and the other two with a reprint of the second
    seed under another name (a line added: a near-duplicate of it)."""
    first, second = root / "machine-a", root / "machine-b"
    first.mkdir(), second.mkdir()
    for name in SEED_FILES[:3]:
        shutil.copy(SEEDS / name, first / name)
    for name in SEED_FILES[3:]:
        shutil.copy(SEEDS / name, second / name)
    (second / "reprint.txt").write_text((SEEDS / SEED_FILES[1]).read_text() + "\nThis story was updated.\n")
    return first, second


def _outcome(rows: list[dict]) -> dict:
    """Stories as sets of inputs, and each copy's original, by source path: what runs decided, whatever ids."""
    path_of = {row["article_id"]: row["source_path"] for row in rows}
    stories: dict[str, set] = {}
    for row in rows:
        stories.setdefault(row["story_id"], set()).add(row["source_path"])
    # A copy and its original as a pair: which of two copies dated alike is the earlier follows the order
    # inputs were read, counted from each run's start, which two runs at once share to the second.
    return {"stories": sorted(sorted(paths) for paths in stories.values()),
            "copies": sorted(sorted([row["source_path"], path_of[row["duplicate_of"]]])
                             for row in rows if row["duplicate_of"])}


def check_two_writers(lake: dict, root: Path, environment: dict) -> None:
    """What two writers that ran at once over seed_sources' two sources (by run source) must leave in the lake:
    both loaded once, each run one snapshot, entity counts equal to mentions, and the copies and stories that
    the same two runs, one after the other in the order they committed, leave in an embedded warehouse."""
    articles = _rows(lake, "select source_path, article_id, duplicate_of, story_id from articles")
    assert sorted(a["source_path"] for a in articles) == sorted([*SEED_FILES, "reprint.txt"])
    mismatched = _rows(lake, """
        select e.entity_id from entities e
        left join (select entity_id, count(*) as n, count(distinct article_id) as a from entity_mentions
                   group by entity_id) m using (entity_id)
        where e.mention_count is distinct from m.n or e.article_count is distinct from m.a""")
    assert mismatched == []
    # Each run is one snapshot, and they ran at once: each started before the other finished.
    recorded = _rows(lake, "select run_id, source, started_at, finished_at, stage_seconds from runs "
                           "order by finished_at")
    assert _run_snapshots(lake) == {run["run_id"]: 1 for run in recorded} and len(recorded) == 2
    a, b = recorded
    assert a["started_at"] < b["finished_at"] and b["started_at"] < a["finished_at"]
    assert all("waiting_for_lake" in run["stage_seconds"] for run in recorded)
    # Each run settled its copies and stories against what the lake held when its turn came: as if it had
    # run after the other. The reprint and its original, in different runs, are linked.
    embedded = root / "one-after-the-other"
    for run in recorded:
        done = subprocess.run([str(Path(sys.executable).parent / "newsflow"), "run", "--source", run["source"],
                               "--warehouse", str(embedded), "--workers", "1"],
                              env=environment, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
    with wh.open_read_only(embedded) as con:
        one_after_the_other = con.execute("select source_path, article_id, duplicate_of, story_id from articles"
                                          ).to_arrow_table().to_pylist()
    assert _outcome(articles) == _outcome(one_after_the_other)
    assert _outcome(articles)["copies"] == [[SEED_FILES[1], "reprint.txt"]]


def _advisory_locks(lake: dict) -> list[tuple[int, bool]]:
    """(backend pid, granted) of every session holding or awaiting the lake's commit lock."""
    key = shared_catalog.COMMIT_LOCK_KEY
    with shared_catalog.connect(lake["catalog"], autocommit=True) as con:
        return con.execute("select pid, granted from pg_locks where locktype = 'advisory' "
                           "and classid::bigint = %s and objid::bigint = %s",
                           (key >> 32, key & 0xFFFFFFFF)).fetchall()


def _wait_for(found, process: subprocess.Popen, timeout: float = 300):
    deadline = time.monotonic() + timeout
    while not (value := found()):
        assert process.poll() is None, f"the run ended before the moment to test: {process.communicate()}"
        assert time.monotonic() < deadline, "the run never reached the moment to test"
        time.sleep(0.02)
    return value


def test_a_writer_killed_while_it_commits_leaves_the_lake_and_the_lock_free(postgres, tmp_path, api_env,
                                                                           seed_source):
    lake = new_lake(postgres, tmp_path, "killed")
    first, _ = seed_sources(tmp_path)
    finish(start_run(first, lake, api_env))
    before = snapshot(_warehouse(lake))
    snapshots_before = _rows(lake, "select count(*) as n from ducklake_snapshots('lake')")
    # This test holds the lock first, so the writer waits for it with everything staged; it is killed
    # the moment it gets its turn, in dedup or the commit.
    with shared_catalog.commit_lock(lake["catalog"]):
        writer = start_run(seed_source, lake, api_env)
        _wait_for(lambda: any(not granted for _, granted in _advisory_locks(lake)), writer)
    _wait_for(lambda: any(granted for _, granted in _advisory_locks(lake)), writer)
    os.killpg(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    # PostgreSQL ends the dead writer's session, and with it the lock.
    deadline = time.monotonic() + 30
    while _advisory_locks(lake) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _advisory_locks(lake) == []
    assert snapshot(_warehouse(lake)) == before
    assert _rows(lake, "select count(*) as n from ducklake_snapshots('lake')") == snapshots_before
    # The next writer gets the lock at once and finishes the work.
    done = finish(start_run(seed_source, lake, api_env))
    assert sorted(r["source_path"] for r in _rows(lake, "select source_path from articles")) == SEED_FILES, done


def test_a_shared_lake_removes_only_untracked_files_older_than_a_writer_could_still_be_committing(
        postgres, tmp_path, prefect_harness, seed_source):
    from flows.pipeline import news_pipeline

    lake = new_lake(postgres, tmp_path, "orphans")
    news_pipeline(source=str(seed_source), workers=1, **lake)
    table_folder = next(Path(lake["data_path"]).rglob("articles"))
    young, old = table_folder / "being-written-elsewhere.parquet", table_folder / "left-by-a-dead-writer.parquet"
    for path in (young, old):
        shutil.copy(next(table_folder.glob("*.parquet")), path)
    three_days_ago = time.time() - 3 * 86400
    os.utime(old, (three_days_ago, three_days_ago))
    news_pipeline(source=str(seed_source), workers=1, **lake)
    assert young.exists() and not old.exists()


def test_an_embedded_warehouse_moves_onto_postgres_with_its_history(postgres, seed_reruns, seed_source, tmp_path,
                                                                    api_env):
    embedded = copy_of(seed_reruns["warehouse"], tmp_path / "embedded")
    history = newsflow_in_process("query", "sql/queries/run_snapshots.sql", "--format", "csv",
                                  "--warehouse", str(embedded)).stdout
    catalog = "postgres:" + postgres.create_database("moved")
    done = newsflow("move-catalog", "--warehouse", str(embedded), "--catalog", catalog)
    assert done.returncode == 0, done.stderr
    lake = {"catalog": catalog, "data_path": str(embedded / wh.DATA_DIR), "warehouse": str(embedded)}
    # Every run's snapshot and every row came along; the rows of the seeds' first run still by time travel.
    moved = newsflow_in_process("query", "sql/queries/run_snapshots.sql", "--format", "csv", *_lake_arguments(lake))
    assert moved.stdout == history and history.count("\n") == 4
    assert snapshot(_warehouse(lake)) == seed_reruns["after_refresh"]
    # A second move onto the same catalog is refused in one line; the moved lake takes new runs.
    again = newsflow("move-catalog", "--warehouse", str(embedded), "--catalog", catalog)
    assert again.returncode == 2 and "already holds a lake" in again.stderr
    finish(start_run(seed_source, lake, api_env))
    assert len(_run_snapshots(lake)) == 4
    assert _rows(lake, "select unchanged_skips from runs order by started_at desc limit 1") == [{"unchanged_skips": 5}]
