"""Page text dev set from trafilatura's own evaluation pages (issue 25): build it, score a run on it.

    .venv/bin/python -m bench.trafilatura_eval build --mirror /work/.mirror/adbar+trafilatura/repo
    .venv/bin/python -m bench.trafilatura_eval score --warehouse /tmp/wh/trafilatura-eval
    .venv/bin/python -m bench.trafilatura_eval baseline

`build` reads a git copy of github.com/adbar/trafilatura (no work tree needed: `git show`), takes the
pages of tests/cache/ that its evaluation data annotates (tests/evaldata.json since August 2026,
tests/evaldata.py before) and writes them, outside this repository, to
../devsets-extra/trafilatura-eval/docs/<file> with snippets.jsonl (file, with[], without[]) and
SOURCE.json (the commit read). Only tests/cache/ by default, as issue 25 names it; --all adds the
hundreds of pages under tests/eval/.

Scores: the share of `with` snippets found in a page's clean_text (whitespace normalised, as
trafilatura's own evaluation does; a page quarantined or set aside keeps none) and the share of
`without` snippets absent from it, over the first half of the files sorted by name, the second
half, and all. Rules are chosen on the first half; the second half says whether the gain holds.
`baseline` scores trafilatura's default `extract` on the same pages, the naive script.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT.parent / "devsets-extra" / "trafilatura-eval"


def _git_show(mirror: Path, revision: str, path: str) -> bytes | None:
    done = subprocess.run(["git", "--git-dir", str(mirror), "show", f"{revision}:{path}"], capture_output=True)
    return done.stdout if done.returncode == 0 else None


def _evaldata(mirror: Path, revision: str) -> dict:
    """The annotations at a revision: the JSON file, or the older Python module's EVAL_PAGES dict."""
    if (data := _git_show(mirror, revision, "tests/evaldata.json")) is not None:
        return json.loads(data)
    source = _git_show(mirror, revision, "tests/evaldata.py")
    if source is None:
        raise SystemExit(f"{mirror} holds neither tests/evaldata.json nor tests/evaldata.py at {revision}")
    # A literal dict assigned at module level; read with ast, never executed.
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            return ast.literal_eval(node.value)
    raise SystemExit("tests/evaldata.py holds no dict literal")


def build(mirror: Path, out: Path, revision: str = "HEAD", include_eval: bool = False) -> int:
    commit = subprocess.run(["git", "--git-dir", str(mirror), "rev-parse", revision], capture_output=True,
                            text=True, check=True).stdout.strip()
    annotations = _evaldata(mirror, commit)
    folders = ("tests/cache", "tests/eval") if include_eval else ("tests/cache",)
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    rows = []
    for url, item in sorted(annotations.items(), key=lambda pair: pair[1]["file"]):
        page = next((data for folder in folders
                     if (data := _git_show(mirror, commit, f"{folder}/{item['file']}")) is not None), None)
        if page is None:
            continue
        name = item["file"] if item["file"].endswith((".html", ".htm")) else item["file"] + ".html"
        (docs / name).write_bytes(page)
        rows.append({"file": name, "url": url, "with": item["with"], "without": item["without"]})
    (out / "snippets.jsonl").write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    (out / "SOURCE.json").write_text(json.dumps({"repository": "https://github.com/adbar/trafilatura",
                                                 "commit": commit, "folders": folders, "pages": len(rows)}) + "\n")
    return len(rows)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def snippets(set_dir: Path = DEFAULT_SET) -> list[dict]:
    return [json.loads(line) for line in (set_dir / "snippets.jsonl").read_text().splitlines() if line.strip()]


def score_texts(rows: list[dict], texts: dict[str, str | None]) -> dict:
    """with_kept / without_removed over each half of the files (sorted by name) and all; `texts`
    maps a file to its clean text, None or missing for a page that yielded none."""
    rows = sorted(rows, key=lambda row: row["file"])
    half = len(rows) // 2
    result: dict = {"pages": len(rows), "pages_without_text": sum(not texts.get(r["file"]) for r in rows)}
    for suffix, part in (("_h1", rows[:half]), ("_h2", rows[half:]), ("", rows)):
        kept = total_with = removed = total_without = 0
        for row in part:
            text = _norm(texts.get(row["file"]) or "")
            kept += sum(_norm(s) in text for s in row["with"])
            removed += sum(_norm(s) not in text for s in row["without"])
            total_with, total_without = total_with + len(row["with"]), total_without + len(row["without"])
        result[f"with_kept{suffix}"] = round(kept / max(total_with, 1), 4)
        result[f"without_removed{suffix}"] = round(removed / max(total_without, 1), 4)
    return result


def misses(rows: list[dict], texts: dict[str, str | None]) -> list[dict]:
    """Per snippet scored wrong: the file, which side, the snippet (to read errors by hand)."""
    found = []
    for row in sorted(rows, key=lambda row: row["file"]):
        text = _norm(texts.get(row["file"]) or "")
        found += [{"file": row["file"], "side": "with lost", "snippet": s} for s in row["with"] if _norm(s) not in text]
        found += [{"file": row["file"], "side": "without kept", "snippet": s} for s in row["without"] if _norm(s) in text]
    return found


def warehouse_texts(warehouse: Path) -> dict[str, str]:
    from bench.quality import query   # the same `newsflow query` the other sets are scored with

    return {row["source_path"]: row["clean_text"] for row in query(
        "select source_path, clean_text from articles", warehouse)}


def baseline_texts(set_dir: Path = DEFAULT_SET) -> dict[str, str | None]:
    """trafilatura's default extract of each page: the naive baseline."""
    import trafilatura

    return {row["file"]: trafilatura.extract((set_dir / "docs" / row["file"]).read_bytes())
            for row in snippets(set_dir)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("build", help="write the set from a git copy of adbar/trafilatura")
    made.add_argument("--mirror", type=Path, required=True, help="its git directory")
    made.add_argument("--revision", default="HEAD")
    made.add_argument("--all", action="store_true", help="add tests/eval/ pages to tests/cache/ ones")
    for name in ("build", "score", "baseline"):
        sub = made if name == "build" else commands.add_parser(name)
        sub.add_argument("--set", type=Path, default=DEFAULT_SET)
        if name == "score":
            sub.add_argument("--warehouse", type=Path, required=True)
            sub.add_argument("--misses", action="store_true", help="list every snippet scored wrong")
        if name == "baseline":
            sub.add_argument("--misses", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "build":
        print(f"{build(args.mirror, args.set, args.revision, args.all)} pages written to {args.set}")
        return 0
    texts = warehouse_texts(args.warehouse) if args.command == "score" else baseline_texts(args.set)
    rows = snippets(args.set)
    print(json.dumps(score_texts(rows, texts)))
    if args.misses:
        for miss in misses(rows, texts):
            print(json.dumps(miss, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
