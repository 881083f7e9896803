"""The run's worker processes: CPU-bound stage work outside the flow process's GIL.

The flow process runs Prefect's threads, the GX checks and entity resolution. Reading inputs,
counting repeated lines and recognising entities run in a `WorkerPool`, one process per core,
which the flow starts for a run large enough to gain from it, hands to the tasks that use it and
stops before dedup. A worker loads the spaCy model once (tasks/extract.py), when it is first
asked to, so a run with nothing new to recognise only reads.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import signal
from concurrent.futures import ProcessPoolExecutor

from newsflow import children


class WorkerPool:
    """`workers` processes, started on first use. For one worker it runs everything in this process."""

    def __init__(self, workers: int):
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None

    def __repr__(self) -> str:
        # Stage tasks' cache keys read their parameters' repr: the pool must not make them differ by run.
        return f"WorkerPool({self.workers})"

    @property
    def started(self) -> bool:
        return self._executor is not None

    def start(self) -> WorkerPool:
        if self.workers > 1 and self._executor is None:
            _start_helpers_deaf_to_ctrl_c()
            # forkserver, not fork: the flow process runs Prefect's threads, which fork would copy mid-flight.
            self._executor = ProcessPoolExecutor(max_workers=self.workers, initializer=_start_worker,
                                                 mp_context=multiprocessing.get_context("forkserver"))
        return self

    def run(self, function, *args):
        """function(*args) in a worker process when the pool runs, else in this one."""
        if self._executor is None:
            return function(*args)
        return self._executor.submit(function, *args).result()

    def map(self, function, *iterables):
        """function over the iterables in the worker processes (the pool is started if it was not)."""
        self.start()
        if self._executor is None:
            return list(map(function, *iterables))
        return list(self._executor.map(function, *iterables))

    def map_in_order(self, function, *iterables):
        """map's results one by one as each is ready, in order (the pool is started if it was not)."""
        self.start()
        if self._executor is None:
            return map(function, *iterables)
        return self._executor.map(function, *iterables)

    def on_every_worker(self, function, *args) -> None:
        """Have each worker run function(*args) soon (e.g. load the model), without waiting for it."""
        if self._executor is not None:
            for _ in range(self.workers):   # an idle worker takes each
                self._executor.submit(function, *args)

    def shutdown(self) -> None:
        """Stop the worker processes; their memory is free when this returns."""
        if self._executor is not None:
            executor, self._executor = self._executor, None
            executor.shutdown(cancel_futures=True)


def _start_helpers_deaf_to_ctrl_c() -> None:
    """Start multiprocessing's resource tracker and fork server with Ctrl-C blocked, as they inherit it,
    and the fork server in a process group of its own (newsflow/own_process_group.py).

    A Ctrl-C at the terminal reaches every process of the run's process group: the fork server too, until
    it has imported newsflow.own_process_group, and it ignores Ctrl-C only once its preloads are imported:
    a Ctrl-C in those first seconds printed its KeyboardInterrupt traceback above the run's farewell line.
    A blocked signal stays blocked across fork and exec; the flow process decides what Ctrl-C means. The
    mask is this thread's only (the pool may start in a task's thread): the process still takes Ctrl-C in
    its main thread."""
    import multiprocessing.forkserver
    import multiprocessing.resource_tracker

    # Out of the run's process group once it has started: no Ctrl-C at a terminal reaches it or its workers.
    multiprocessing.forkserver.set_forkserver_preload(["newsflow.own_process_group", "__main__"])
    # The tracker blocks Ctrl-C for its own start and then unblocks it (whatever it was before): first.
    multiprocessing.resource_tracker.ensure_running()
    unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)


def _start_worker() -> None:
    # The flow process decides what Ctrl-C means, and a worker would print a KeyboardInterrupt traceback:
    # out of the terminal's reach already (own_process_group), it ignores one sent to it alone too.
    # A worker ends when the flow process does, even killed, without finishing its batch (newsflow.children).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    children.end_with_the_run()


def abandon() -> None:
    """For a process about to end at once (Ctrl-C): free the semaphores of its pools now, as a normal
    exit would, without waiting for the workers, which end by themselves when this process has gone.
    Left to the end, multiprocessing's resource tracker prints a warning about each."""
    multiprocessing.util._run_finalizers(0)   # the semaphores' finalizers, as multiprocessing's own atexit runs them
