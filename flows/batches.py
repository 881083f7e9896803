"""How a run's inputs are cut into batches, and where the batches run.

The batches run in the task runner of the pipeline's `process-batches` subflow: threads here,
BATCHES_IN_FLIGHT at once (the runner's max_workers is the only bound), or a Dask cluster.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from prefect import get_run_logger
from prefect.runtime import flow_run

# Batches between ingest and their last check at once: while one is in NER, the next is cleaned and
# checked, so the NER processes never wait. Memory grows with this, not with the size of the source.
BATCHES_IN_FLIGHT = 3


def batch_bounds(count: int, batch_size: int) -> list[tuple[int, int]]:
    """(start, end) of each batch of `count` inputs: batch_size each, but the first and the last an
    eighth of it, so NER starts sooner and the work left once it ends is short."""
    edge = max(1, batch_size // 8)
    if count <= 2 * edge:
        return [(0, count)] if count else []
    middle = count - 2 * edge
    batches = -(-middle // batch_size)   # of equal size, none over batch_size
    starts = [0, *(edge + middle * i // batches for i in range(batches)), count - edge]
    return list(zip(starts, starts[1:] + [count]))


class BatchTurns:
    """Batches take turns, in batch order, at the stages before their NER (check, clean, check, fingerprint).

    Those stages run in this process's threads, which share one GIL: side by side, three batches were
    cleaned at a third of the speed each, and the NER workers waited for the first (4 s with both idle at
    the start of a 2,000-article run). One at a time, the first is through soonest and the workers start."""

    def __init__(self, order: list[int]):
        self._order, self._next = list(order), 0
        self._changed = threading.Condition()

    def __repr__(self) -> str:
        # A stage's cache key holds its parameters' reprs (flows/staging.py): turns are not what it computes.
        return "BatchTurns"

    @contextlib.contextmanager
    def turn(self, number: int):
        """Wait for the batches before `number` to have had their turn; the next one's starts when this ends.
        A batch not in the order (or run again by a retry, its turn past) waits for none."""
        with self._changed:
            self._changed.wait_for(lambda: number not in self._order[self._next:]
                                   or self._order[self._next] == number)
        try:
            yield
        finally:
            with self._changed:
                if self._next < len(self._order) and self._order[self._next] == number:
                    self._next += 1
                    self._changed.notify_all()


class CompletedTasksAtDebug(logging.Filter):
    """Prefect logs every task run's end ("Task run 'check-914' - Finished in state Completed()") at INFO: a
    run's log was mostly those lines. A task run that completed is logged at DEBUG instead, so the log
    shows the batches, the run's own lines and whatever failed (Prefect logs those at ERROR)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and record.getMessage().startswith("Finished in state Completed"):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            # The logger let it through at INFO, and Prefect's handlers take every level it passes on.
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


def completed_tasks_at_debug() -> None:
    """Install CompletedTasksAtDebug on Prefect's task-run logger (once per process)."""
    task_runs = logging.getLogger("prefect.task_runs")
    if not any(isinstance(installed, CompletedTasksAtDebug) for installed in task_runs.filters):
        task_runs.addFilter(CompletedTasksAtDebug())


def started_by_logger(parent_flow):
    """The logger of the flow run that started these batches (the run a person opens in the UI): its
    logs then show each batch's progress. This subflow's own logger when it runs alone."""
    from prefect.client.orchestration import get_client
    from prefect.logging.loggers import flow_run_logger

    parent_id = flow_run.parent_flow_run_id
    if not parent_id:
        return get_run_logger()
    with get_client(sync_client=True) as client:
        return flow_run_logger(flow_run=client.read_flow_run(parent_id), flow=parent_flow)


def dask_runner(address: str, workers: int):
    """A DaskTaskRunner on the cluster at `address`, or on a LocalCluster of `workers` processes for "local"."""
    from prefect_dask import DaskTaskRunner

    if address == "local":
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True})
    return DaskTaskRunner(address=address)
