"""The limit newsflow is measured against: bare spaCy nlp.pipe, tok2vec + ner only, one process.

Usage: bare_spacy.py MODEL FOLDER  → prints JSON {articles, words, seconds, words_per_second}
"""

import json
import sys
import time
from pathlib import Path

import spacy


def main(model: str, folder: str) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(folder).glob("*.txt"))]
    nlp = spacy.load(model, exclude=["parser", "tagger", "attribute_ruler", "lemmatizer", "senter"])
    assert nlp.pipe_names == ["tok2vec", "ner"], nlp.pipe_names
    started = time.perf_counter()
    entities = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=64))
    seconds = time.perf_counter() - started
    words = sum(len(t.split()) for t in texts)
    print(json.dumps({"articles": len(texts), "words": words, "entities": entities, "seconds": seconds,
                      "words_per_second": words / seconds}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
