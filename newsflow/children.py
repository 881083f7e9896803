"""Processes newsflow starts end with the process that started them, however that one ends.

A run killed with SIGKILL runs no cleanup code, so what it started must end by itself:
- the temporary Prefect API asks the kernel for SIGKILL when the run's process exits (Linux's
  parent-death signal, prctl PR_SET_PDEATHSIG), through `ending_with_this_process`;
- an NER worker process is a child of multiprocessing's fork server, not of the run, and the fork
  server lives as long as any worker does, so a worker watches the run's process itself and exits
  when it is gone (`end_with_the_run`). The fork server and multiprocessing's resource tracker then
  see their last client go and exit too.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from typing import Callable

PR_SET_PDEATHSIG = 1   # from <linux/prctl.h>


def _prctl():
    # Elsewhere than Linux there is no parent-death signal: children are only stopped on a clean exit.
    return ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def end_with_the_run() -> None:
    """Call in a multiprocessing worker: it exits as soon as the process that started it is gone.

    A worker busy with a batch would otherwise finish it first (a minute of NER, say) with nobody
    left to read the result.
    """
    started_by = multiprocessing.parent_process()
    if started_by is None:
        return

    def exit_when_gone() -> None:
        started_by.join()        # its sentinel: a pipe the starting process alone holds open
        os._exit(1)

    threading.Thread(target=exit_when_gone, name="end-with-the-run", daemon=True).start()


def ending_with_this_process() -> Callable[[], None]:
    """A `preexec_fn` for subprocess.Popen: the child gets SIGKILL when this process exits.

    The kernel sends it when the thread that started the child ends, so start children from the
    main thread. Resolved here, not in the child: between fork and exec nothing may be imported.
    """
    prctl, parent = _prctl(), os.getpid()

    def end_with_this_process() -> None:
        if prctl:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)

    return end_with_this_process
