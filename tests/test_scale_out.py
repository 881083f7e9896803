"""The same flow on a Dask cluster (prefect-dask's DaskTaskRunner on a LocalCluster) loads the
same rows as the default thread runner."""

import shutil

import pytest

from flows.pipeline import news_pipeline
from newsflow.warehouse import open_read_only
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow


def _rows(warehouse) -> dict:
    with open_read_only(warehouse) as con:
        # input_order counts from each run's start, run_id names the run: all else must be equal.
        return {table: sorted(con.execute(f"select * {skip} from {table}").fetchall(), key=repr)
                for table, skip in (("articles", "exclude (run_id, input_order)"), ("entity_mentions", ""),
                                    ("entities", ""), ("date_mentions", ""), ("quotes", ""))}


def test_dask_local_cluster_gives_the_same_rows_as_threads(tmp_path, prefect_harness):
    source = tmp_path / "seeds"
    shutil.copytree(SEEDS, source)
    on_threads = news_pipeline(source=str(source), warehouse=str(tmp_path / "threads"), workers=2, batch_size=2)
    on_dask = news_pipeline(source=str(source), warehouse=str(tmp_path / "dask"), workers=2, batch_size=2,
                            dask_address="local")
    assert on_dask["articles_loaded"] == on_threads["articles_loaded"] == 5
    assert _rows(tmp_path / "dask") == _rows(tmp_path / "threads")
