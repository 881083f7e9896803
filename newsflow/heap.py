"""What a process has loaded, kept out of Python's cyclic garbage collector.

Prefect, Great Expectations and spaCy leave some 400,000 objects behind their imports, alive until
the process ends. Every full collection walks them all: a seeds run made eight, a second of its
fifteen, and Python's last collection as it exits took another second after the summary was
printed. `gc.freeze()` moves every object alive now to a generation the collector never walks;
objects made later are collected as before, and memory is still freed when counts reach zero.
"""

from __future__ import annotations

import atexit
import functools
import gc


@functools.cache
def freeze_once(what: str) -> None:
    """Leave every object alive now out of later collections, once per process for each `what`
    (the modules a stage imported, say). Objects alive now that later become unreachable cycles
    stay until the process ends, so a process that runs many flows (a test session) freezes once."""
    gc.freeze()


def freeze_at_exit() -> None:
    """Skip Python's last collection as the process ends: the memory goes back to the system either
    way. Runs after the exit handlers registered later (Prefect's, which send what they hold)."""
    atexit.register(gc.freeze)
