"""The maintenance flow on a real warehouse: compaction, snapshot expiry, re-validation."""

import shutil

from flows.maintenance import warehouse_maintenance
from flows.pipeline import news_pipeline
from newsflow.warehouse import open_read_only
from tests.conftest import SEEDS


def test_compaction_keeps_every_row_and_revalidation_is_recorded(tmp_path, prefect_harness):
    source = tmp_path / "seeds"
    source.mkdir()
    for number, seed in enumerate(sorted(SEEDS.glob("*.txt"))):   # one run per seed: many small files
        shutil.copy(seed, source)
        news_pipeline(source=str(source), warehouse=str(tmp_path / "warehouse"), workers=1)

    def rows():
        with open_read_only(tmp_path / "warehouse") as con:
            return {t: sorted(con.execute(f"select * from {t}").fetchall(), key=repr)
                    for t in ("articles", "entity_mentions", "entities")}

    before = rows()
    docs = tmp_path / "warehouse" / "quality_docs"
    newest = sorted(docs.iterdir(), key=lambda folder: folder.stat().st_mtime)[-2:]
    result = warehouse_maintenance(warehouse=str(tmp_path / "warehouse"), keep_days=0, keep_docs=2)
    assert rows() == before
    assert sorted(docs.iterdir()) == sorted(newest) and result["data_docs_removed"] == 3
    assert result["parquet_files_after"] < result["parquet_files_before"]
    assert result["snapshots_after"] < result["snapshots_before"]
    assert all(r["success"] for r in result["results"]) and result["failing"] == {}
    with open_read_only(tmp_path / "warehouse") as con:
        stored = con.execute("select suite, count(*), sum(element_count) filter (where suite = 'clean' "
                             "and expectation = 'expect_column_values_to_be_unique') from quality_results "
                             "where run_id = ? group by suite order by suite", [result["run_id"]]).fetchall()
    assert [(suite, total) for suite, _, total in stored] == [("clean", 5), ("extracted", None)]
