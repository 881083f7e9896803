"""Ctrl-C during `newsflow run`: the run ends within seconds, in one line, with exit code 130.

The first Ctrl-C interrupts the flow, so Prefect records its runs as crashed. But Prefect's task
runner then waits for the task threads still at work (a batch's NER can take a minute), so after
a short grace the process ends without them; a second Ctrl-C ends it at once. Prefect's own report
of the crash (a traceback) is silenced: the user reads one line saying what happened and what to do.

Two things stand between a Ctrl-C and a true line. DuckDB runs Python's signal handlers while a
query runs and turns the KeyboardInterrupt into its own RuntimeError("Query interrupted"), which
code catching Exception would take for a failure (`caused_by_ctrl_c` tells them apart). And an
interrupt raised inside the run's commit could stop it half-way: while one is under way the
handler raises nothing, and the ending waits for the commit to finish before saying it did.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from typing import Callable

INTERRUPTED = 130   # the shell's exit code for a command ended by SIGINT
GRACE_SECONDS = 3.0


class RunInterrupts:
    """Ends the process on SIGINT: `farewell()` gives the line to print, `cleanup()` runs first."""

    def __init__(self, farewell: Callable[[], str], cleanup: Callable[[], None],
                 committing: Callable[[], bool] = lambda: False):
        self.farewell, self.cleanup, self.committing = farewell, cleanup, committing
        self.interrupted = threading.Event()
        self._ending = threading.Lock()

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._on_interrupt)

    def _on_interrupt(self, signum, frame) -> None:
        if self._ending.locked():
            return                    # already ending, in this thread or another
        if self.committing():
            # Not into the commit: cleanup() waits for it to finish, and the line then says it did.
            self.interrupted.set()
            logging.disable(logging.CRITICAL)
            threading.Thread(target=self.end_now, daemon=True).start()
            return
        if self.interrupted.is_set():
            self.end_now()            # a second Ctrl-C: no more grace
        self.interrupted.set()
        logging.disable(logging.CRITICAL)
        threading.Timer(GRACE_SECONDS, self.end_now).start()
        raise KeyboardInterrupt

    def end_now(self) -> None:
        """Clean up, print the one line and exit with 130; never returns."""
        if not self._ending.acquire(blocking=False):
            threading.Event().wait()  # another thread is ending the process
        logging.disable(logging.CRITICAL)
        try:
            self.cleanup()
            line = self.farewell()
        except BaseException as error:   # the line must still come
            line = f"newsflow: run interrupted ({type(error).__name__} while stopping)"
        print(line, file=sys.stderr, flush=True)
        sys.stdout.flush()
        # Not sys.exit: that would wait for Prefect's task threads, the very wait this cuts short.
        os._exit(INTERRUPTED)


def caused_by_ctrl_c(error: BaseException) -> bool:
    """Whether `error` was raised because of a Ctrl-C (a KeyboardInterrupt turned into another exception)."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, KeyboardInterrupt):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False
