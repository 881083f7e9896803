"""Duplicates: the run's articles and earlier copies in the warehouse in; duplicate links out.

Three kinds of copy, all flagged, none deleted:
- exact: the same clean_text, line breaks and spacing aside;
- near: MinHash (datasketch) estimated Jaccard similarity of word shingles at or above a
  threshold, candidates found by LSH band keys (bands x rows as datasketch chooses them), joined
  within the run and against the warehouse's persisted keys, never by comparing all pairs;
- borrowed paragraphs: the share of an article's words in paragraphs mostly found in another
  (winnowed shingle fingerprints), recorded beside the article, not as a duplicate, from two
  paragraphs or about 40 words whatever share of the article they make, with the lifted spans
  of both texts; a site's paragraph under every story and a quotation many outlets carry are not
  borrowings.
Every exact or near copy points at the earliest copy of its group (published_date, then the
order inputs were read) with duplicate_of. Signatures and fingerprints are persisted, so later
runs find copies of articles loaded long before (see newsflow/warehouse.py Warehouse.dedup_candidates).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
import pyarrow as pa
import pyarrow.compute as pc

from newsflow.resources import read_sql
from tasks import stories

if TYPE_CHECKING:
    from datasketch import MinHashLSH

# The article columns dedup reads.
ARTICLE_COLUMNS = ("article_id", "source_path", "record_index", "title", "content_hash", "published_date",
                   "input_order", "clean_text")
# Measured on Reuters-21578 (bench/dedup_reuters.py, tuning files 000-009): see the README.
DEFAULT_NEAR_DUPLICATE_THRESHOLD = 0.5
SHINGLE_WORDS = 3
NUM_PERM = 128
# Persisted values are only comparable under one permutation scheme: datasketch 2's default.
MINHASH_SCHEME = "affine32"
MINHASH_SEED = 1
# (false positive, false negative) weights for datasketch's choice of bands x rows.
LSH_WEIGHTS = (0.1, 0.9)
# How band keys are hashed (see band_keys); part of the layout name, so keys persisted under
# another scheme are re-keyed, never compared.
BAND_KEY_SCHEME = "mix64"
# A shared passage of WINNOW_WINDOW + SHINGLE_WORDS - 1 words always shares a fingerprint.
WINNOW_WINDOW = 4
# A paragraph is borrowed when this share of its fingerprints occurs in the other article.
BORROWED_PARAGRAPH = 0.5
# A borrowing is recorded from a lifted passage of MIN_BORROWED_WORDS words, or of MIN_BORROWED_PARAGRAPHS
# paragraphs or MIN_BORROWED_SHARE of the later article's words, whatever share it makes: a site that
# sets two wire paragraphs into its own story borrows them. Below MIN_LIFTED_WORDS it is a stock line or
# two ("Reuters", "More follows", a table's header), not a lift.
MIN_BORROWED_SHARE = 0.2
MIN_BORROWED_PARAGRAPHS = 2
MIN_BORROWED_WORDS = 40
MIN_LIFTED_WORDS = 20
# A paragraph whose fingerprints recur in this many articles of the borrower's own folder (a site's
# scrape), and in this share of the folder's articles, is the site's furniture printed under every story
# ("About the agency ..."), not a borrowing. The share keeps a wire's paragraph that a few of its
# follow-ups repeat (Reuters-21578 is one folder of 19,043 stories) a borrowing.
SITE_FURNITURE_ARTICLES = 3
SITE_FURNITURE_SHARE = 0.5
# A paragraph this much inside quotation marks, whose fingerprints this many articles carry, is a
# quotation many outlets print, not a passage lifted from one of them.
QUOTATION_SHARE = 0.8
WIDELY_CARRIED = 3
# A paragraph that shares less than this share of its fingerprints with the earlier article, the shared
# ones mostly widely carried, is a wire template with its figures changed ("The non-callable bond is
# available in denominations of ..."), stock text; a lifted paragraph, a word changed, shares more.
TEMPLATE_COVERAGE = 0.75
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
# How many articles of a folder carry a fingerprint.
CARRIER_SCHEMA = pa.schema([("fingerprint", pa.int64()), ("folder", pa.string()), ("carriers", pa.int32())])
BORROWING_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("borrowed_from", pa.string()), ("borrowed_share", pa.float64()),
    ("borrowed_paragraphs", pa.int32()),
])
# One lifted passage: consecutive borrowed paragraphs of article_id's clean_text, and where they stand
# in borrowed_from's clean_text (end offsets exclusive).
PASSAGE_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("start_char", pa.int32()), ("end_char", pa.int32()),
    ("borrowed_from", pa.string()), ("source_start_char", pa.int32()), ("source_end_char", pa.int32()),
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
    windows = sliding_window_view(np.array(hashes, dtype=np.int64), WINNOW_WINDOW)
    # argmin finds the leftmost minimum; over each window reversed, that is the rightmost.
    chosen = np.arange(len(windows)) + WINNOW_WINDOW - 1 - np.argmin(windows[:, ::-1], axis=1)
    # Neighbouring windows often choose the same position: keep it once.
    return chosen[np.r_[True, chosen[1:] != chosen[:-1]]].tolist()


@functools.cache
def _permutations() -> tuple:
    # Drawing 2 x NUM_PERM random numbers per article costs more than hashing its shingles.
    from datasketch import MinHash   # here, not at import: it loads scipy, which a re-run with nothing new skips

    return MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations


def paragraph_spans(clean_text: str) -> list[tuple[int, int]]:
    """Where each paragraph fingerprint() counts stands in the text: its lines that hold a word,
    without their outer spaces."""
    spans, start = [], 0
    for line in clean_text.split("\n"):
        if WORD.search(line):
            stripped = line.strip()
            first = start + line.index(stripped)
            spans.append((first, first + len(stripped)))
        start += len(line) + 1
    return spans


def fingerprint(clean_text: str) -> Fingerprints:
    """MinHash of the text's word shingles, and each paragraph's winnowed fingerprints (paragraphs as
    paragraph_spans finds them, in its order)."""
    from datasketch import MinHash

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


@functools.cache
def lsh_index(threshold: float) -> MinHashLSH:
    """datasketch's choice of bands x rows for the threshold (the index itself is not filled: band
    keys are joined instead, here and against the warehouse)."""
    if not 0 < threshold <= 1:
        raise ValueError(f"near-duplicate threshold must be above 0 and at most 1, got {threshold}")
    # Candidates are checked against the threshold anyway: a missed pair costs more than a checked one.
    from datasketch import MinHashLSH

    return MinHashLSH(threshold=threshold, num_perm=NUM_PERM, weights=LSH_WEIGHTS)


def lsh_layout(lsh: MinHashLSH) -> str:
    """Names the band layout, so persisted band keys are only compared with keys of the same layout."""
    return f"k{SHINGLE_WORDS}-p{NUM_PERM}-b{lsh.b}-r{lsh.r}-{BAND_KEY_SCHEME}"


def _mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit reaches every output bit."""
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def band_keys(minhashes: np.ndarray, lsh: MinHashLSH) -> np.ndarray:
    """One key per LSH band for each row of minhashes (articles x NUM_PERM), as int64.

    Articles sharing any key are candidate near-duplicates. Computed for all rows at once: a
    run's 10,000 articles take milliseconds, where hashing band by band in Python took a second.
    """
    minhashes = np.atleast_2d(minhashes).astype(np.uint64)
    keys = np.empty((len(minhashes), lsh.b), dtype=np.uint64)
    for band in range(lsh.b):
        key = np.full(len(minhashes), band + 1, dtype=np.uint64)
        for column in range(band * lsh.r, (band + 1) * lsh.r):
            key = _mix64(key ^ minhashes[:, column])
        keys[:, band] = key
    return keys.view(np.int64)


def near_duplicate_pairs(minhashes: np.ndarray, is_new: np.ndarray, threshold: float) -> set[tuple[int, int]]:
    """Row pairs (i < j, one of them new) sharing a band key whose estimated similarity reaches the threshold."""
    lsh = lsh_index(threshold)
    keys = band_keys(minhashes, lsh).ravel()
    rows = np.repeat(np.arange(len(minhashes)), lsh.b)
    order = np.argsort(keys, kind="stable")
    keys, rows = keys[order], rows[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.array([], dtype=int)
    sizes = np.diff(np.r_[starts, len(keys)])
    candidates = set()
    for start, size in zip(starts[sizes > 1], sizes[sizes > 1]):
        candidates.update((a, b) for a, b in itertools.combinations(sorted(set(rows[start:start + size].tolist())), 2)
                          if is_new[a] or is_new[b])
    if not candidates:
        return set()
    first, second = np.array(sorted(candidates)).T
    estimated = np.count_nonzero(minhashes[first] == minhashes[second], axis=1) / NUM_PERM
    return {(int(a), int(b)) for a, b in zip(first[estimated >= threshold], second[estimated >= threshold])}


def borrowed_paragraphs(borrower: Fingerprints, source_prints: set[int]) -> list[int]:
    """Indexes of the borrower's paragraphs mostly found in the source (half their fingerprints: a word
    changed here and there leaves a lifted paragraph lifted)."""
    return [index for index, (_, prints) in enumerate(borrower.paragraphs)
            if prints and len(prints & source_prints) >= BORROWED_PARAGRAPH * len(prints)]


def quoted_share(text: str) -> float:
    """Share of the text's letters and digits inside quotation marks."""
    inside, closing, quoted, total = False, "", 0, 0
    for character in text:
        if inside and character == closing:
            inside = False
        elif not inside and character in QUOTE_CLOSING:
            inside, closing = True, QUOTE_CLOSING[character]
        elif character.isalnum():
            total += 1
            quoted += inside
    return quoted / total if total else 0.0


QUOTE_CLOSING = {'"': '"', "\u201c": "\u201d", "\u201e": "\u201c", "\u00ab": "\u00bb", "\u2018": "\u2019"}


def earliest_first(article: dict) -> tuple:
    """The order of copies and stories: publication date (undated last), then the order inputs were read."""
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


def duplicate_links(pool: dict[str, dict], duplicates: Groups) -> dict[str, str | None]:
    """Each article's duplicate_of: the earliest copy of its group, None for that earliest copy."""
    links = {}
    for members in duplicates.members(pool).values():
        first = min((pool[m] for m in members), key=earliest_first)["article_id"]
        links.update({m: (None if m == first else first) for m in members})
    return links


def given_stories(pool: dict[str, dict], duplicates: Groups) -> dict[str, str]:
    """The story of each run article that copies (or is copied by) a loaded article: the loaded one's."""
    given = {}
    for members in duplicates.members(pool).values():
        loaded = [pool[m] for m in members if pool[m]["loaded"] and pool[m]["story_id"]]
        if loaded:
            story_id = min(loaded, key=earliest_first)["story_id"]
            given.update({m: story_id for m in members if not pool[m]["loaded"]})
    return given


def assign_links(pool: dict[str, dict], links: dict[str, str | None], story_of: dict[str, str]) -> pa.Table:
    """duplicate_of and story_id for the run's articles and every loaded one whose copy link changes
    (a loaded article keeps its story: story ids are stable across runs)."""
    rows = []
    for member in sorted(pool):
        row = pool[member]
        if not row["loaded"] or row["duplicate_of"] != links[member]:
            rows.append({"article_id": member, "duplicate_of": links[member],
                         "story_id": story_of.get(member) or row["story_id"] or member})
    return pa.Table.from_pylist(rows, schema=DUPLICATE_SCHEMA)


@dataclass
class Lift:
    """What a later article takes from an earlier one: the paragraphs counted, their words, the article's."""

    later: str
    earlier: str
    paragraphs: list[int]
    words: int
    total_words: int

    @property
    def share(self) -> float:
        return self.words / self.total_words if self.total_words else 0.0

    def recorded(self) -> bool:
        """A borrowing worth recording: a passage of about 40 words, or of two paragraphs or a fifth of the
        article, but never less than a sentence's worth of words (a short brief's one stock line)."""
        return self.words >= MIN_BORROWED_WORDS or self.words >= MIN_LIFTED_WORDS and (
            len(self.paragraphs) >= MIN_BORROWED_PARAGRAPHS or self.share >= MIN_BORROWED_SHARE)


def source_folder(source_path: str) -> str:
    """The folder an input was read from, relative to the source: a site's scrape ('' at the top)."""
    return source_path.rpartition("/")[0]


def _shared_passages(prints: pa.Table, unmeasured: pa.Table) -> list[tuple[int, int]]:
    """Pairs of `prints` articles (one of them new) sharing passages (sql/dedup/shared_passages.sql)."""
    with duckdb.connect() as con:
        con.register("prints", prints.select(["article", "fingerprint", "is_new"]))
        con.register("unmeasured", unmeasured)
        return con.execute(read_sql("dedup/shared_passages"), {
            "max_articles_per_fingerprint": MAX_ARTICLES_PER_FINGERPRINT,
            "min_shared_fingerprints": MIN_SHARED_FINGERPRINTS}).fetchall()


def borrowings(pool: dict[str, dict], known: pa.Table, is_new: np.ndarray,
               loaded_folder_sizes: dict[str, int] | None = None,
               unmeasured_carriers: pa.Table | None = None) -> tuple[pa.Table, pa.Table]:
    """For pairs sharing passages (one of them new), what the later article borrows from the earlier: the
    share of its words (BORROWING_SCHEMA) and the lifted passages of both texts (PASSAGE_SCHEMA).

    `known` holds the pool's fingerprints (PRINTS_SCHEMA), `is_new` says which of its rows are the run's;
    `loaded_folder_sizes` how many loaded articles each of their folders holds; `unmeasured_carriers` how
    many loaded candidates outside `known` carry a fingerprint (CARRIER_SCHEMA, candidates_to_measure).
    """
    ids = known["article_id"].to_pylist()
    paragraphs = _column(known, "paragraph_prints")
    prints = pc.list_flatten(paragraphs)
    article = pc.take(pc.list_parent_indices(paragraphs), pc.list_parent_indices(prints))
    folder_names = sorted({source_folder(row["source_path"]) for row in pool.values()})
    folder_of = {folder: number for number, folder in enumerate(folder_names)}
    folder_sizes = Counter(source_folder(row["source_path"]) for row in pool.values() if not row["loaded"])
    folder_sizes.update(loaded_folder_sizes or {})
    folders = pa.array([folder_of[source_folder(pool[article_id]["source_path"])] for article_id in ids], pa.int32())
    exploded = pa.table({"article": article, "fingerprint": pc.list_flatten(prints),
                         "is_new": pc.take(pa.array(is_new, pa.bool_()), article), "folder": pc.take(folders, article)})
    if unmeasured_carriers is None:
        unmeasured_carriers = CARRIER_SCHEMA.empty_table()
    # Folders of unmeasured carriers that no pool article shares get numbers of their own (-1: only an
    # article's own folder is ever asked about).
    unmeasured = unmeasured_carriers.set_column(1, "folder", pa.array(
        [folder_of.get(name, -1) for name in unmeasured_carriers["folder"].to_pylist()], pa.int32()))
    pairs = _shared_passages(exploded, unmeasured)
    paired = sorted({row for pair in pairs for row in pair})
    with duckdb.connect() as con:
        con.register("prints", exploded)
        con.register("unmeasured", unmeasured)
        con.register("paired", pa.table({"article": pa.array(paired, article.type)}))
        carried = con.execute(read_sql("dedup/passage_carriers")).fetchall()
    widely_carried = {(ids[row], value) for row, value, carriers, _ in carried if carriers >= WIDELY_CARRIED}

    def site_size(row: int) -> int:
        return folder_sizes[source_folder(pool[ids[row]]["source_path"])]

    site_furniture = {(ids[row], value) for row, value, _, in_folder in carried
                      if in_folder >= max(SITE_FURNITURE_ARTICLES, SITE_FURNITURE_SHARE * site_size(row))}
    measured = prints_from_table(known.take(pa.array(paired, pa.int64())))
    spans = functools.cache(lambda article_id: paragraph_spans(pool[article_id]["clean_text"]))

    def not_a_borrowing(article_id: str, index: int, source_prints: set[int]) -> bool:
        """A paragraph the article's own site prints under its stories, a wire template, or a quotation many
        outlets carry."""
        paragraph = measured[article_id].paragraphs[index][1]
        if sum((article_id, value) in site_furniture for value in paragraph) >= BORROWED_PARAGRAPH * len(paragraph):
            return True
        shared = paragraph & source_prints
        if len(shared) < TEMPLATE_COVERAGE * len(paragraph) and \
                sum((article_id, value) in widely_carried for value in shared) >= BORROWED_PARAGRAPH * len(shared):
            return True
        if sum((article_id, value) in widely_carried for value in paragraph) < BORROWED_PARAGRAPH * len(paragraph):
            return False
        start, end = spans(article_id)[index]
        return quoted_share(pool[article_id]["clean_text"][start:end]) >= QUOTATION_SHARE

    rows, passages = [], []
    for pair in pairs:
        earlier, later = sorted((ids[row] for row in pair), key=lambda article_id: earliest_first(pool[article_id]))
        words = [count for count, _ in measured[later].paragraphs]
        source_prints = measured[earlier].all_fingerprints()
        lifted = [index for index in borrowed_paragraphs(measured[later], source_prints)
                  if not not_a_borrowing(later, index, source_prints)]
        lift = Lift(later, earlier, lifted, sum(words[index] for index in lifted), sum(words))
        if lift.paragraphs and lift.recorded():
            rows.append({"article_id": later, "borrowed_from": earlier, "borrowed_share": round(lift.share, 4),
                         "borrowed_paragraphs": len(lifted)})
            passages.extend(lifted_passages(lift, measured, spans))
    return (pa.Table.from_pylist(sorted(rows, key=lambda r: (r["article_id"], r["borrowed_from"])),
                                 schema=BORROWING_SCHEMA),
            pa.Table.from_pylist(sorted(passages, key=lambda r: (r["article_id"], r["borrowed_from"], r["start_char"])),
                                 schema=PASSAGE_SCHEMA))


def _consecutive_runs(indexes: list[int]) -> list[list[int]]:
    """[1, 2, 4] -> [[1, 2], [4]]."""
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def lifted_passages(lift: Lift, measured: dict[str, Fingerprints], spans) -> list[dict]:
    """One row per run of consecutive lifted paragraphs, with where they stand in the earlier text: the
    span of the earlier paragraphs that share most with each of them."""
    later, earlier = measured[lift.later].paragraphs, measured[lift.earlier].paragraphs
    rows = []
    for run in _consecutive_runs(lift.paragraphs):
        sources = [max(range(len(earlier)), key=lambda q, p=later[index][1]: (len(p & earlier[q][1]), -q))
                   for index in run]
        rows.append({"article_id": lift.later, "start_char": spans(lift.later)[run[0]][0],
                     "end_char": spans(lift.later)[run[-1]][1], "borrowed_from": lift.earlier,
                     "source_start_char": min(spans(lift.earlier)[q][0] for q in sources),
                     "source_end_char": max(spans(lift.earlier)[q][1] for q in sources)})
    return rows


@dataclass
class EarlierArticles:
    """Loaded articles the run's articles may link to, as Warehouse.dedup_candidates reads them."""

    articles: list[dict]     # ids, path, dates, content_hash, story_id, duplicate_of, clean_text
    signatures: pa.Table     # article_id, lsh_layout, minhash: of the measured candidates
    fingerprints: pa.Table   # FINGERPRINT_SCHEMA rows: of the measured candidates
    folder_sizes: dict[str, int] = field(default_factory=dict)   # loaded articles per source folder
    # How many candidates left unmeasured carry a fingerprint, by folder (CARRIER_SCHEMA; see
    # candidates_to_measure): they count when borrowings asks how widely a passage is carried.
    unmeasured_carriers: pa.Table = field(default_factory=lambda: CARRIER_SCHEMA.empty_table())

    @classmethod
    def none(cls) -> EarlierArticles:
        """No loaded articles: a first run, a --full-refresh."""
        return cls([], SIGNATURE_SCHEMA.empty_table(), FINGERPRINT_SCHEMA.empty_table())


def candidates_to_measure(request: dict, candidates: list[dict]) -> tuple[list[str], list[str]]:
    """Which loaded candidates (sql/reads/copy_candidates.sql rows) need their signatures and all their
    fingerprints read, and which are left unmeasured, replaced rows aside (candidate_pool).

    A candidate found through its passages shares them with the batch as a whole (an earnings table's
    lines with many of its articles); it is measured only if it shares enough with one of them to pair
    (sql/dedup/shared_passages.sql over the batch's fingerprints and the candidates' `batch_prints`, the
    same pairs borrowings finds). Copy candidates are always measured. At 20,000 loaded articles a late
    batch of 900 had 12,191 candidates and 2,559 that pair: the rest only count as carriers.
    """
    pool = candidate_pool(request["batch_articles"], candidates)
    loaded = [row for row in candidates if row["article_id"] in pool and pool[row["article_id"]]["loaded"]]
    batch = request["batch_prints"]
    paragraphs = _column(batch, "paragraph_prints")
    paragraph_prints = pc.list_flatten(paragraphs)
    new_prints = pc.list_flatten(paragraph_prints)
    new_article = pc.take(pc.list_parent_indices(paragraphs), pc.list_parent_indices(paragraph_prints))
    # The loaded candidates' rows come after the batch's: article numbers from len(batch) on.
    shared = pa.array([row["batch_prints"] for row in loaded], pa.list_(pa.int64()))
    shared_prints = pc.list_flatten(shared)
    exploded = pa.table({
        "article": pa.concat_arrays([new_article.cast(pa.int64()),
                                     pc.add(pc.list_parent_indices(shared).cast(pa.int64()), len(batch))]),
        "fingerprint": pa.concat_arrays([new_prints, shared_prints]),
        "is_new": pa.array(np.arange(len(new_prints) + len(shared_prints)) < len(new_prints))})
    pairs = _shared_passages(exploded, CARRIER_SCHEMA.empty_table())
    paired = {row - len(batch) for pair in pairs for row in pair if row >= len(batch)}
    measured = [row["article_id"] for number, row in enumerate(loaded) if row["copy_candidate"] or number in paired]
    unmeasured = [row["article_id"] for number, row in enumerate(loaded)
                  if not row["copy_candidate"] and number not in paired]
    return measured, unmeasured


@dataclass
class DedupResult:
    """What the load stage writes: links, and the run's signatures, fingerprints and borrowings."""

    SCHEMAS = {"links": DUPLICATE_SCHEMA, "signatures": SIGNATURE_SCHEMA, "fingerprints": FINGERPRINT_SCHEMA,
               "borrowings": BORROWING_SCHEMA, "borrowed_passages": PASSAGE_SCHEMA,
               "story_terms": stories.STORY_TERM_SCHEMA,
               "story_profiles": stories.STORY_PROFILE_SCHEMA}

    links: pa.Table
    signatures: pa.Table
    fingerprints: pa.Table
    borrowings: pa.Table
    borrowed_passages: pa.Table
    story_terms: pa.Table
    story_profiles: pa.Table


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


def candidate_request(articles: pa.Table, prints: pa.Table, threshold: float) -> dict:
    """Query parameters for the loaded articles that may copy the run's (sql/load/copy_candidates.sql)."""
    lsh = lsh_index(threshold)
    return {
        "content_hashes": sorted(set(articles["content_hash"].to_pylist())),
        "band_keys": np.unique(band_keys(_minhashes(prints), lsh)).tolist(),
        "lsh_layout": lsh_layout(lsh),
        "fingerprints": np.unique(pc.list_flatten(pc.list_flatten(_column(prints, "paragraph_prints")))
                                  .to_numpy()).tolist(),
        "min_shared_fingerprints": MIN_SHARED_FINGERPRINTS,
        "max_articles_per_fingerprint": MAX_ARTICLES_PER_FINGERPRINT,
        "folders": sorted({source_folder(path) for path in articles["source_path"].to_pylist()}),
        # Not query parameters: what candidates_to_measure pairs the candidates with.
        "batch_articles": articles.select(["article_id", "source_path", "record_index"]).to_pylist(),
        "batch_prints": prints,
    }


def _earlier_prints(earlier: EarlierArticles) -> pa.Table:
    """The loaded candidates' fingerprints as PRINTS_SCHEMA rows (sql/dedup/loaded_prints.sql)."""
    with duckdb.connect() as con:
        con.register("signatures", earlier.signatures.select(["article_id", "minhash"]))
        con.register("fingerprints", earlier.fingerprints)
        return con.execute(read_sql("dedup/loaded_prints")).to_arrow_table().cast(PRINTS_SCHEMA)


def _column(table: pa.Table, name: str) -> pa.Array:
    column = table[name]
    return pa.concat_arrays(column.chunks) if column.num_chunks else pa.array([], column.type)


def _minhashes(prints: pa.Table) -> np.ndarray:
    """The MinHash values of PRINTS_SCHEMA rows as one matrix, a row per article."""
    return pc.list_flatten(_column(prints, "minhash")).to_numpy().reshape(len(prints), NUM_PERM)


def _list_array(matrix: np.ndarray, value_type: pa.DataType) -> pa.Array:
    offsets = np.arange(0, matrix.size + 1, matrix.shape[1], dtype=np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(matrix.ravel(), value_type))


def _signature_rows(prints: pa.Table, lsh: MinHashLSH) -> pa.Table:
    minhashes = _minhashes(prints)
    return pa.table({"article_id": _column(prints, "article_id"), "lsh_layout": [lsh_layout(lsh)] * len(prints),
                     "minhash": _list_array(minhashes, pa.uint32()),
                     "band_keys": _list_array(band_keys(minhashes, lsh), pa.int64())}, schema=SIGNATURE_SCHEMA)


def _fingerprint_rows(prints: pa.Table) -> pa.Table:
    """One row per (article, paragraph, fingerprint), in article, paragraph and value order."""
    paragraphs = _column(prints, "paragraph_prints")
    values = pc.list_flatten(paragraphs)
    paragraph_of_value = pc.list_parent_indices(values)
    article_of_paragraph = pc.list_parent_indices(paragraphs)
    counts = pc.list_value_length(paragraphs).to_numpy(zero_copy_only=False)
    first_paragraph = np.repeat(np.cumsum(counts) - counts, counts)
    index_in_article = np.arange(len(article_of_paragraph)) - first_paragraph
    return pa.table({
        "article_id": pc.take(_column(prints, "article_id"), pc.take(article_of_paragraph, paragraph_of_value)),
        "paragraph_index": pc.take(pa.array(index_in_article, pa.int32()), paragraph_of_value),
        "paragraph_words": pc.take(pc.list_flatten(_column(prints, "paragraph_words")), paragraph_of_value),
        "fingerprint": pc.list_flatten(values)}, schema=FINGERPRINT_SCHEMA)


@dataclass
class Copies:
    """A set of articles' copies among themselves and in the warehouse (link_copies), before stories."""

    pool: dict[str, dict]     # the articles and the loaded ones they may link to, by id (candidate_pool)
    groups: Groups            # copies of one text, joined
    links: dict[str, str | None]   # each pool article's duplicate_of
    new_ids: set[str]
    signatures: pa.Table
    fingerprints: pa.Table
    borrowings: pa.Table
    borrowed_passages: pa.Table


def link_copies(articles: pa.Table, prints: pa.Table, earlier: EarlierArticles,
                threshold: float = DEFAULT_NEAR_DUPLICATE_THRESHOLD) -> Copies:
    """Link articles to their exact and near copies, among themselves and among the loaded `earlier`
    ones, and measure what they borrow. `prints` holds the articles' fingerprints (PRINTS_SCHEMA)."""
    pool = candidate_pool(articles.select(list(ARTICLE_COLUMNS)).to_pylist(), earlier.articles)
    new_ids = set(articles["article_id"].to_pylist())
    loaded = _earlier_prints(earlier)
    loaded = loaded.filter(pc.invert(pc.is_in(loaded["article_id"], value_set=_column(prints, "article_id"))))
    known = pa.concat_tables([prints, loaded])
    known = known.filter(pc.is_in(known["article_id"], value_set=pa.array(list(pool), pa.string())))
    ids = known["article_id"].to_pylist()
    is_new = np.array([article_id in new_ids for article_id in ids], dtype=bool)
    near = {(ids[a], ids[b]) for a, b in near_duplicate_pairs(_minhashes(known), is_new, threshold)}
    groups = duplicate_groups(pool, near)
    # Loaded signatures of another band layout (the threshold changed) are re-keyed once.
    lsh = lsh_index(threshold)
    rekeyed = earlier.signatures.filter(pc.not_equal(earlier.signatures["lsh_layout"], lsh_layout(lsh)))["article_id"]
    signed = pc.or_(pa.array(is_new, pa.bool_()),
                    pc.is_in(known["article_id"], value_set=rekeyed.combine_chunks()))
    return Copies(pool, groups, duplicate_links(pool, groups), new_ids, _signature_rows(known.filter(signed), lsh),
                  _fingerprint_rows(prints),
                  *borrowings(pool, known, is_new, earlier.folder_sizes, earlier.unmeasured_carriers))


def find_stories(ordered: list[stories.ArticleTerms], loaded_stories: stories.LoadedStories,
                 given: dict[str, str], original_of: dict[str, str]
                 ) -> tuple[dict[str, str], Iterator[pa.Table], pa.Table]:
    """The story of each article (earliest first), of those `given` a loaded copy's story, of the copies of
    `original_of` their original's; with the story term rows, in chunks to be written one by one, and the
    profiles of the stories touched."""
    terms = {article.article_id: article for article in ordered}
    index = stories.story_index(terms, loaded_stories)
    story_of = stories.assign_stories(ordered, index, given=given, original_of=original_of)
    profiles = stories.story_profile_rows(index, set(story_of.values()))
    # The index and the articles' vectors were for comparing: gone before the term rows are made, they
    # leave the stage's peak (a 20,000-article run: 140 MB of index, 40 MB of vectors) behind it.
    del index
    for article in ordered:
        article._vectors.clear()
    return story_of, stories.story_term_chunks(terms, story_of), profiles


def find_copies(articles: pa.Table, prints: pa.Table, mentions: list[dict], earlier: EarlierArticles,
                threshold: float = DEFAULT_NEAR_DUPLICATE_THRESHOLD,
                loaded_stories: stories.LoadedStories | None = None,
                run_terms: dict[str, stories.ArticleTerms] | None = None) -> DedupResult:
    """Link the run's articles to their copies and stories, among themselves and in the warehouse.

    `prints` holds the run's articles' fingerprints (PRINTS_SCHEMA, see prints_table); `mentions`
    their entity rows (article_id, entity_id, label, mentions); `loaded_stories` what the warehouse
    holds of the stories they may join (none: every story is new, as in a --full-refresh).
    """
    copies = link_copies(articles, prints, earlier, threshold)
    pool, links, new_ids = copies.pool, copies.links, copies.new_ids
    # Stories, earliest article first; a copy joins its original's story.
    if run_terms is None:
        run_terms = stories.article_terms(articles.select(list(ARTICLE_COLUMNS)).to_pylist(), mentions)
    ordered = sorted((pool[a] for a in new_ids), key=earliest_first)
    story_of, story_terms, story_profiles = find_stories(
        [run_terms[row["article_id"]] for row in ordered], loaded_stories or stories.LoadedStories(),
        given=given_stories(pool, copies.groups), original_of={a: links[a] for a in new_ids if links[a] in new_ids})
    story_terms = pa.concat_tables([stories.STORY_TERM_SCHEMA.empty_table(), *story_terms])
    return DedupResult(links=assign_links(pool, links, story_of), signatures=copies.signatures,
                       fingerprints=copies.fingerprints, borrowings=copies.borrowings,
                       borrowed_passages=copies.borrowed_passages, story_terms=story_terms, story_profiles=story_profiles)
