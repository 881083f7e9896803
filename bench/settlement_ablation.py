"""Entity settlement, step by step, on two dev sets and each set's two halves (issue 23's ablation table).

    .venv/bin/python -m bench.settlement_ablation [--steps ',1,1-2,1-3,1-4,1-5'] [--sets ecbplus-dev,conll2003-dev]

For each cumulative choice of tasks/entity_settlement.py's steps (through NEWSFLOW_SETTLEMENT_STEPS; ''
runs none), one `newsflow run` per set, scored with ../shared/devsets/score.py: ecbplus-dev's
cross-document `entity_links` on topics 1-10 (where rules are chosen) and 11-20 (reported beside them),
conll2003-dev's bag-of-mentions entity F1 on its first and second half of documents. Writes
bench/results/settlement_ablation.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import tempfile
from pathlib import Path

from bench.quality import DEVSETS, RESULTS, run_newsflow
from tasks.entity_settlement import STEPS_VARIABLE

MENTIONS = ("SELECT a.source_path, m.text, m.label, m.entity_id FROM entity_mentions m "
            "JOIN articles a USING (article_id)")


def _scorer(devsets: Path):
    spec = importlib.util.spec_from_file_location("devset_score", devsets / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _halves(items: list, first) -> tuple[list, list]:
    return [i for i in items if first(i)], [i for i in items if not first(i)]


def score_ecbplus(score, devsets: Path, warehouse: Path) -> dict:
    gold = _gold(devsets / "ecbplus-dev" / "entities.jsonl")
    rows = score.q(MENTIONS, str(warehouse))
    pred = [{"file": score.base(r["source_path"]), "text": r["text"], "entity_id": r["entity_id"]} for r in rows]
    first, second = _halves(gold, lambda g: int(g["topic"]) <= 10)
    return {"topics 1-10": score.link_score(first, pred), "topics 11-20": score.link_score(second, pred),
            "all": score.link_score(gold, pred)}


def score_conll(score, devsets: Path, warehouse: Path) -> dict:
    gold = _gold(devsets / "conll2003-dev" / "entities.jsonl")
    files = sorted({g["file"] for g in gold})
    first_files = set(files[:len(files) // 2])
    rows = score.q(MENTIONS, str(warehouse))
    pred = [{"file": score.base(r["source_path"]), "text": r["text"], "label": r["label"]} for r in rows]
    first_gold, second_gold = _halves(gold, lambda g: g["file"] in first_files)
    first_pred, second_pred = _halves(pred, lambda p: p["file"] in first_files)
    def figures(g, p):
        found = score.entity_f1(g, p)
        return {"f1": found["ALL"], "precision": found["ALL_precision"], "recall": found["ALL_recall"]}

    return {"first half": figures(first_gold, first_pred), "second half": figures(second_gold, second_pred),
            "all": figures(gold, pred)}


SCORERS = {"ecbplus-dev": score_ecbplus, "conll2003-dev": score_conll}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default=",1,1-2,1-3,1-4,1-5",
                        help="comma-separated step choices, each 'a-b' or one number; empty for none")
    parser.add_argument("--sets", default=",".join(SCORERS))
    parser.add_argument("--devsets", type=Path, default=DEVSETS)
    args = parser.parse_args(argv)
    score = _scorer(args.devsets)
    choices = [part.strip() for part in args.steps.split(",")]
    lines = ["| steps | set | half | F1 | precision | recall |", "|---|---|---|---:|---:|---:|"]
    for choice in choices:
        low, _, high = choice.partition("-")
        steps = ",".join(str(s) for s in range(int(low), int(high or low) + 1)) if choice else ""
        os.environ[STEPS_VARIABLE] = steps
        for name in args.sets.split(","):
            with tempfile.TemporaryDirectory(prefix="ablation-") as folder:
                warehouse = Path(folder) / name
                run_newsflow(args.devsets / name / "docs", warehouse, 0)
                for half, figures in SCORERS[name](score, args.devsets, warehouse).items():
                    lines.append(f"| {choice or 'none'} | {name} | {half} | {figures['f1']:.3f} | "
                                 f"{figures['precision']:.3f} | {figures['recall']:.3f} |")
                    print(lines[-1], flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "settlement_ablation.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
