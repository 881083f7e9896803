"""Duplicates: the run's articles and earlier copies in the warehouse in; duplicate links out.

Three kinds of copy, all flagged, none deleted:
- exact: the same clean_text, line breaks and spacing aside;
- near: MinHash (datasketch) estimated Jaccard similarity of word shingles at or above a
  threshold, candidates found with MinHash LSH, never by comparing all pairs;
- borrowed paragraphs: the share of an article's words in paragraphs mostly found in another
  (winnowed shingle fingerprints), recorded beside the article, not as a duplicate.
Every exact or near copy points at the earliest copy of its group (published_date, then the
order inputs were read) with duplicate_of. Signatures and fingerprints are persisted, so later
runs find copies of articles loaded long before (see tasks/load.py dedup_candidates).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from datasketch import LeanMinHash, MinHash, MinHashLSH

from tasks import stories

# The article columns dedup reads.
ARTICLE_COLUMNS = ("article_id", "source_path", "record_index", "content_hash", "published_date", "input_order",
                   "clean_text")
# Measured on Reuters-21578 (bench/dedup_reuters.py, tuning files 000-009): see the README.
DEFAULT_NEAR_DUPLICATE_THRESHOLD = 0.5
SHINGLE_WORDS = 3
NUM_PERM = 128
# Persisted values are only comparable under one permutation scheme: datasketch 2's default.
MINHASH_SCHEME = "affine32"
MINHASH_SEED = 1
# (false positive, false negative) weights for datasketch's choice of bands x rows.
LSH_WEIGHTS = (0.1, 0.9)
# A shared passage of WINNOW_WINDOW + SHINGLE_WORDS - 1 words always shares a fingerprint.
WINNOW_WINDOW = 4
# A paragraph is borrowed when this share of its fingerprints occurs in the other article.
BORROWED_PARAGRAPH = 0.5
# Borrowings below this share of the article's words are not recorded.
MIN_BORROWED_SHARE = 0.2
# A passage in more articles than this is a stock phrase ("said in a statement"), not a borrowing.
MAX_ARTICLES_PER_FINGERPRINT = 50
# Pairs sharing fewer fingerprints cannot share a paragraph worth counting.
MIN_SHARED_FINGERPRINTS = 4
WORD = re.compile(r"\w+")
_LATEST = dt.date.max

DUPLICATE_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("duplicate_of", pa.string()), ("story_id", pa.string()),
])
SIGNATURE_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("lsh_layout", pa.string()), ("minhash", pa.list_(pa.uint32())),
    ("band_keys", pa.list_(pa.int64())),
])
FINGERPRINT_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("paragraph_index", pa.int32()), ("paragraph_words", pa.int32()),
    ("fingerprint", pa.int64()),
])
# One article's Fingerprints as a staged row, between the batch that computes it and the run's dedup.
PRINTS_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("minhash", pa.list_(pa.uint32())), ("paragraph_words", pa.list_(pa.int32())),
    ("paragraph_prints", pa.list_(pa.list_(pa.int64()))),
])
BORROWING_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("borrowed_from", pa.string()), ("borrowed_share", pa.float64()),
    ("borrowed_paragraphs", pa.int32()),
])


@dataclass
class Fingerprints:
    """What dedup knows of one article's text: its MinHash and its winnowed paragraph fingerprints."""

    minhash: np.ndarray
    paragraphs: list[tuple[int, set[int]]] = field(default_factory=list)  # (words, fingerprints)

    def all_fingerprints(self) -> set[int]:
        return set().union(*(prints for _, prints in self.paragraphs))


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def _shingle_hashes(words: list[str]) -> list[int]:
    # A text shorter than one shingle is one shingle, so it is still comparable.
    count = max(1, len(words) - SHINGLE_WORDS + 1)
    return [_hash64(" ".join(words[i:i + SHINGLE_WORDS])) for i in range(count)]


def _winnow(hashes: list[int]) -> list[int]:
    """Positions of the fingerprints: the rightmost minimum of every window (Schleimer et al.)."""
    if len(hashes) <= WINNOW_WINDOW:
        return [min(range(len(hashes)), key=lambda i: (hashes[i], -i))] if hashes else []
    chosen = []
    for start in range(len(hashes) - WINNOW_WINDOW + 1):
        window = range(start, start + WINNOW_WINDOW)
        best = min(window, key=lambda i: (hashes[i], -i))
        if not chosen or chosen[-1] != best:
            chosen.append(best)
    return chosen


@functools.cache
def _permutations() -> tuple:
    # Drawing 2 x NUM_PERM random numbers per article costs more than hashing its shingles.
    return MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations


def fingerprint(clean_text: str) -> Fingerprints:
    """MinHash of the text's word shingles, and each paragraph's winnowed fingerprints."""
    paragraphs = [WORD.findall(p.lower()) for p in clean_text.split("\n")]
    paragraphs = [p for p in paragraphs if p]
    words = [w for p in paragraphs for w in p]
    hashes = _shingle_hashes(words)
    minhash = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, hashfunc=lambda h: h & 0xFFFFFFFF,
                      scheme=MINHASH_SCHEME, permutations=_permutations())
    minhash.update_batch(hashes)
    # A shingle belongs to the paragraph it starts in: re-wrapping moves few of them.
    owner = [i for i, p in enumerate(paragraphs) for _ in p]
    by_paragraph = [(len(p), set()) for p in paragraphs]
    for position in _winnow(hashes):
        by_paragraph[owner[position]][1].add(hashes[position])
    return Fingerprints(minhash.hashvalues, by_paragraph)


def lsh_index(threshold: float) -> MinHashLSH:
    if not 0 < threshold <= 1:
        raise ValueError(f"near-duplicate threshold must be above 0 and at most 1, got {threshold}")
    # Candidates are checked against the threshold anyway: a missed pair costs more than a checked one.
    return MinHashLSH(threshold=threshold, num_perm=NUM_PERM, weights=LSH_WEIGHTS)


def lsh_layout(lsh: MinHashLSH) -> str:
    """Names the band layout, so persisted band keys are only compared with keys of the same layout."""
    return f"k{SHINGLE_WORDS}-p{NUM_PERM}-b{lsh.b}-r{lsh.r}"


def band_keys(minhash: np.ndarray, lsh: MinHashLSH) -> list[int]:
    """One key per LSH band: articles sharing any key are candidate near-duplicates."""
    return [_hash64(f"{band}:{minhash[band * lsh.r:(band + 1) * lsh.r].tobytes().hex()}") for band in range(lsh.b)]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two articles' shingle sets."""
    return float(np.count_nonzero(a == b)) / len(a)


def _sketch(values: np.ndarray) -> LeanMinHash:
    # LeanMinHash holds values only: no permutations to draw for every loaded signature.
    return LeanMinHash(seed=MINHASH_SEED, hashvalues=values, scheme=MINHASH_SCHEME)


def near_duplicate_pairs(minhashes: dict[str, np.ndarray], new_ids: list[str], threshold: float) -> set[tuple]:
    """Pairs (new article, any article) whose estimated similarity reaches the threshold."""
    lsh = lsh_index(threshold)
    for article_id, values in minhashes.items():
        lsh.insert(article_id, _sketch(values))
    pairs = set()
    for article_id in new_ids:
        for other in lsh.query(_sketch(minhashes[article_id])):
            if other != article_id and similarity(minhashes[article_id], minhashes[other]) >= threshold:
                pairs.add(tuple(sorted((article_id, other))))
    return pairs


def borrowed_share(borrower: Fingerprints, source_prints: set[int]) -> tuple[float, int]:
    """Share of the borrower's words in paragraphs mostly found in the source, and how many paragraphs."""
    total = sum(words for words, _ in borrower.paragraphs)
    borrowed = [words for words, prints in borrower.paragraphs
                if prints and len(prints & source_prints) >= BORROWED_PARAGRAPH * len(prints)]
    return (sum(borrowed) / total if total else 0.0), len(borrowed)


def _earliest_first(article: dict) -> tuple:
    return (article["published_date"] or _LATEST, article["input_order"], article["article_id"])


class Groups:
    """Union-find over article ids: the connected groups of a set of links."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        root = self.parent.setdefault(item, item)
        while root != self.parent[root]:
            root = self.parent[root]
        while item != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def join(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)

    def members(self, items) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for item in items:
            groups.setdefault(self.find(item), []).append(item)
        return groups


def candidate_pool(batch: list[dict], loaded: list[dict]) -> dict[str, dict]:
    """The run's articles and the loaded ones they may link to, by id, less rows this run replaces."""
    # Loaded rows this run replaces (the same input read again) are not earlier copies.
    replaced = {row["article_id"] for row in batch} | {(row["source_path"], row["record_index"]) for row in batch}
    pool = {row["article_id"]: row | {"story_id": None, "duplicate_of": None, "loaded": False} for row in batch}
    for row in loaded:
        if row["article_id"] not in replaced and (row["source_path"], row["record_index"]) not in replaced:
            pool[row["article_id"]] = row | {"loaded": True}
    return pool


def exact_key(clean_text: str) -> str:
    """Equal for texts that differ only in line breaks and spacing (wire copy re-sent with another layout)."""
    return hashlib.blake2b(" ".join(clean_text.split()).encode("utf-8"), digest_size=8).hexdigest()


def duplicate_groups(pool: dict[str, dict], near_pairs: set[tuple]) -> Groups:
    """Exact copies (equal text, spacing aside), near copies, and the links loaded rows already have."""
    groups, first_of_text = Groups(), {}
    for article_id, row in pool.items():
        groups.find(article_id)
        groups.join(article_id, first_of_text.setdefault(exact_key(row["clean_text"]), article_id))
        if row["duplicate_of"] in pool:
            groups.join(article_id, row["duplicate_of"])
    for a, b in near_pairs:
        if a in pool and b in pool:
            groups.join(a, b)
    return groups


def assign_links(pool: dict[str, dict], duplicates: Groups, stories: Groups) -> pa.Table:
    """duplicate_of and story_id for the run's articles and every loaded one whose links change."""
    links = {}
    for members in duplicates.members(pool).values():
        first = min((pool[m] for m in members), key=_earliest_first)["article_id"]
        links.update({m: (None if m == first else first) for m in members})
    rows = []
    for members in stories.members(pool).values():
        first = min((pool[m] for m in members), key=_earliest_first)
        story_id = first["story_id"] or first["article_id"]
        for member in sorted(members):
            row = pool[member]
            if not row["loaded"] or row["duplicate_of"] != links[member] or row["story_id"] != story_id:
                rows.append({"article_id": member, "duplicate_of": links[member], "story_id": story_id})
    return pa.Table.from_pylist(rows, schema=DUPLICATE_SCHEMA)


def story_groups(pool: dict[str, dict], near_pairs: set[tuple], story_pairs: set[tuple]) -> Groups:
    """Copies, same-story pairs, and the stories loaded rows already belong to."""
    groups, first_of_story = duplicate_groups(pool, near_pairs), {}
    for article_id, row in pool.items():
        if row["story_id"]:
            groups.join(article_id, first_of_story.setdefault(row["story_id"], article_id))
    for a, b in story_pairs:
        groups.join(a, b)
    return groups


def borrowings(pool: dict[str, dict], prints: dict[str, Fingerprints], new_ids: set[str]) -> pa.Table:
    """For pairs sharing passages (one of them new), the share the later article borrows from the earlier."""
    everything = {article_id: p.all_fingerprints() for article_id, p in prints.items() if article_id in pool}
    by_print: dict[int, list[str]] = {}
    for article_id, fingerprints in everything.items():
        for value in fingerprints:
            by_print.setdefault(value, []).append(article_id)
    shared: dict[tuple, int] = {}
    for holders in by_print.values():
        if 1 < len(holders) <= MAX_ARTICLES_PER_FINGERPRINT:
            for a, b in itertools.combinations(sorted(holders), 2):
                if a in new_ids or b in new_ids:
                    shared[(a, b)] = shared.get((a, b), 0) + 1
    rows = []
    for pair in (pair for pair, count in shared.items() if count >= MIN_SHARED_FINGERPRINTS):
        earlier, later = sorted(pair, key=lambda article_id: _earliest_first(pool[article_id]))
        share, paragraphs = borrowed_share(prints[later], everything[earlier])
        if share >= MIN_BORROWED_SHARE:
            rows.append({"article_id": later, "borrowed_from": earlier, "borrowed_share": round(share, 4),
                         "borrowed_paragraphs": paragraphs})
    return pa.Table.from_pylist(sorted(rows, key=lambda r: (r["article_id"], r["borrowed_from"])),
                                schema=BORROWING_SCHEMA)


@dataclass
class EarlierArticles:
    """Loaded articles the run's articles may link to, as tasks/load.py dedup_candidates reads them."""

    articles: list[dict]     # ids, path, dates, content_hash, story_id, duplicate_of, clean_text
    signatures: list[dict]   # article_id, lsh_layout, minhash
    fingerprints: list[dict]  # FINGERPRINT_SCHEMA rows
    mentions: list[dict]     # article_id, entity_id, label, mentions


@dataclass
class DedupResult:
    """What the load stage writes: links, and the run's signatures, fingerprints and borrowings."""

    links: pa.Table
    signatures: pa.Table
    fingerprints: pa.Table
    borrowings: pa.Table


def fingerprint_articles(articles: pa.Table) -> dict[str, Fingerprints]:
    return {row["article_id"]: fingerprint(row["clean_text"])
            for row in articles.select(["article_id", "clean_text"]).to_pylist()}


def prints_table(prints: dict[str, Fingerprints]) -> pa.Table:
    """Fingerprints as rows (PRINTS_SCHEMA): batches compute them, the run's dedup reads them back."""
    return pa.Table.from_pylist([
        {"article_id": article_id, "minhash": p.minhash.tolist(), "paragraph_words": [w for w, _ in p.paragraphs],
         "paragraph_prints": [sorted(values) for _, values in p.paragraphs]} for article_id, p in prints.items()],
        schema=PRINTS_SCHEMA)


def prints_from_table(table: pa.Table) -> dict[str, Fingerprints]:
    return {row["article_id"]: Fingerprints(np.array(row["minhash"], dtype=np.uint32),
                                            [(words, set(values)) for words, values in
                                             zip(row["paragraph_words"], row["paragraph_prints"])])
            for row in table.to_pylist()}


def candidate_request(articles: pa.Table, prints: dict[str, Fingerprints], mentions: list[dict],
                      threshold: float) -> dict:
    """Query parameters for the loaded articles that may link to the run's (sql/load/copy_candidates.sql)."""
    lsh = lsh_index(threshold)
    salient = stories.salient_entities(mentions)
    dates = dict(zip(articles["article_id"].to_pylist(), articles["published_date"].to_pylist()))
    pairs = [(article_id, entity_id) for article_id, entities in salient.items() for entity_id in entities]
    return {
        "content_hashes": sorted(set(articles["content_hash"].to_pylist())),
        "band_keys": sorted({key for p in prints.values() for key in band_keys(p.minhash, lsh)}),
        "lsh_layout": lsh_layout(lsh),
        "fingerprints": sorted(set().union(*(p.all_fingerprints() for p in prints.values()))),
        "min_shared_fingerprints": MIN_SHARED_FINGERPRINTS,
        "salient_articles": [a for a, _ in pairs], "salient_entities": [e for _, e in pairs],
        "salient_dates": [dates.get(a) for a, _ in pairs],
        "min_shared_entities": stories.MIN_SHARED_ENTITIES, "window_days": stories.STORY_WINDOW.days,
    }


def _earlier_prints(earlier: EarlierArticles) -> dict[str, Fingerprints]:
    prints = {row["article_id"]: Fingerprints(np.array(row["minhash"], dtype=np.uint32)) for row in earlier.signatures}
    paragraphs: dict[tuple, tuple[int, set]] = {}
    for row in earlier.fingerprints:
        key = (row["article_id"], row["paragraph_index"])
        paragraphs.setdefault(key, (row["paragraph_words"], set()))[1].add(row["fingerprint"])
    for (article_id, _), paragraph in sorted(paragraphs.items()):
        if article_id in prints:
            prints[article_id].paragraphs.append(paragraph)
    return prints


def _signature_rows(prints: dict[str, Fingerprints], lsh: MinHashLSH) -> pa.Table:
    layout = lsh_layout(lsh)
    return pa.Table.from_pylist([{"article_id": article_id, "lsh_layout": layout, "minhash": p.minhash.tolist(),
                                  "band_keys": band_keys(p.minhash, lsh)} for article_id, p in prints.items()],
                                schema=SIGNATURE_SCHEMA)


def _fingerprint_rows(prints: dict[str, Fingerprints]) -> pa.Table:
    return pa.Table.from_pylist([{"article_id": article_id, "paragraph_index": index, "paragraph_words": words,
                                  "fingerprint": value}
                                 for article_id, p in prints.items()
                                 for index, (words, values) in enumerate(p.paragraphs) for value in sorted(values)],
                                schema=FINGERPRINT_SCHEMA)


def find_copies(articles: pa.Table, prints: dict[str, Fingerprints], mentions: list[dict],
                earlier: EarlierArticles, threshold: float = DEFAULT_NEAR_DUPLICATE_THRESHOLD) -> DedupResult:
    """Link the run's articles to their copies and stories, among themselves and in the warehouse."""
    pool = candidate_pool(articles.select(list(ARTICLE_COLUMNS)).to_pylist(), earlier.articles)
    new_ids = set(articles["article_id"].to_pylist())
    known = _earlier_prints(earlier) | prints
    lsh = lsh_index(threshold)
    near = near_duplicate_pairs({a: known[a].minhash for a in pool if a in known}, sorted(new_ids), threshold)
    entities = stories.salient_entities(mentions + earlier.mentions)
    story_pairs = stories.same_story_pairs(pool, entities, new_ids)
    # Loaded signatures of another band layout (the threshold changed) are re-keyed once.
    rekeyed = {row["article_id"] for row in earlier.signatures if row["lsh_layout"] != lsh_layout(lsh)}
    return DedupResult(
        links=assign_links(pool, duplicate_groups(pool, near), story_groups(pool, near, story_pairs)),
        signatures=_signature_rows(prints | {a: known[a] for a in rekeyed if a in pool}, lsh),
        fingerprints=_fingerprint_rows(prints),
        borrowings=borrowings(pool, known, new_ids),
    )
