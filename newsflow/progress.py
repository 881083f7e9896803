"""A run's progress: articles through named-entity recognition (most of a run's time) of the run's new
articles, with rate and time left, in the log (the terminal and the flow run's logs) at most every few
seconds, and as a Prefect progress artifact on the batches' flow run page."""

from __future__ import annotations

import threading
import time

EVERY_SECONDS = 5.0


class RunProgress:
    """Counts articles done of `total` from any thread (batches run in threads, NER chunks finish in any order)."""

    def __init__(self, total: int, logger, every: float | None = None):
        from prefect.artifacts import create_progress_artifact

        self.total, self.done, self._logger = total, 0, logger
        self._every = EVERY_SECONDS if every is None else every
        self._lock = threading.Lock()
        self._started = self._said = time.monotonic()
        self._artifact = create_progress_artifact(0.0, key="progress",
                                                  description=f"articles through entity recognition, of {total}")

    def __repr__(self) -> str:
        # A stage's cache key holds its parameters' reprs (flows/staging.py): progress is not what it computes.
        return "RunProgress"

    def finish(self) -> None:
        """Every batch is through: 100 %, though some articles were set aside before NER or a retried
        run's batches came from Prefect's cache without recognising anything again."""
        self.advance(self.total)

    def advance(self, articles: int) -> None:
        from prefect.artifacts import update_progress_artifact

        with self._lock:
            if self.done == self.total and articles:
                return               # told already
            self.done = min(self.total, self.done + articles)
            now = time.monotonic()
            if now - self._said < self._every and self.done < self.total:
                return
            self._said = now
            done, elapsed = self.done, now - self._started
        rate = done / elapsed if elapsed > 0 else 0.0
        left = f", about {_duration((self.total - done) / rate)} left" if rate and done < self.total else ""
        self._logger.info("progress: %d/%d articles (%d%%), %.1f articles/s%s", done, self.total,
                          100 * done // max(self.total, 1), rate, left)
        update_progress_artifact(self._artifact, 100.0 * done / max(self.total, 1))


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
