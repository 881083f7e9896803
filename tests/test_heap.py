"""newsflow.heap: what a process has loaded is left out of later garbage collections, once."""

import gc
import os
import platform
import subprocess
import sys

import pytest

from newsflow import heap


def test_freeze_once_leaves_what_is_alive_out_of_collections_once_per_name():
    gc.unfreeze()
    heap.freeze_once.cache_clear()
    try:
        loaded = [[] for _ in range(10_000)]
        heap.freeze_once("test modules")
        frozen = gc.get_freeze_count()
        assert frozen >= len(loaded)
        # The count only falls as frozen objects die (a test session frees some all the time), and a
        # freeze adds every tracked object made since: these lists.
        made_later = [[] for _ in range(10_000)]
        heap.freeze_once("test modules")   # the same stage again (a second run in this process): no freeze
        assert gc.get_freeze_count() < frozen + len(made_later) // 2
        before = gc.get_freeze_count()
        heap.freeze_once("other modules")
        assert gc.get_freeze_count() > before + len(made_later) // 2
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


LARGE_BLOCKS_PROBE = """
import ctypes, sys
from newsflow import heap
if sys.argv[1] == "fixed":
    heap.return_large_blocks()
class MallInfo(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                      "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.mallinfo2.restype = MallInfo
libc.free(libc.malloc(8 << 20))         # a large block freed: glibc would raise its threshold to its size
before = libc.mallinfo2().hblks        # blocks in mappings of their own
block = libc.malloc(2 << 20)
print(libc.mallinfo2().hblks - before)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc")
def test_a_large_block_has_its_own_mapping_even_after_a_larger_one_was_freed():
    def mapped_blocks(mode: str) -> int:
        env = {k: v for k, v in os.environ.items() if k != heap.MMAP_THRESHOLD_VARIABLE}
        run = subprocess.run([sys.executable, "-c", LARGE_BLOCKS_PROBE, mode], capture_output=True, text=True,
                             check=True, env=env)
        return int(run.stdout)

    assert mapped_blocks("default") == 0   # glibc's own rule: the 2 MiB block came from the heap
    assert mapped_blocks("fixed") == 1


def test_the_processes_a_run_starts_inherit_the_large_block_setting(monkeypatch):
    monkeypatch.delenv(heap.MMAP_THRESHOLD_VARIABLE, raising=False)
    if platform.libc_ver()[0] != "glibc":
        pytest.skip("glibc's malloc")
    heap.return_large_blocks()
    child = subprocess.run([sys.executable, "-c", f"import os; print(os.environ['{heap.MMAP_THRESHOLD_VARIABLE}'])"],
                           capture_output=True, text=True, check=True)
    assert int(child.stdout) == heap.LARGE_BLOCK
