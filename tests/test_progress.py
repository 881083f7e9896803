"""A run's progress: articles through entity recognition, in the log and as a Prefect progress artifact."""

import shutil

from tests.test_pipeline import _run


def test_a_run_tells_its_progress_as_a_prefect_progress_artifact_and_in_the_log(tmp_path, prefect_harness,
                                                                                   seed_source, monkeypatch, caplog):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from newsflow import progress

    monkeypatch.setattr(progress, "EVERY_SECONDS", 0.0)   # every chunk through, not every 5 s
    source = tmp_path / "source"
    shutil.copytree(seed_source, source)
    summary = _run(source, tmp_path / "warehouse", batch_size=2)
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["progress"])))
        runs = {client.read_flow_run(artifact.flow_run_id).parent_task_run_id for artifact in found}
    ours = [a for a in found if a.description == "articles through entity recognition, of 5"]
    assert ours and ours[0].type == "progress" and ours[0].data == 100.0, found
    assert runs   # on the batches' flow run (a subflow of the pipeline's)
    told = [record.getMessage() for record in caplog.records if record.getMessage().startswith("progress: ")]
    # Each batch of the five seeds as it is through, every line with the rate, the last with no time left.
    done = [int(line.split("progress: ")[1].split("/")[0]) for line in told]
    assert len(done) == 4 and done == sorted(done) and done[-1] == 5, told
    assert all("articles/s" in line for line in told) and "left" in told[0] and "left" not in told[-1]
    assert summary["articles_loaded"] == 5
