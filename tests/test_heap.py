"""newsflow.heap: what a process has loaded is left out of later garbage collections, once."""

import gc
import subprocess
import sys

from newsflow import heap


def test_freeze_once_leaves_what_is_alive_out_of_collections_once_per_name():
    gc.unfreeze()
    heap.freeze_once.cache_clear()
    try:
        loaded = [object() for _ in range(1000)]
        heap.freeze_once("test modules")
        frozen = gc.get_freeze_count()
        assert frozen >= len(loaded)
        made_later = [[] for _ in range(1000)]
        heap.freeze_once("test modules")   # the same stage again (a second run in this process): no freeze
        assert gc.get_freeze_count() == frozen
        heap.freeze_once("other modules")
        assert gc.get_freeze_count() >= frozen + len(made_later)
    finally:
        gc.unfreeze()
        heap.freeze_once.cache_clear()


def test_the_heap_is_frozen_at_exit_after_the_exit_handlers_registered_later():
    script = ("import atexit, gc\n"
              "from newsflow import heap\n"
              "heap.freeze_at_exit()\n"
              "atexit.register(lambda: print('later handler sees', gc.get_freeze_count()))\n"
              "import sys\n"
              "sys.exit(0)\n")
    # Python's own handlers run last-registered first: the freeze comes after the later handler.
    probe = ("import atexit, gc\n"
             "atexit.register(lambda: print('at the end', gc.get_freeze_count() > 0))\n" + script)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["later handler sees 0", "at the end True"]
