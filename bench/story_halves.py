"""ecbplus-dev's story scores on its two halves, topics 1-10 (where story settings are chosen) and
11-20 (reported beside them), as bench/settlement_ablation.py splits ECB+ (issue 25).

    .venv/bin/python -m bench.story_halves WAREHOUSE [WAREHOUSE ...]

Each warehouse is a `newsflow run` over ../shared/devsets/ecbplus-dev/docs (bench.quality writes one
under --warehouses); scored with ../shared/devsets/score.py's story_score.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.quality import DEVSETS
from bench.settlement_ablation import _gold, _scorer


def story_halves(score, devsets: Path, warehouse: Path) -> dict:
    gold = _gold(devsets / "ecbplus-dev" / "stories.jsonl")
    rows = score.q("SELECT source_path, article_id, story_id FROM articles", str(warehouse))
    predicted = {score.base(r["source_path"]): r["story_id"] or r["article_id"] for r in rows}
    first = [g for g in gold if int(g["story"].split("_")[0]) <= 10]
    second = [g for g in gold if int(g["story"].split("_")[0]) > 10]
    return {"all": score.story_score(gold, predicted), "topics 1-10": score.story_score(first, predicted),
            "topics 11-20": score.story_score(second, predicted)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouses", type=Path, nargs="+")
    parser.add_argument("--devsets", type=Path, default=DEVSETS)
    args = parser.parse_args(argv)
    score = _scorer(args.devsets)
    print("| warehouse | half | B-cubed F1 | P | R | pairs P | pairs R | stories |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for warehouse in args.warehouses:
        for half, figures in story_halves(score, args.devsets, warehouse).items():
            print(f"| {warehouse} | {half} | {figures['bcubed_f1']:.3f} | {figures['bcubed_precision']:.3f} | "
                  f"{figures['bcubed_recall']:.3f} | {figures['pair_precision']:.3f} | {figures['pair_recall']:.3f} | "
                  f"{figures['pred_clusters']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
