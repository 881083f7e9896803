"""Settling a run's batches into the lake: each batch's copies found against the lake and the batches
settled before it, and its rows loaded into the run's one open transaction (newsflow.warehouse.OpenRun);
then, in the writer's turn, the run's stories, all at once; then the one commit, with the run's record.

Batches settle in batch order, whichever finished first: batch 3 waits for batch 2 to settle, never
for a later one, so the same inputs give the same copies (and so the same stories) on threads or on
any cluster. Each settles while the batches after it are still cleaned and extracted.

Stories are found once for the whole run, not batch by batch: an article's story is refined against
every story of the run (tasks/stories.py refine_stories), which is worth 0.05 of ECB+'s story F1, and
settling stories per batch lost 0.04 of it (README, "The scale plan"). They are the part of a run
that does not spread over workers.

On a shared lake the batches settle outside the writer's turn; in its turn, if another writer
committed meanwhile, the transaction is discarded and every batch settles again against the lake as
it is then (`commit`), so cross-run copies and stories are always settled against the last snapshot.
"""

from __future__ import annotations

import time

import pyarrow.parquet as pq

from flows.stages import commit_run, find_duplicates, find_stories, load_batch
from flows.staging import Staging
from newsflow.warehouse import Warehouse
from tasks import load


class Settlement:
    """One run's settled batches, in the order they settled, and its open transaction."""

    def __init__(self, store: Warehouse, staging: Staging, run_id: str, threshold: float, full_refresh: bool,
                 corrections: list | None = None):
        self.lake = store.open_run()
        self.staging, self.run_id, self.threshold, self.full_refresh = staging, run_id, threshold, full_refresh
        self.corrections = corrections or []     # a person's aliases file (tasks/entity_settlement.py)
        self.settled: list[int] = []
        self.loaded: set[str] = set()
        self.links: dict[str, str | None] = {}   # the run's articles' duplicate_of, as the last batch left it
        self.settled_again = 0                    # batches settled a second time in the writer's turn
        self.copies_seconds = 0.0                 # spent finding copies, batch by batch

    def __reduce__(self):
        # prefect-dask pickles the flow's parameters with every task it sends to the cluster: the settlement
        # (an open transaction, the run's links) stays in the flow's process, and travels as nothing.
        return (_left_behind, ())

    def settle(self, number: int) -> None:
        """Find one batch's copies and load its rows; the batches before it have settled."""
        staging, started = self.staging, time.perf_counter()
        found = staging.dedup_outputs(number)
        find_duplicates(self.lake, staging.batch_files("articles", number), staging.batch_files("prints", number),
                        self.threshold, found)
        self.copies_seconds += time.perf_counter() - started
        load_batch(self.lake, staging.for_load(number), self.run_id)
        self.loaded.update(path for kind in load.STAGED for path in staging.batch_files(kind, number))
        self.settled.append(number)
        # A later batch may bring an earlier copy of an earlier batch's article: its link changes then.
        for row in pq.read_table(found["links"], columns=["article_id", "duplicate_of"]).to_pylist():
            self.links[row["article_id"]] = row["duplicate_of"]

    def commit(self, run: load.RunRecord) -> None:
        """In the writer's turn: settle every batch again if another writer committed since they settled, settle
        the lake's entities (one per real thing, across batches and runs), find the run's stories against the
        lake as it is now, load what the run staged besides its batches, and commit with the run's record."""
        if self.lake.moved_on():
            started, numbers, self.settled_again = time.perf_counter(), self.settled, len(self.settled)
            self.discard()
            for number in numbers:
                self.settle(number)
            run.stage_seconds["settling_again"] = time.perf_counter() - started
        staging, started = self.staging, time.perf_counter()
        if self.settled:
            self.lake.load_once(staging.loaded_for_load(self.loaded), self.run_id)
        # A person's corrections apply on every run, one with nothing new included.
        merged = self.lake.settle_entities(self.run_id, self.corrections) if self.settled or self.corrections else {}
        run.stage_seconds["entities"] = time.perf_counter() - started
        started = time.perf_counter()
        if self.settled:
            articles = [path for number in self.settled for path in staging.batch_files("articles", number)]
            mentions = [path for number in self.settled for path in staging.batch_files("mentions", number)]
            find_stories(self.lake, articles, mentions, self.links, self.run_id, self.full_refresh,
                         staging.story_outputs(), merged)
            links = pq.read_table(staging.story_outputs()["links"], columns=["duplicate_of"])
            run.duplicates = len(links) - links["duplicate_of"].null_count
        # dedup: the batches' fingerprints, copies and stories, as before; copies and stories also apart, as
        # the parts that run in this process (bench/throughput.py's scale plan reads them).
        seconds = run.stage_seconds
        seconds["copies"], seconds["stories"] = self.copies_seconds, time.perf_counter() - started
        seconds["dedup"] = seconds.get("dedup", 0.0) + seconds["copies"] + seconds["stories"]
        load_batch(self.lake, staging.rest_for_load(self.loaded), self.run_id)
        commit_run(self.lake, run)   # the record carries the load time: it is committed with the rows

    def discard(self) -> None:
        """Roll the transaction back; nothing settled is kept."""
        self.lake.discard()
        self.settled, self.loaded, self.links = [], set(), {}


def _left_behind() -> None:
    """What a Settlement unpickles to away from the flow's process: nothing."""
    return None
