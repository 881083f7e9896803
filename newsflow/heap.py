"""How a run's processes use their heap: what a process has loaded is kept out of Python's cyclic
garbage collector, and large blocks are returned to the system as they are freed.

Prefect, Great Expectations and spaCy leave some 400,000 objects behind their imports, alive until
the process ends. Every full collection walks them all: a seeds run made eight, a second of its
fifteen, and Python's last collection as it exits took another second after the summary was
printed. `gc.freeze()` moves every object alive now to a generation the collector never walks;
objects made later are collected as before, and memory is still freed when counts reach zero.
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import gc
import os
import platform

# glibc's malloc serves a block this large or larger from a mapping of its own, unmapped when freed.
LARGE_BLOCK = 1 << 20
MMAP_THRESHOLD_VARIABLE = "MALLOC_MMAP_THRESHOLD_"   # what glibc reads as a process starts
M_MMAP_THRESHOLD = -3                                # mallopt's parameter for the same


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


def return_large_blocks() -> None:
    """Large blocks (Arrow buffers, DuckDB's results) from mappings of their own, for this process and
    the processes it starts (the NER workers, a served deployment's flow runs), on glibc.

    By default glibc raises its threshold for that each time such a block is freed, up to 32 MiB, and
    later blocks come from the heap, where a freed one leaves a hole that Python's objects (in arenas
    of their own) never fill: a 5,000-article run's flow process held 196 MB of freed heap as its
    stories began. A fixed threshold keeps it at 22-44 MB (peak RSS of the run's processes 1,188 ->
    1,078 MiB); more blocks are mapped and unmapped, which timed within the machine's drift (the story
    stage of 20,000 articles, three alternated pairs: 85.0 s before, 87.1 s after). A person's own
    setting of the variable wins.
    """
    if platform.libc_ver()[0] != "glibc":
        return
    threshold = os.environ.setdefault(MMAP_THRESHOLD_VARIABLE, str(LARGE_BLOCK))
    if threshold.isdigit():
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, int(threshold))
