"""The scale plan: from `make bench`'s full runs (bench/results/scale_plan.json), what each stage costs
per 1,000 articles, which stages spread over workers and which run in the flow's one process, and the
wall time this predicts for a 1,000,000-article day on 8 and on 32 two-core workers.

    .venv/bin/python -m bench.scale_plan [--results bench/results/scale_plan.json]

The model, per 1,000 articles, from a run's `stage_seconds` (busy seconds: batches overlap, so a
stage's seconds are summed over the threads and processes that ran it):
- spread over workers: ingest, clean, extract, quality, and the batches' fingerprints (dedup less
  copies and stories). On W two-core workers they take their seconds / (2 W).
- one process, beside the workers: each batch's copies and its load into the run's transaction
  (flows/settle.py). They run while later batches are extracted, so they cost wall time only where
  they take longer than the workers' share.
- one process, after the last batch: the run's stories and the commit. Their cost per 1,000 grows
  with the run (the story index grows); the figure of the largest run measured is a lower bound for
  a 1M-article run.
predicted wall = max(spread / (2 W), copies + batch loads) + stories; the serial share is the time
no worker can take off: (max(0, copies + loads - spread / (2 W)) + stories) / predicted wall.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "scale_plan.json"
SPREAD = ("ingest", "clean", "extract", "quality")
DAY = 1_000_000
WORKERS = (8, 32)


def per_thousand(result: dict) -> dict[str, float]:
    """Seconds per 1,000 articles of each part of one full run."""
    seconds, thousands = result["full"]["stage_seconds"], result["articles"] / 1000
    copies, stories = seconds.get("copies", 0.0), seconds.get("stories", 0.0)
    parts = {stage: seconds.get(stage, 0.0) for stage in SPREAD}
    parts["fingerprint"] = seconds.get("dedup", 0.0) - copies - stories
    parts |= {"copies": copies, "load": seconds.get("load", 0.0), "stories": stories,
              "wall": result["full"]["wall_seconds"]}
    return {name: value / thousands for name, value in parts.items()}


def predict(costs: dict[str, float], workers: int, articles: int = DAY) -> dict[str, float]:
    thousands = articles / 1000
    spread = sum(costs[s] for s in (*SPREAD, "fingerprint")) * thousands / (2 * workers)
    beside = (costs["copies"] + costs["load"]) * thousands
    stories = costs["stories"] * thousands
    wall = max(spread, beside) + stories
    return {"workers": workers, "spread_s": spread, "beside_s": beside, "stories_s": stories, "wall_s": wall,
            "serial_share": (max(0.0, beside - spread) + stories) / wall}


def plan(results: list[dict]) -> str:
    sized = sorted(results, key=lambda r: r["articles"])
    costs = {r["articles"]: per_thousand(r) for r in sized}
    names = list(next(iter(costs.values())))
    lines = ["| seconds per 1,000 articles | where | " + " | ".join(f"at {n:,}" for n in costs) + " |",
             "|---|---|" + "---:|" * len(costs)]
    where = {**{s: "workers" for s in (*SPREAD, "fingerprint")}, "copies": "flow process, per batch",
             "load": "flow process, per batch + commit", "stories": "flow process, after the last batch",
             "wall": "(the run's wall time, 2 cores)"}
    for name in names:
        lines.append(f"| {name} | {where[name]} | " + " | ".join(f"{c[name]:.2f}" for c in costs.values()) + " |")
    largest = costs[sized[-1]["articles"]]
    lines += ["", f"A {DAY:,}-article day, from the {sized[-1]['articles']:,}-article run's costs:", "",
              "| two-core workers | spread over workers s | copies + loads s | stories s | predicted wall s "
              "| serial share |", "|---:|---:|---:|---:|---:|---:|"]
    for workers in WORKERS:
        p = predict(largest, workers)
        lines.append(f"| {workers} | {p['spread_s']:,.0f} | {p['beside_s']:,.0f} | {p['stories_s']:,.0f} "
                     f"| {p['wall_s']:,.0f} | {p['serial_share']:.0%} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    print(plan(json.loads(args.results.read_text())["sizes"]))


if __name__ == "__main__":
    main()
