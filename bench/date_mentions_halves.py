"""Date mentions on tempeval3-silver by halves, recomputed from a warehouse's clean text in seconds.

    .venv/bin/python -m bench.date_mentions_halves --warehouse WH [--errors]

`make quality` runs the whole pipeline for one figure; a change to tasks/date_mentions.py only
changes what is found in clean_text, so this reads each article's clean_text and publication date
from a warehouse already run over tempeval3-silver/docs (bench.quality leaves one), finds the
mentions again with the current code, and scores them with the dev set's own score.py, over all
documents and over each half of the documents sorted by name (choose on the first, check on the
second). The offsets of clean_text differ from the gold's, as in score.py: a mention matches by text.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SET = ROOT.parent / "shared" / "devsets" / "tempeval3-silver"
NEWSFLOW = Path(sys.executable).parent / "newsflow"


def articles(warehouse: Path, cache: Path) -> list[dict]:
    """(file, clean_text, published_date) of every article, read once and cached beside the warehouse."""
    if cache.exists():
        return json.loads(cache.read_text())
    done = subprocess.run([str(NEWSFLOW), "query", "select source_path, clean_text, published_date from articles",
                           "--warehouse", str(warehouse), "--format", "json"], capture_output=True, text=True, check=True)
    rows = [{"file": row["source_path"].split("/")[-1], "clean_text": row["clean_text"],
             "published_date": row["published_date"]} for row in json.loads(done.stdout)]
    cache.write_text(json.dumps(rows))
    return rows


def main(argv: list[str] | None = None) -> int:
    import datetime as dt

    import importlib

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--gold", type=Path, default=SET / "date_mentions.jsonl")
    parser.add_argument("--dump", type=Path, help="write every predicted row, with its context, to this JSON file")
    parser.add_argument("--module", default="tasks.date_mentions",
                        help="the module whose find_date_mentions runs (an older copy on sys.path, for an ablation)")
    args = parser.parse_args(argv)
    find_date_mentions = importlib.import_module(args.module).find_date_mentions
    spec = importlib.util.spec_from_file_location("devset_score", SET.parent / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    docs = articles(args.warehouse, args.warehouse.parent / f"{args.warehouse.name}.articles.json")
    gold = [json.loads(line) for line in args.gold.read_text().splitlines() if line.strip()]
    files = sorted({doc["file"] for doc in docs} | {row["file"] for row in gold})
    halves = {"first half": set(files[:len(files) // 2]), "second half": set(files[len(files) // 2:]), "all": set(files)}
    predicted = []
    for doc in docs:
        published = dt.date.fromisoformat(doc["published_date"][:10]) if doc["published_date"] else None
        for row in find_date_mentions(doc["file"], doc["clean_text"], published):
            predicted.append({"file": doc["file"], "text": row["text"], "resolved_date": row["resolved_date"],
                              "context": doc["clean_text"][max(0, row["start_char"] - 50):row["end_char"] + 30]})
    for name, chosen in halves.items():
        figures = score.mention_score([g for g in gold if g["file"] in chosen],
                                      [p for p in predicted if p["file"] in chosen])
        print(f"{name:11} recall {figures['resolved_recall']:.4f} precision {figures['precision']:.4f} "
              f"(rows {figures['pred_rows']}, gold {figures['gold']})")
    if args.dump:
        args.dump.write_text(json.dumps(predicted, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
