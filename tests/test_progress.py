"""A run's progress: articles through entity recognition, in the log and as a Prefect progress artifact."""

import datetime as dt
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
    began = dt.datetime.now(dt.timezone.utc)   # the harness's server holds earlier tests' runs too
    summary = _run(source, tmp_path / "warehouse", batch_size=2)
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["progress"])))
        runs = {client.read_flow_run(artifact.flow_run_id).parent_task_run_id for artifact in found
                if artifact.created >= began}
    ours = [a for a in found if a.created >= began]
    assert [(a.type, a.description, a.data) for a in ours] == \
        [("progress", "articles through entity recognition, of 5", 100.0)], found
    assert runs   # on the batches' flow run (a subflow of the pipeline's)
    told = [record.getMessage() for record in caplog.records if record.getMessage().startswith("progress: ")]
    # Each batch of the five seeds as it is through, every line with the rate, the last with no time left.
    done = [int(line.split("progress: ")[1].split("/")[0]) for line in told]
    assert len(done) == 4 and done == sorted(done) and done[-1] == 5, told
    assert all("articles/s" in line for line in told) and "left" in told[0] and "left" not in told[-1]
    assert summary["articles_loaded"] == 5


def test_progress_reaches_the_whole_when_the_batches_are_through_though_fewer_were_told(prefect_harness):
    import logging

    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterId

    from newsflow.progress import RunProgress

    @flow
    def told_three_of_five() -> RunProgress:
        progress = RunProgress(5, logging.getLogger("test"), every=0.0)
        progress.advance(3)      # two of the five set aside before NER, or a batch from Prefect's cache
        progress.finish()
        progress.finish()
        return progress

    progress = told_three_of_five()
    with get_client(sync_client=True) as client:
        artifact = client.read_artifacts(artifact_filter=ArtifactFilter(id=ArtifactFilterId(any_=[progress._artifact])))
    assert progress.done == 5 and [a.data for a in artifact] == [100.0]
