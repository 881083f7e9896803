"""`make quality`: newsflow over every dev set in ../shared/devsets, scored beside the naive baseline.

    .venv/bin/python -m bench.quality [--sets conll2003-dev,tempeval3-silver] [--score-only] [--baselines]
                                      [--extra-devsets ../devsets-extra]

Each set's docs/ folder is run into a fresh warehouse under bench/results/warehouses/<set>/ (the
sets themselves stay in ../shared/devsets), scored with the dev sets' own score.py, and printed as
one table: set, metric, newsflow, naive baseline, goal. The baseline figures are the ones
../shared/devsets/baselines.py prints, kept in bench/quality_baselines.json; --baselines runs it
again (about 2 minutes) and rewrites that file. Results go to bench/results/quality.{md,json}.

Content kept (conll2003-dev, tempeval3-silver: wire stories with no site furniture): the share of
the input's non-blank lines whose every character ended up in clean_text or in a field (title,
byline, dateline, credits, contact, the publication date), as clean_text_map and removed_spans
say. A quarantined file loses all its lines.

Sets built outside ../shared/devsets are optional: trafilatura-eval (bench/trafilatura_eval.py
builds it from trafilatura's own evaluation pages into ../devsets-extra) is scored as the share of
its `with` snippets kept and `without` snippets removed, per half of its files and overall, beside
trafilatura's default extract; when its folder is absent it is printed as skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tasks.clean import FIELD_RULES  # noqa: E402
from tasks.ingest import decode  # noqa: E402

DEVSETS = ROOT.parent / "shared" / "devsets"
EXTRA_DEVSETS = ROOT.parent / "devsets-extra"
RESULTS = ROOT / "bench" / "results"
BASELINES = ROOT / "bench" / "quality_baselines.json"
NEWSFLOW = Path(sys.executable).parent / "newsflow"

# What each set is scored on: (score.py kind, gold file); "content_kept" is computed here.
SCORES = {
    "conll2003-dev": [("entities", "entities.jsonl"), ("publication_dates", "publication_dates.jsonl"),
                      ("content_kept", None)],
    "tempeval3-silver": [("date_mentions", "date_mentions.jsonl"), ("publication_dates", "publication_dates.jsonl"),
                         ("content_kept", None)],
    "ecbplus-dev": [("stories", "stories.jsonl"), ("entity_links", "entities.jsonl")],
    "polnear-quotes": [("quotes", "quotes.jsonl")],
    "mediacloud-2020-pages": [("web_dates", "publication_dates.jsonl")],
    "trafilatura-eval": [("snippets", "snippets.jsonl")],
}
# Sets looked for under --extra-devsets, skipped when absent (built by a bench script, not shipped).
EXTRA_SETS = {"trafilatura-eval"}
# The figures shown per kind, and the goals of issues 13-18: (figure, label, goal).
# A goal is a minimum, or "baseline" (no worse than the naive baseline's figure).
FIGURES = {
    "entities": [("ALL", "entity F1", 0.71), ("PER", "entity F1 PER", "baseline"),
                 ("ORG", "entity F1 ORG", "baseline"), ("LOC", "entity F1 LOC", "baseline"),
                 ("MISC", "entity F1 MISC", "baseline"), ("ALL_precision", "entity precision", None),
                 ("ALL_recall", "entity recall", None)],
    "publication_dates": [("date_accuracy", "publication date accuracy", 0.98)],
    "date_mentions": [("resolved_recall", "date mention recall", 0.80), ("precision", "date mention precision", 0.75)],
    "stories": [("bcubed_f1", "story B-cubed F1", 0.90), ("bcubed_precision", "story B-cubed precision", 0.85)],
    # Issue 23: name mentions of one participant linked into one entity across a topic's articles.
    "entity_links": [("f1", "cross-document entity F1", 0.90), ("precision", "cross-document entity precision", 0.97),
                     ("recall", "cross-document entity recall", None)],
    "quotes": [("end_to_end_recall", "quote end-to-end recall", 0.75), ("quote_precision", "quote precision", 0.95),
               ("attribution_accuracy", "quote attribution", 0.85)],
    "web_dates": [("precision_1day", "web date precision", 0.98), ("coverage_1day", "web date coverage", 0.92)],
    # Issue 25: page text on pages nobody tuned for; halves are files sorted by name, rules chosen on h1.
    "snippets": [(f"{side}{half}", f"{label}{name}", None)
                 for side, label in (("with_kept", "with snippets kept"), ("without_removed", "without snippets removed"))
                 for half, name in (("_h1", ", first half"), ("_h2", ", second half"), ("", ""))],
    "content_kept": [("content_kept", "content kept", 0.998),
                     ("content_kept_loaded", "content kept, loaded files only", None)],
}
# How baselines.py names each kind's figures (its web_dates line holds one result per htmldate mode).
BASELINE_KINDS = {"entities": "conll2003-dev", "date_mentions": "tempeval3-silver", "stories": "ecbplus-dev",
                  "web_dates": "mediacloud-2020-pages", "quotes": "polnear-quotes"}


def run_newsflow(docs: Path, warehouse: Path, workers: int) -> dict:
    """One full run into a fresh warehouse; its wall time and exit code."""
    shutil.rmtree(warehouse, ignore_errors=True)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    command = [str(NEWSFLOW), "run", "--source", str(docs), "--warehouse", str(warehouse)]
    if workers:
        command += ["--workers", str(workers)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    (warehouse.parent / f"{warehouse.name}.log").write_text(done.stdout + done.stderr)
    return {"seconds": round(time.perf_counter() - started, 1), "exit_code": done.returncode}


def query(sql: str, warehouse: Path) -> list[dict]:
    done = subprocess.run([str(NEWSFLOW), "query", sql, "--warehouse", str(warehouse), "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"newsflow query failed on {warehouse}: {done.stderr.strip()[:300]}")
    return json.loads(done.stdout)


def score(kind: str, gold: Path, warehouse: Path) -> dict:
    done = subprocess.run([sys.executable, str(gold.parent.parent / "score.py"), kind, str(gold), str(warehouse),
                           "--newsflow", str(NEWSFLOW)], capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"score.py {kind} failed: {done.stderr.strip()[:300]}")
    return json.loads(done.stdout)


def content_kept(docs: Path, warehouse: Path) -> dict:
    """Share of the inputs' non-blank lines found whole in clean_text or in a field (module docstring)."""
    covered: dict[str, list[tuple[int, int]]] = {}
    lost_by: dict[str, list[tuple[int, int, str]]] = {}
    for row in query("select a.source_path, m.raw_start as s, m.raw_start + m.length as e from articles a "
                     "join clean_text_map m using (article_id)", warehouse):
        covered.setdefault(row["source_path"], []).append((row["s"], row["e"]))
    for row in query("select a.source_path, r.start_char as s, r.end_char as e, r.rule from articles a "
                     "join removed_spans r using (article_id)", warehouse):
        if row["rule"] in FIELD_RULES:
            covered.setdefault(row["source_path"], []).append((row["s"], row["e"]))
        else:
            lost_by.setdefault(row["source_path"], []).append((row["s"], row["e"], row["rule"]))
    lines = found = loaded_lines = 0
    lost_rules: Counter = Counter()
    examples = []
    for path in sorted(docs.rglob("*.txt")):
        relative = path.relative_to(docs).as_posix()
        text = decode(path.read_bytes())[0].replace("\u00a0", " ")
        kept = bytearray(len(text))
        for start, end in covered.get(relative, []):
            kept[start:end] = b"\1" * (end - start)
        offset = 0
        for line in text.split("\n"):
            start, offset = offset, offset + len(line) + 1
            if not line.strip():
                continue
            lines += 1
            loaded_lines += relative in covered
            if all(kept[start + i] or ch.isspace() for i, ch in enumerate(line)):
                found += 1
                continue
            why = sorted({rule for s, e, rule in lost_by.get(relative, []) if s < start + len(line) and e > start})
            why = why or (["file not loaded"] if relative not in covered else ["not in clean_text"])
            lost_rules.update(why)
            if len(examples) < 40:
                examples.append({"file": relative, "line": line.strip()[:120], "rules": why})
    return {"content_kept": round(found / max(lines, 1), 4), "lines": lines, "found": found,
            "content_kept_loaded": round(found / max(loaded_lines, 1), 4), "lines_of_loaded_files": loaded_lines,
            "lost_by_rule": dict(lost_rules.most_common()), "lost_examples": examples}


def trafilatura_eval_scores(set_dir: Path, warehouse: Path) -> tuple[dict, dict]:
    """Snippet scores of the run and of trafilatura's default extract (about 20 s, so computed each time)."""
    from bench import trafilatura_eval

    rows = trafilatura_eval.snippets(set_dir)
    return ({"snippets": trafilatura_eval.score_texts(rows, trafilatura_eval.warehouse_texts(warehouse))},
            trafilatura_eval.score_texts(rows, trafilatura_eval.baseline_texts(set_dir)))


def recompute_baselines(devsets: Path) -> dict:
    """Run ../shared/devsets/baselines.py (about 2 minutes) and keep its figures per set and kind."""
    done = subprocess.run([sys.executable, str(devsets / "baselines.py")], capture_output=True, text=True, check=True)
    figures: dict[str, dict] = {}
    for line in done.stdout.splitlines():
        result = json.loads(line)
        kind = next(k for k, s in BASELINE_KINDS.items() if s == result["set"])
        if kind == "stories" and "bcubed_f1" not in result:   # ecbplus-dev's second line: its entities
            kind = "entity_links"
        if kind == "web_dates":
            result = result["htmldate fast"] | {"baseline": "htmldate find_date, fast"}
        figures.setdefault(result.pop("set"), {})[kind] = result
    return figures


def goal_met(value, goal, baseline) -> bool | None:
    if goal is None or value is None:
        return None
    threshold = baseline if goal == "baseline" else goal
    return None if threshold is None else value >= threshold


def table_rows(results: dict, baselines: dict) -> list[dict]:
    rows = []
    for name, result in results.items():
        rows.append({"set": name, "metric": "files loaded / quarantined",
                     "newsflow": f"{result['loaded']} / {result['quarantined']}", "baseline": None,
                     "goal": "0 quarantined", "met": result["quarantined"] == 0})
        for kind, figures in result["scores"].items():
            base = baselines.get(name, {}).get(kind, {})
            if kind == "content_kept":
                base = {"content_kept": 1.0, "content_kept_loaded": 1.0}   # the naive baseline reads the whole file
            if kind == "snippets":
                base = result.get("baseline", {})
            for key, label, goal in FIGURES[kind]:
                value = figures.get(key)
                rows.append({"set": name, "metric": label, "newsflow": value, "baseline": base.get(key),
                             "goal": (f">= baseline" if goal == "baseline" else f">= {goal}" if goal else ""),
                             "met": goal_met(value, goal, base.get(key))})
    return rows


def markdown(rows: list[dict], results: dict) -> str:
    show = lambda v: "—" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)
    out = ["| set | metric | newsflow | naive baseline | goal | met |", "|---|---|---:|---:|---|---|"]
    out += [f"| {r['set']} | {r['metric']} | {show(r['newsflow'])} | {show(r['baseline'])} | {r['goal']} | "
            f"{'' if r['met'] is None else 'yes' if r['met'] else 'NO'} |" for r in rows]
    out.append("")
    timed = [f"{name} {r['run']['seconds']} s" for name, r in results.items() if r.get("run")]
    if timed:
        out.append("Run time per set (one `newsflow run`, machine shared, so rough): " + ", ".join(timed))
    for name, result in results.items():
        kept = result["scores"].get("content_kept")
        if kept and kept["lost_by_rule"]:
            out.append(f"{name}: {kept['lines'] - kept['found']} of {kept['lines']} lines lost, by rule: " +
                       ", ".join(f"{rule} {n}" for rule, n in kept["lost_by_rule"].items()))
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SCORES), help="comma-separated dev sets (default: all)")
    parser.add_argument("--devsets", type=Path, default=DEVSETS)
    parser.add_argument("--extra-devsets", type=Path, default=EXTRA_DEVSETS,
                        help="where optional sets such as trafilatura-eval are looked for")
    parser.add_argument("--warehouses", type=Path, default=RESULTS / "warehouses")
    parser.add_argument("--workers", type=int, default=0, help="newsflow run --workers (default: its own)")
    parser.add_argument("--score-only", action="store_true", help="score the warehouses of an earlier run again")
    parser.add_argument("--baselines", action="store_true", help="recompute the naive baselines (about 2 min)")
    args = parser.parse_args(argv)
    devsets = args.devsets.resolve()
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in names if s not in SCORES]
    if unknown:
        parser.error(f"unknown set {', '.join(unknown)}; choose from {', '.join(SCORES)}")
    if args.baselines:
        BASELINES.write_text(json.dumps(recompute_baselines(devsets), indent=1) + "\n")
    baselines = json.loads(BASELINES.read_text())
    results = {}
    for name in names:
        set_dir = (args.extra_devsets.resolve() if name in EXTRA_SETS else devsets) / name
        docs, warehouse = set_dir / "docs", args.warehouses.resolve() / name
        if not docs.is_dir():
            print(f"{name}: skipped, {docs} is absent" + (" (build it with bench/trafilatura_eval.py build)"
                                                          if name == "trafilatura-eval" else ""), file=sys.stderr)
            continue
        result = {}
        if not args.score_only:
            print(f"{name}: newsflow run ...", file=sys.stderr, flush=True)
            result["run"] = run_newsflow(docs, warehouse, args.workers)
        result["files"] = sum(1 for p in docs.rglob("*") if p.is_file())
        result["loaded"] = query("select count(*) as n from articles", warehouse)[0]["n"]
        result["quarantined"] = query("select count(distinct source_path) as n from quarantine "
                                      "where source_path not in (select source_path from articles)", warehouse)[0]["n"]
        if name == "trafilatura-eval":
            result["scores"], result["baseline"] = trafilatura_eval_scores(set_dir, warehouse)
        else:
            result["scores"] = {kind: content_kept(docs, warehouse) if kind == "content_kept"
                                else score(kind, devsets / name / gold, warehouse) for kind, gold in SCORES[name]}
        results[name] = result
    rows = table_rows(results, baselines)
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = markdown(rows, results)
    (RESULTS / "quality.md").write_text(text)
    (RESULTS / "quality.json").write_text(json.dumps({"rows": rows, "results": results}, indent=1) + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
