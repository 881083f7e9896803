"""Each entity step measured on a dev set with gold (bag-of-entities F1, score.py's own scoring):
the raw model over the files, the model over the pipeline's text, every step, each step off in turn,
and every step with the fields read otherwise (READINGS).

    .venv/bin/python bench/entity_ablation.py [--devset ../shared/devsets/conll2003-dev]

Runs the stage functions (clean, NER, entity steps) without Prefect, so a change is measured in a
minute; confirm with a real `newsflow run` and score.py. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from newsflow.processes import WorkerPool  # noqa: E402
from tasks import clean, entities, extract  # noqa: E402

# A step turned off: the module function that does it, replaced by one that does nothing.
STEPS_OFF = {
    "countries as GPE": ("country_names", lambda: frozenset()),
    "title split": ("split_title", lambda row: None),
    "lower-case drop": ("common_nouns", lambda texts: set()),
    "label votes": ("resolve_labels", lambda rows, corpus_labels: None),
    "propagation": ("propagate_names", lambda rows, text: sorted(rows, key=lambda row: row["start_char"])),
}


# Other ways of reading the fields (extract.READ_TOGETHER), each measured with every step.
HEADER = ("title", "byline", "dateline")
READINGS = {
    "fields as one text": ((*HEADER, "body"),),
    "header as one text, body alone": (HEADER, ("body",)),
}


def scorer(devset: Path):
    spec = importlib.util.spec_from_file_location("score", devset.parent / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    return score


def articles_of(docs: Path) -> pa.Table:
    files = sorted(docs.glob("*.txt"))
    documents = pa.Table.from_pylist([{
        "article_id": hashlib.blake2b(f.name.encode(), digest_size=8).hexdigest(), "source_path": f.name,
        "record_index": None, "source_format": "txt", "encoding": "utf-8", "raw_text": f.read_text(encoding="utf-8"),
        "title_hint": None, "date_hint": None, "input_order": i} for i, f in enumerate(files)])
    return clean.clean_documents(documents, dt.date.today())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=Path("../shared/devsets/conll2003-dev"))
    parser.add_argument("--model", default=extract.DEFAULT_MODEL)
    args = parser.parse_args()
    score = scorer(args.devset)
    gold = [json.loads(line) for line in (args.devset / "entities.jsonl").read_text().splitlines()]
    articles = articles_of(args.devset / "docs")
    file_of = dict(zip(articles["article_id"].to_pylist(), articles["source_path"].to_pylist()))

    def f1(rows) -> dict:
        return score.entity_f1(gold, [{"file": file_of[r["article_id"]], "text": r["text"], "label": r["label"]}
                                      for r in rows])

    import spacy

    files = sorted((args.devset / "docs").glob("*.txt"))
    nlp = spacy.load(args.model)
    results = {"raw model over the files": score.entity_f1(gold, [
        {"file": f.name, "text": e.text, "label": e.label_}
        for f, doc in zip(files, nlp.pipe(f.read_text(encoding="utf-8") for f in files)) for e in doc.ents])}
    body_only = extract.recognise_entities(articles.select(["article_id", "clean_text"]), args.model, WorkerPool(1))
    results["model over clean_text only"] = f1(body_only.to_pylist())
    mentions = extract.recognise_entities(articles, args.model, WorkerPool(1))
    results["model over every field"] = f1(mentions.to_pylist())
    results["every step"] = f1(entities.resolve_entities(mentions, articles)[0].to_pylist())
    for step, (name, nothing) in STEPS_OFF.items():
        kept = getattr(entities, name)
        setattr(entities, name, nothing)
        try:
            results[f"without {step}"] = f1(entities.resolve_entities(mentions, articles)[0].to_pylist())
        finally:
            setattr(entities, name, kept)
    kept = extract.READ_TOGETHER
    for reading, groups in READINGS.items():
        extract.READ_TOGETHER = groups
        try:
            read = extract.recognise_entities(articles, args.model, WorkerPool(1))
            results[f"every step, {reading}"] = f1(entities.resolve_entities(read, articles)[0].to_pylist())
        finally:
            extract.READ_TOGETHER = kept
    for name, s in results.items():
        print(f"{name:44s}", "  ".join(f"{label} {s[label]:.3f}" for label in ("PER", "ORG", "LOC", "MISC", "ALL")))


if __name__ == "__main__":
    main()
