"""The run's worker processes: CPU-bound stage work outside the flow process's GIL.

The flow process runs Prefect's threads, the GX checks and entity resolution. Reading inputs,
counting repeated lines and recognising entities run in a pool of processes, one per core,
started once per run and stopped before dedup. A worker loads the spaCy model the first time it
recognises entities (tasks/extract.py), so a run with nothing new to recognise only reads.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import signal
import threading
from concurrent.futures import ProcessPoolExecutor

from newsflow import children

# Pools of this process, by size: started when a run needs them, stopped by the flow.
_pools: dict[int, ProcessPoolExecutor] = {}
_lock = threading.Lock()


def start(workers: int) -> ProcessPoolExecutor | None:
    """The pool of `workers` processes, started if it was not (none for a single worker)."""
    if workers < 2:
        return None
    with _lock:
        if workers not in _pools:
            # forkserver, not fork: the flow process runs Prefect's threads, which fork would copy mid-flight.
            _pools[workers] = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                                                  mp_context=multiprocessing.get_context("forkserver"))
        return _pools[workers]


def _start_worker() -> None:
    # Ctrl-C at the terminal reaches the workers too: the flow process decides what it means, and a
    # worker would print a KeyboardInterrupt traceback. A worker ends when the flow process does,
    # even killed, without finishing its batch (newsflow.children).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    children.end_with_the_run()


def running(workers: int) -> ProcessPoolExecutor | None:
    with _lock:
        return _pools.get(workers)


def run(workers: int, function, *args):
    """function(*args) in a worker process when the pool runs, else in this one."""
    pool = running(workers)
    return pool.submit(function, *args).result() if pool else function(*args)


def abandon() -> None:
    """For a process about to end at once (Ctrl-C): free the semaphores of its pools now, as a normal
    exit would, without waiting for the workers, which end by themselves when this process has gone.
    Left to the end, multiprocessing's resource tracker prints a warning about each."""
    multiprocessing.util._run_finalizers(0)   # the semaphores' finalizers, as multiprocessing's own atexit runs them


def shutdown() -> None:
    """Stop every worker process this process started (the flow calls this when its batches end)."""
    with _lock:
        while _pools:
            _, pool = _pools.popitem()
            pool.shutdown(cancel_futures=True)
