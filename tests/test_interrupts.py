"""Ctrl-C's two traps (newsflow/interrupts.py): DuckDB turns it into another exception, and it must not
land inside a commit. The whole Ctrl-C of a run is tests/test_crash_safety.py's."""

import os
import signal
import subprocess
import sys
import textwrap
import threading

import duckdb
import pytest

from newsflow.interrupts import INTERRUPTED, caused_by_ctrl_c


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def test_a_ctrl_c_during_a_duckdb_query_is_told_from_a_failure():
    previous = signal.signal(signal.SIGINT, _raise_keyboard_interrupt)
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
    try:
        with pytest.raises(Exception) as raised:   # not a KeyboardInterrupt: DuckDB's own error
            duckdb.connect().execute("select count(*) from range(20000000000) t(i) where i % 7 = 3").fetchall()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert not isinstance(raised.value, KeyboardInterrupt)
    assert caused_by_ctrl_c(raised.value)


def test_an_error_of_its_own_is_not_taken_for_a_ctrl_c():
    with pytest.raises(RuntimeError) as raised:
        try:
            duckdb.connect().execute("select * from no_such_table")
        except duckdb.Error as error:
            raise RuntimeError("the load failed") from error
    assert not caused_by_ctrl_c(raised.value)
    assert not caused_by_ctrl_c(ValueError("bad date"))


def test_a_ctrl_c_during_a_commit_lets_it_finish_and_then_says_it_committed(tmp_path):
    # The commit holds the warehouse's commit lock, as OpenRun.commit does; the interrupt arrives inside it.
    script = textwrap.dedent("""
        import os, signal, time
        from newsflow import warehouse
        from newsflow.interrupts import RunInterrupts

        committed = False
        interrupts = RunInterrupts(
            farewell=lambda: "committed" if committed else "nothing committed",
            cleanup=lambda: warehouse.hold_commits(timeout=20), committing=warehouse.commit_under_way)
        interrupts.install()
        with warehouse._COMMITS:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1.0)          # the commit goes on: the handler raised nothing into it
            committed = True
        time.sleep(60)               # what the run does next: the ending does not wait for it
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=50)
    assert (done.returncode, done.stderr) == (INTERRUPTED, "committed\n")
