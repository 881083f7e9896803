"""The warehouse's single-writer lock: one run (or maintenance) writes at a time.

Kept apart from newsflow.warehouse so that `newsflow run` can take it before importing DuckDB or
Prefect: a run on a busy warehouse is refused in a fraction of a second.
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

LOCK_FILE = ".write.lock"
# (warehouse, thread) pairs this process holds the lock for. `newsflow run` takes the lock before
# Prefect starts and the flow it runs takes it again in the same thread: a second flock on a new
# file handle would refuse its own process.
_held: set[tuple[Path, int]] = set()


class WarehouseBusy(RuntimeError):
    """Raised when another run holds the warehouse's write lock."""


def _lock_or_refuse(handle, warehouse: Path) -> None:
    # flock, not a pid file: the kernel drops it when its process dies, even by SIGKILL.
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise WarehouseBusy(
            f"another newsflow run is writing to {warehouse}; wait for it to finish and run again"
        ) from None


@contextmanager
def write_lock(warehouse: Path) -> Iterator[None]:
    """Hold the warehouse's single-writer lock for the whole run, or fail at once."""
    held = (warehouse.resolve(), threading.get_ident())
    if held in _held:
        yield
        return
    warehouse.mkdir(parents=True, exist_ok=True)
    with open(warehouse / LOCK_FILE, "a+") as handle:
        _lock_or_refuse(handle, warehouse)
        handle.seek(0), handle.truncate(), handle.write(str(os.getpid())), handle.flush()
        _held.add(held)
        try:
            yield
        finally:
            _held.discard(held)
            fcntl.flock(handle, fcntl.LOCK_UN)
