"""Stories: the run's articles (text, date, canonical entities) and the warehouse's stories they
may join in; each article's story out, and the term rows that make the run's stories findable later.

Online clustering against story profiles, after Miranda et al. (EMNLP 2018, "Multilingual
Clustering of Streaming News"): articles are taken earliest first; each is compared with the
stories that share its most telling terms (an inverted index: in memory for the run's stories,
the `story_terms` table for the warehouse's, never all pairs) and joins the most similar one
above a threshold, or founds a story whose id is its own article_id, kept from then on.

The similarity is the cosine of TF-IDF vectors of the article and of the story's summed
profile, over words and, as a weighted part, canonical entities; where both are dated, it decays
with the days between the article and the story. Two events of the same kind (two actors in
rehab, two earthquakes) share most words: the article's distinctive entities (the people and
places it names most, weighed by rarity) must appear in the story, or the similarity is cut. What
differs is evidence too: an article whose year (its publication year, else the latest year it
names) is more than a year from every article of the story, or whose headline names another thing
than the story's headlines do (sugar, not coffee; another market's report: silver, not gold), has
its similarity cut; one whose body names no one telling (a results table) and whose headline names a
company no article of the story names is another story.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import math
import operator
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import compress, repeat

import pyarrow as pa
import pyarrow.compute as pc

# Entities that name who or where a story is about; dates, numbers and money are not.
STORY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "EVENT", "FAC", "LOC"})
# The entities that tell two events of one kind apart: who and where.
DISTINCTIVE_LABELS = frozenset({"PERSON", "GPE", "LOC", "FAC", "ORG"})
WORD_KIND, ENTITY_KIND = "word", "entity"

# Chosen on ecbplus-dev (bench/story_sweep.py prints the sweep; the README has it).
JOIN_THRESHOLD = 0.13           # similarity from which an article joins a story
REFINE_ROUNDS = 3               # passes that move each of the run's articles to its best story
ENTITY_WEIGHT = 0.3             # how far entity agreement moves the similarity (x0.7 to x1.3)
DISTINCTIVE_ENTITIES = 3        # the article's most telling people, places, organisations ...
DISTINCTIVE_SHARE = 0.5         # ... one of which must weigh this much per article of the story ...
MISSING_DISTINCTIVE = 0.5       # ... or the similarity is cut to this share
HALF_LIFE_DAYS = 7.0            # both dated: the similarity halves for every week between them
# What differs between two events of one kind (issue 25). An article's year is its publication
# year, else the latest year its text names (news tells the latest events; earlier years are
# background): an article whose year no article of the story is within YEAR_GAP of tells another
# event (the Greek riots of 2008 and the strike deaths of 2010).
YEAR_GAP = 1
YEAR_CUT = 0.4
# The one name that differs, read from the headlines, where it is often no entity (coffee and
# sugar, gold and copper): a word TITLE_SHARE of the story's headlines hold is nowhere in the
# article, and a word of the article's headline is in at most TITLE_ABSENT_SHARE of the story's
# articles; the similarity is then cut to TITLE_CUT.
TITLE_SHARE = 0.7
TITLE_ABSENT_SHARE = 0.2
TITLE_CUT = 0.5
TITLE_REPEAT = 2                # a title word counts as this many body words
# An article whose body names no one telling (a results table: "Shr 25 cts vs 20 cts", its row labels
# read as names, "cts" an organisation) is about the company or person its headline names: where no
# article of the story names that one, the similarity is cut to SUBJECT_CUT, which not even identical
# words and entities (1.3) lift over the threshold: another subject is another story. A body entity in
# more than COMMON_ENTITY_SHARE of the articles, and in more than COMMON_ENTITY_ARTICLES (in a small run
# every entity is in a large share), tells no one apart: of 19,000 Reuters stories "cts" is in 6.7 %,
# the row labels "Revs" 3.8 % and "Avg" 2.8 %, Reagan 1.3 %. Where the model finds no name in the
# headline (a line in capitals) and the body names only common ones, the headline's rarest word stands
# for its subject (HEADLINE_WORD_SUBJECT). Chosen on Reuters results releases; the ECB+ topics 1-10 and
# 11-20 are unchanged by it.
SUBJECT_CUT = 0.05
HEADLINE_WORD_SUBJECT = True
COMMON_ENTITY_SHARE = 0.01
COMMON_ENTITY_ARTICLES = 50
# A market report is about the thing traded, which its headline names, while the rest of its words
# are the desk's template ("COMEX GOLD FUTURES CLOSE HIGHER", "COMEX SILVER FUTURES SOAR AT OPENING"):
# an article whose headline names traded goods, none of which the story's headlines name at least
# GOODS_SHARE as often as the good they name most (or whose headlines name none: "SYDNEY FINANCIAL
# FUTURES CLOSE MIXED" founding the gold reports' story), has its similarity cut to GOODS_CUT. Headlines
# only: a gold report names silver in its body. Chosen on the first half of Reuters-21578 (stories with
# two or more headlines naming goods but no good common to them: 29 of 82 -> 12 of 79, then 9 of 78 with
# stories naming none), the second half reported beside it (46 of 133 -> 19 of 132 -> 10 of 129); ECB+
# topics 1-10 and 11-20 are unchanged.
GOODS_SHARE = 0.5
GOODS_CUT = 0.3
# Headline word stems (as word_stem folds them) naming a traded good; synonyms share one good. Not
# lead (a verb as often) nor oil and gas (crude's, heating oil's, palm oil's and gasoline's headlines).
TRADED_GOODS = {
    **{word: word for word in ("gold", "silver", "copper", "platinum", "palladium", "nickel", "zinc", "tin",
                               "wheat", "corn", "oat", "barley", "sorghum", "rice", "sugar", "coffee", "cocoa",
                               "cotton", "wool", "rubber", "lumber", "cattle", "hog", "pork")},
    "aluminum": "aluminium", "aluminium": "aluminium", "belly": "pork", "feeder": "cattle", "steer": "cattle",
    "soy": "soy", "soya": "soy", "soybean": "soy", "soyoil": "soy", "soymeal": "soy",
    "rapeseed": "rapeseed", "canola": "rapeseed",
}

# The index: an article looks for stories through its QUERY_TERMS best terms; a term in more
# than MAX_ARTICLES_PER_TERM articles ("said", the country of every story) finds none alone.
QUERY_TERMS = 20
MAX_ARTICLES_PER_TERM = 500
STORIES_PER_ARTICLE = 20
# A story's persisted profile keeps its best terms only, so reading and comparing a story of
# thousands of articles costs no more than one of ten.
PROFILE_TERMS = {WORD_KIND: 300, ENTITY_KIND: 100}
TERM_ROWS_ARTICLES = 1000

WORD = re.compile(r"[^\W\d_]{3,}")
YEAR = re.compile(r"(?<![\d.,$£€-])(19[5-9]\d|20\d\d)(?![\d.,]\d|%)")
AHEAD = re.compile(r"\b(?:by|until|till) (?:early |late |mid-|the end of )?$", re.I)

STORY_PROFILE_SCHEMA = pa.schema([
    ("story_id", pa.string()), ("kind", pa.string()), ("term", pa.string()), ("weight", pa.float64()),
])
STORY_TERM_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("story_id", pa.string()), ("kind", pa.string()), ("term", pa.string()),
    ("weight", pa.float64()),
])


@functools.cache
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS   # here: spaCy is heavy to import

    return frozenset(STOP_WORDS)


def word_stem(word: str) -> str:
    """A light English fold so "strikes"/"strike" and "ships"/"ship" count as one term."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# An article's words repeat, and so do a run's: each word is folded once.
_stem = functools.cache(word_stem)


def _folded_counts(text: str) -> Counter:
    """Stems of the text's content words, in the order each stem first occurs."""
    counts = Counter(WORD.findall(text))
    for word in _stop_words() & counts.keys():
        del counts[word]
    # Each word counted, then folded in the order it first occurs: a stem still comes first where
    # its earliest form does, so the terms keep their text order (the order the sums run in).
    folded: Counter = Counter()
    for word, count in counts.items():
        stem = _stem(word)
        folded[stem] = folded.get(stem, 0) + count
    return folded


def word_counts(clean_text: str, title: str | None = None) -> Counter:
    """Content words of the article (stop words out, plurals folded), title words counted more."""
    counts = _folded_counts(clean_text.lower())
    in_title = _folded_counts((title or "").lower())
    for _ in range(TITLE_REPEAT):
        counts.update(in_title)
    return counts


@dataclass(frozen=True)
class TermVector:
    """One kind of an article's terms under one run's frequencies, as aligned tuples: what the
    comparisons and the story profiles' updates walk through, in the article's term order."""

    terms: tuple[str, ...]
    weights: tuple[float, ...]      # 1 + ln tf: the very floats of the article's term dict
    # Arrays of doubles, not tuples of floats: a run holds every article's vectors at once, and a
    # float object and its pointer cost 32 bytes where a double costs 8.
    weighted: array                 # weight x idf squared: one side of the cosine's dot product
    idf_squared: array
    norm: float                     # of the TF-IDF vector


@dataclass
class ArticleTerms:
    """One article as the story stage sees it: sublinear term weights (1 + ln tf) per kind."""

    article_id: str
    published_date: dt.date | None
    words: dict[str, float]
    entities: dict[str, float]
    distinctive_labels: dict[str, str] = field(default_factory=dict)   # entity_id -> label
    year: int | None = None         # publication year, else the latest year the text names
    title_words: frozenset[str] = frozenset()
    headline_entities: frozenset[str] = frozenset()   # the people, places, organisations the headline names
    headline_goods: frozenset[str] = field(init=False)   # the traded goods the headline names
    # Per kind, the TermVector under one run's frequencies (an index never changes them).
    _vectors: dict[str, TermVector] = field(default_factory=dict, repr=False)
    _distinctive: list[str] | None = field(default=None, repr=False)
    _body_tells: bool | None = field(default=None, repr=False)
    _rarest_headline_word: str | None = field(default=None, repr=False)

    def __post_init__(self):
        self.headline_goods = frozenset(TRADED_GOODS[word] for word in self.title_words if word in TRADED_GOODS)

    def terms(self, kind: str) -> dict[str, float]:
        return self.words if kind == WORD_KIND else self.entities

    def vector(self, kind: str, frequencies: DocumentFrequencies) -> TermVector:
        if kind not in self._vectors:
            terms = self.terms(kind)
            idf = [frequencies.idf(kind, t) for t in terms]
            weights = tuple(terms.values())
            self._vectors[kind] = TermVector(
                tuple(terms), weights, array("d", [w * i ** 2 for w, i in zip(weights, idf)]),
                array("d", [i ** 2 for i in idf]), math.sqrt(sum((w * i) ** 2 for w, i in zip(weights, idf))))
        return self._vectors[kind]

    def weighted(self, kind: str, frequencies: DocumentFrequencies) -> tuple[dict[str, float], float]:
        """(term -> weight x idf squared, norm of the TF-IDF vector)."""
        vector = self.vector(kind, frequencies)
        return dict(zip(vector.terms, vector.weighted)), vector.norm


def _sublinear(counts: Counter) -> dict[str, float]:
    return {term: 1.0 + math.log(count) for term, count in counts.items() if count > 0}


def article_year(published_date: dt.date | None, clean_text: str, title: str | None = None) -> int | None:
    """The year the article tells of: its publication year, else the latest year it names that is
    not a figure (a price, a share, a range's end), else None."""
    if published_date is not None:
        return published_date.year
    text = f"{title or ''}\n{clean_text}"
    # "by 2030", "until 2015": a year the article looks ahead to is not the year it tells of.
    years = [int(m.group(1)) for m in YEAR.finditer(text)
             if not AHEAD.search(text, max(0, m.start() - 20), m.start())]
    return max(years) if years else None


def article_terms(articles: list[dict], mentions: list[dict], headline_mentions: list[dict] = ()
                  ) -> dict[str, ArticleTerms]:
    """ArticleTerms of rows (article_id, clean_text, title, published_date), with mention rows of their
    bodies (article_id, entity_id, label, optional mentions count) and of their headlines (article_id,
    entity_id: headline_entities)."""
    headline: dict[str, set[str]] = defaultdict(set)
    for row in headline_mentions:
        headline[row["article_id"]].add(row["entity_id"])
    entities: dict[str, Counter] = defaultdict(Counter)
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for row in mentions:
        if row["label"] in STORY_LABELS and row.get("entity_id"):
            entities[row["article_id"]][row["entity_id"]] += row.get("mentions", 1)
            if row["label"] in DISTINCTIVE_LABELS:
                labels[row["article_id"]][row["entity_id"]] = row["label"]
    return {row["article_id"]: ArticleTerms(row["article_id"], row.get("published_date"),
                                            _sublinear(word_counts(row["clean_text"], row.get("title"))),
                                            _sublinear(entities.get(row["article_id"], Counter())),
                                            labels.get(row["article_id"], {}),
                                            article_year(row.get("published_date"), row["clean_text"], row.get("title")),
                                            frozenset(_folded_counts((row.get("title") or "").lower())),
                                            frozenset(headline.get(row["article_id"], ())))
            for row in articles}


@dataclass
class DocumentFrequencies:
    """How many articles hold each term, over the warehouse and the run: the IDF's evidence."""

    documents: int = 0
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    _idf: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)

    def add(self, articles) -> None:
        self._idf.clear()
        for article in articles:
            self.documents += 1
            for kind in (WORD_KIND, ENTITY_KIND):
                for term in article.terms(kind):
                    self.counts[(kind, term)] = self.counts.get((kind, term), 0) + 1

    def idf(self, kind: str, term: str) -> float:
        key = (kind, term)
        if key not in self._idf:
            self._idf[key] = math.log((1 + self.documents) / (1 + self.counts.get(key, 0))) + 1.0
        return self._idf[key]

    def articles_with(self, kind: str, term: str) -> int:
        return self.counts.get((kind, term), 0)


@dataclass
class StoryProfile:
    """A story's summed article term weights, and the days its dated articles span."""

    story_id: str
    terms: dict[str, dict[str, float]] = field(default_factory=lambda: {WORD_KIND: {}, ENTITY_KIND: {}})
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    _norms: dict[str, float] = field(default_factory=dict, repr=False)
    count: int = 0                  # articles
    # Of the run's articles only (the warehouse keeps neither): a loaded story is judged by those that joined it.
    years: Counter = field(default_factory=Counter)          # article year -> articles
    title_words: Counter = field(default_factory=Counter)    # headline word -> articles
    headline_entities: Counter = field(default_factory=Counter)   # entity a headline names -> articles
    headline_goods: Counter = field(default_factory=Counter)      # traded good a headline names -> articles
    # The words TITLE_SHARE of its headlines hold, kept until an article comes or goes: a story of
    # thousands of headlines is compared far more often than it changes.
    _headline_words: tuple[str, ...] | None = field(default=None, repr=False)
    _leading_goods: frozenset[str] | None = field(default=None, repr=False)

    def add(self, article: ArticleTerms, frequencies: DocumentFrequencies | None = None) -> None:
        """Add an article's weights; with the run's frequencies, the cached norms follow (a story of
        thousands of articles is not summed again for every article it takes in)."""
        self.count += 1
        if article.year is not None:
            self.years[article.year] += 1
        self.title_words.update(article.title_words)
        self.headline_entities.update(article.headline_entities)
        self.headline_goods.update(article.headline_goods)
        self._headline_words = self._leading_goods = None
        for kind in (WORD_KIND, ENTITY_KIND):
            profile = self.terms[kind]
            squared = self._norms.get(kind)
            if squared is not None and frequencies is not None:
                vector = article.vector(kind, frequencies)
                for term, weight, idf_squared in zip(vector.terms, vector.weights, vector.idf_squared):
                    before = profile.get(term, 0.0)
                    after = profile[term] = before + weight
                    squared += (after ** 2 - before ** 2) * idf_squared
                self._norms[kind] = squared
            else:
                for term, weight in article.terms(kind).items():
                    profile[term] = profile.get(term, 0.0) + weight
                self._norms.pop(kind, None)
        self.add_date(article.published_date)

    def remove(self, article: ArticleTerms, frequencies: DocumentFrequencies) -> None:
        """Take an article's weights out again (it moves to another story); the date span is kept."""
        self.count -= 1
        if article.year is not None:
            self.years[article.year] -= 1
            if self.years[article.year] <= 0:
                del self.years[article.year]
        self.title_words.subtract(article.title_words)
        self._headline_words = self._leading_goods = None
        for word in article.title_words:
            if self.title_words[word] <= 0:
                del self.title_words[word]
        self.headline_entities.subtract(article.headline_entities)
        for entity in article.headline_entities:
            if self.headline_entities[entity] <= 0:
                del self.headline_entities[entity]
        self.headline_goods.subtract(article.headline_goods)
        for good in article.headline_goods:
            if self.headline_goods[good] <= 0:
                del self.headline_goods[good]
        for kind in (WORD_KIND, ENTITY_KIND):
            profile = self.terms[kind]
            self.norm(kind, frequencies)   # the squared norm is cached before it is updated
            squared = self._norms[kind]
            vector = article.vector(kind, frequencies)
            for term, weight, idf_squared in zip(vector.terms, vector.weights, vector.idf_squared):
                before = profile.get(term, 0.0)
                after = before - weight
                if after <= 1e-9:
                    profile.pop(term, None)
                    after = 0.0
                else:
                    profile[term] = after
                squared += (after ** 2 - before ** 2) * idf_squared
            self._norms[kind] = max(squared, 0.0)

    def headline_words(self) -> tuple[str, ...]:
        """The words TITLE_SHARE of the story's headlines hold (of its run's articles)."""
        if self._headline_words is None:
            self._headline_words = tuple(word for word, count in self.title_words.items()
                                         if count >= TITLE_SHARE * self.count)
        return self._headline_words

    def leading_goods(self) -> frozenset[str]:
        """The traded goods named by at least GOODS_SHARE as many of the story's headlines as its most named."""
        if self._leading_goods is None:
            most = max(self.headline_goods.values(), default=0)
            self._leading_goods = frozenset(good for good, count in self.headline_goods.items()
                                            if count >= GOODS_SHARE * most)
        return self._leading_goods

    def add_date(self, day: dt.date | None) -> None:
        if day is not None:
            self.first_date = min(self.first_date or day, day)
            self.last_date = max(self.last_date or day, day)

    def norm(self, kind: str, frequencies: DocumentFrequencies) -> float:
        if kind not in self._norms:   # kept squared, so adding an article updates it
            self._norms[kind] = sum((w * frequencies.idf(kind, t)) ** 2 for t, w in self.terms[kind].items())
        return math.sqrt(max(self._norms[kind], 0.0))


def _cosine(article: ArticleTerms, story: StoryProfile, kind: str, frequencies: DocumentFrequencies) -> float:
    vector = article._vectors.get(kind) or article.vector(kind, frequencies)
    squared = story._norms.get(kind)
    # Always taken, first: story.norm caches the squared norm that adding an article then updates.
    story_norm = math.sqrt(max(squared, 0.0)) if squared is not None else story.norm(kind, frequencies)
    if not vector.norm or not story_norm:
        return 0.0
    # The dot product in the article's term order, a term the story lacks adding 0.0 (which leaves
    # a sum of positive products as it was): the same sum as a loop over shared terms, run in C.
    dot = sum(map(operator.mul, vector.weighted, map(story.terms[kind].get, vector.terms, repeat(0.0))))
    return dot / (vector.norm * story_norm)


def _years_apart(article: ArticleTerms, story: StoryProfile) -> int | None:
    """Years between the article's year and the nearest year of the story's articles."""
    if article.year is None or not story.years:
        return None
    return min(abs(article.year - year) for year in story.years)


def _headlines_differ(article: ArticleTerms, story: StoryProfile) -> bool:
    """Most of the story's headlines name a word the article never uses, and the article's headline
    names a word the story's articles mostly lack: the thing that differs (coffee against sugar)."""
    if not article.title_words or not story.title_words or story.count <= 0:
        return False
    if all(word in article.words for word in story.headline_words()):
        return False
    story_words = story.terms[WORD_KIND]
    # A word's summed weight is at least 1 per article that holds it.
    return any(story_words.get(word, 0.0) <= TITLE_ABSENT_SHARE * story.count for word in article.title_words)


def _goods_differ(article: ArticleTerms, story: StoryProfile) -> bool:
    """The article's headline names traded goods, and none of them is among those the story's headlines
    name most, or they name none: another market's report (silver, not gold; gold, not the financial
    futures). A loaded story keeps no headlines: no evidence either way."""
    if not article.headline_goods or not story.title_words:
        return False
    return not story.headline_goods or article.headline_goods.isdisjoint(story.leading_goods())


def _subject_absent(article: ArticleTerms, story: StoryProfile, frequencies: DocumentFrequencies) -> bool:
    """The article's body names no one telling, and no article of the story names its headline's subject:
    the people, places or organisations its headline names, in their headlines or bodies; where the
    model finds none in the headline (a line in capitals) but its body names some, all common (a
    results table's row labels), the headline's rarest word, anywhere in their text."""
    if not article.title_words or not story.title_words:   # a loaded story keeps no headlines
        return False
    if article.headline_entities:
        story_entities = story.terms[ENTITY_KIND]
        if any(story.headline_entities.get(e) or story_entities.get(e) for e in article.headline_entities):
            return False
    elif not (HEADLINE_WORD_SUBJECT and article.distinctive_labels) or \
            story.terms[WORD_KIND].get(_rarest_headline_word(article, frequencies)):
        return False
    if article._body_tells is None:
        common = max(COMMON_ENTITY_SHARE * frequencies.documents, COMMON_ENTITY_ARTICLES)
        article._body_tells = any(frequencies.articles_with(ENTITY_KIND, e) <= common
                                  for e in article.distinctive_labels)
    return not article._body_tells


def _rarest_headline_word(article: ArticleTerms, frequencies: DocumentFrequencies) -> str:
    if article._rarest_headline_word is None:
        article._rarest_headline_word = max(sorted(article.title_words),
                                            key=lambda word: frequencies.idf(WORD_KIND, word))
    return article._rarest_headline_word


def distinctive_entities(article: ArticleTerms, frequencies: DocumentFrequencies) -> list[str]:
    """The people, places and organisations the article names most, rarer ones first among equals."""
    if article._distinctive is None:
        article._distinctive = sorted(article.distinctive_labels, key=lambda e: (
            -article.entities[e] * frequencies.idf(ENTITY_KIND, e), e))[:DISTINCTIVE_ENTITIES]
    return article._distinctive


def _days_apart(day: dt.date | None, story: StoryProfile) -> int | None:
    if day is None or story.first_date is None:
        return None
    if day < story.first_date:
        return (story.first_date - day).days
    return max(0, (day - story.last_date).days)


def similarity(article: ArticleTerms, story: StoryProfile, frequencies: DocumentFrequencies,
               floor: float = 0.0) -> float:
    """How likely the article tells the story (0-1): words and entities, distinctive entities, time.

    Below `floor` the exact value does not matter (no story is joined below the threshold): a score the
    time cut already takes below it is returned without the headline check, a third of the comparing."""
    words = _cosine(article, story, WORD_KIND, frequencies)
    entities = _cosine(article, story, ENTITY_KIND, frequencies)
    # Entities scale the words' similarity (up when they agree, down when they do not) but cannot
    # make it alone: a festival and a strike at one harbour name the same place in other words.
    score = words * (1 - ENTITY_WEIGHT + 2 * ENTITY_WEIGHT * entities) if article.entities and \
        story.terms[ENTITY_KIND] else words
    distinctive = distinctive_entities(article, frequencies)
    story_entities = story.terms[ENTITY_KIND]
    if distinctive and story_entities and not any(story_entities.get(e, 0.0) >= DISTINCTIVE_SHARE * story.count
                                                  for e in distinctive):
        score *= MISSING_DISTINCTIVE
    days = _days_apart(article.published_date, story)
    time_cut = 0.5 ** (days / HALF_LIFE_DAYS) if days else \
        YEAR_CUT if YEAR_CUT < 1.0 and (_years_apart(article, story) or 0) > YEAR_GAP else 1.0
    if score * time_cut < floor:
        return score * time_cut
    if TITLE_CUT < 1.0 and _headlines_differ(article, story):
        score *= TITLE_CUT
    if GOODS_CUT < 1.0 and _goods_differ(article, story):
        score *= GOODS_CUT
    if SUBJECT_CUT < 1.0 and _subject_absent(article, story, frequencies):
        score *= SUBJECT_CUT
    if time_cut != 1.0:
        score *= time_cut
    return score


def query_terms(article: ArticleTerms, frequencies: DocumentFrequencies) -> list[tuple[str, str]]:
    """The (kind, term) pairs an article looks stories up by: its best TF-IDF terms, common ones left out."""
    weighted = [(w * frequencies.idf(kind, t), kind, t) for kind in (WORD_KIND, ENTITY_KIND)
                for t, w in article.terms(kind).items() if frequencies.articles_with(kind, t) <= MAX_ARTICLES_PER_TERM]
    return [(kind, t) for _, kind, t in sorted(weighted, key=lambda item: (-item[0], item[1], item[2]))[:QUERY_TERMS]]


class StoryIndex:
    """The stories an article may join: the run's, and the warehouse's found for it through story_terms."""

    def __init__(self, frequencies: DocumentFrequencies, loaded: dict[str, StoryProfile],
                 loaded_candidates: dict[str, list[str]]) -> None:
        self.frequencies = frequencies
        self.profiles = dict(loaded)
        self.loaded_ids = frozenset(loaded)
        self.loaded_candidates = loaded_candidates   # article_id -> loaded story ids the warehouse index found
        # kind -> term -> the run's stories holding it (the loaded ones are found through story_terms).
        self.postings: dict[str, dict[str, set[str]]] = {WORD_KIND: defaultdict(set), ENTITY_KIND: defaultdict(set)}
        self.compared = 0   # story comparisons made: what the tests and the bench watch
        self._query_terms: dict[str, list[tuple[str, str]]] = {}   # the frequencies never change: once per article

    def candidates(self, article: ArticleTerms) -> list[str]:
        """The STORIES_PER_ARTICLE stories sharing most of the article's query terms (ties by id),
        then the loaded stories the warehouse found for it."""
        query = self._query_terms.get(article.article_id)
        if query is None:
            query = self._query_terms[article.article_id] = query_terms(article, self.frequencies)
        shared: Counter = Counter()
        for kind, term in query:
            stories = self.postings[kind].get(term)
            if stories:
                shared.update(stories)
        found = _most_shared(shared, shared.keys() & self.profiles.keys())   # moved-out stories are gone
        return found + [s for s in self.loaded_candidates.get(article.article_id, [])
                        if s not in found and s in self.profiles]

    def best_story(self, article: ArticleTerms, threshold: float = 0.0) -> tuple[str | None, float]:
        """The most similar candidate story and its similarity, exact from `threshold` up."""
        best, best_score = None, 0.0
        for story_id in self.candidates(article):
            self.compared += 1
            score = similarity(article, self.profiles[story_id], self.frequencies, floor=threshold)
            if score > best_score or (score == best_score and best is not None and story_id < best):
                best, best_score = story_id, score
        return best, best_score

    def add(self, story_id: str, article: ArticleTerms) -> None:
        profile = self.profiles.setdefault(story_id, StoryProfile(story_id))
        profile.add(article, self.frequencies)
        for kind, postings in self.postings.items():
            for term in article.terms(kind):
                postings[term].add(story_id)


def _most_shared(shared: Counter, alive: set[str]) -> list[str]:
    """The STORIES_PER_ARTICLE alive stories of most shared terms, ties by id: the head of
    sorted(alive, key=(-shared, id)), without sorting the hundreds a common term brings."""
    if len(alive) <= STORIES_PER_ARTICLE:
        return sorted(alive, key=lambda s: (-shared[s], s))
    stories = list(alive)
    counts = list(map(shared.__getitem__, stories))
    cut = sorted(counts, reverse=True)[STORIES_PER_ARTICLE - 1]   # the last place's count
    above = sorted(compress(stories, map(cut.__lt__, counts)), key=lambda s: (-shared[s], s))
    at_cut = sorted(compress(stories, map(cut.__eq__, counts)))
    return above + at_cut[:STORIES_PER_ARTICLE - len(above)]


def assign_stories(ordered: list[ArticleTerms], index: StoryIndex, given: dict[str, str] | None = None,
                   original_of: dict[str, str] | None = None, threshold: float = JOIN_THRESHOLD,
                   rounds: int | None = None) -> dict[str, str]:
    """Each article's story_id: the story it was given (a copy of a loaded article: its original's),
    its original's in the run, else the most similar story from the threshold or a new story named
    after the article; first in one pass earliest first, then refined (refine_stories)."""
    given, original_of, assigned = given or {}, original_of or {}, {}
    for article in ordered:
        story_id = given.get(article.article_id) or assigned.get(original_of.get(article.article_id, ""))
        if story_id is None:
            best, score = index.best_story(article, threshold)
            story_id = best if best is not None and score >= threshold else article.article_id
        assigned[article.article_id] = story_id
        index.add(story_id, article)
    copies: dict[str, list[ArticleTerms]] = defaultdict(list)
    for article in ordered:
        if article.article_id not in given and article.article_id in original_of:
            copies[original_of[article.article_id]].append(article)
    movable = [a for a in ordered if a.article_id not in given and a.article_id not in original_of]
    return refine_stories(movable, copies, index, assigned, threshold, REFINE_ROUNDS if rounds is None else rounds)


def refine_stories(movable: list[ArticleTerms], copies: dict[str, list[ArticleTerms]], index: StoryIndex,
                   assigned: dict[str, str], threshold: float, rounds: int) -> dict[str, str]:
    """Undo the single pass's early mistakes, as k-means refines its clusters (Miranda et al. 2018
    re-rank their candidates likewise): each of the run's articles is taken out of its story and
    compared again, with the same threshold, with the stories it finds through the index, now that
    every story holds all of the run's articles; it moves to a better story, or founds its own when
    none reaches the threshold. Loaded articles never move, so a warehouse story keeps its id; a
    copy moves with its original. A story founded in the run is named after its earliest article."""
    for _ in range(rounds):
        moved = 0
        for article in movable:
            current = assigned[article.article_id]
            group = [article, *copies.get(article.article_id, ())]
            profile = index.profiles[current]
            for member in group:
                profile.remove(member, index.frequencies)
            if profile.count <= 0:
                del index.profiles[current]
            best, score = index.best_story(article, threshold)
            if best is not None and score >= threshold:
                target = best
            elif current not in index.profiles:
                target = current                     # alone before, alone again
            else:
                target = f"{article.article_id}:{current}"   # a new story; named at the end
            moved += target != current
            for member in group:
                assigned[member.article_id] = target
                index.add(target, member)
        if not moved:
            break
    return _named_by_earliest(movable, index, assigned)


def _named_by_earliest(ordered: list[ArticleTerms], index: StoryIndex, assigned: dict[str, str]) -> dict[str, str]:
    """A story founded in this run is named after its earliest article (the one that founded it,
    unless that one moved away); a loaded story keeps its id. The index follows the new names."""
    earliest: dict[str, str] = {}
    for article in ordered:
        story_id = assigned[article.article_id]
        if story_id not in index.loaded_ids:
            earliest.setdefault(story_id, article.article_id)
    renamed = {old: new for old, new in earliest.items() if old != new}
    if not renamed:
        return assigned
    profiles = {old: index.profiles.pop(old) for old in renamed}
    for old, new in renamed.items():
        profiles[old].story_id = new
        index.profiles[new] = profiles[old]
    old_names = set(renamed)
    for postings in index.postings.values():
        for term, stories in postings.items():
            if not stories.isdisjoint(old_names):
                postings[term] = {renamed.get(s, s) for s in stories}
    return {a: renamed.get(s, s) for a, s in assigned.items()}


def story_profile_rows(index: StoryIndex, story_ids) -> pa.Table:
    """The profiles of the stories the run touched, each cut to its PROFILE_TERMS best terms by TF-IDF."""
    columns: dict[str, list] = {name: [] for name in STORY_PROFILE_SCHEMA.names}
    for story_id in sorted(story_ids):
        profile = index.profiles[story_id]
        for kind, limit in PROFILE_TERMS.items():
            idf = functools.partial(index.frequencies.idf, kind)
            # nsmallest is sorted()[:limit]; the keys are unique (the term breaks ties).
            best = heapq.nsmallest(limit, profile.terms[kind].items(), key=lambda item: (-item[1] * idf(item[0]), item[0]))
            best.sort()
            columns["story_id"].extend(repeat(story_id, len(best)))
            columns["kind"].extend(repeat(kind, len(best)))
            columns["term"].extend(term for term, _ in best)
            columns["weight"].extend(round(weight, 6) for _, weight in best)
    return pa.table(columns, schema=STORY_PROFILE_SCHEMA)


def story_term_rows(articles: dict[str, ArticleTerms], assigned: dict[str, str]) -> pa.Table:
    """The run's articles' term weights under their stories: what later runs find stories by."""
    return pa.concat_tables(story_term_chunks(articles, assigned)) if assigned else STORY_TERM_SCHEMA.empty_table()


def story_term_chunks(articles: dict[str, ArticleTerms], assigned: dict[str, str]) -> Iterator[pa.Table]:
    """story_term_rows, TERM_ROWS_ARTICLES articles at a time, for a writer to take one by one: as
    Python lists the rows of a 20,000-article run (2.6 million) took more memory than all of its
    stories, and even as one Arrow table 80 MB more than the file they are written to needs."""
    ids = sorted(assigned)
    for start in range(0, len(ids), TERM_ROWS_ARTICLES):
        yield _story_term_rows(articles, assigned, ids[start:start + TERM_ROWS_ARTICLES])


def _story_term_rows(articles: dict[str, ArticleTerms], assigned: dict[str, str], ids: list[str]) -> pa.Table:
    columns: dict[str, list] = {name: [] for name in STORY_TERM_SCHEMA.names}
    for a in ids:
        for kind in (WORD_KIND, ENTITY_KIND):
            terms = sorted(articles[a].terms(kind).items())
            columns["article_id"].extend(repeat(a, len(terms)))
            columns["story_id"].extend(repeat(assigned[a], len(terms)))
            columns["kind"].extend(repeat(kind, len(terms)))
            columns["term"].extend(term for term, _ in terms)
            columns["weight"].extend(round(weight, 6) for _, weight in terms)
    return pa.table(columns, schema=STORY_TERM_SCHEMA)


@dataclass
class LoadedStories:
    """What the warehouse holds for a run's stories (newsflow/warehouse.py Warehouse.loaded_stories): term counts, and
    the stories its articles may join, found through story_terms, with their profiles."""

    documents: int = 0
    term_documents: list[dict] = field(default_factory=list)   # kind, term, documents
    candidates: list[dict] = field(default_factory=list)       # article_id, story_id
    profiles: list[dict] = field(default_factory=list)         # story_id, kind, term, weight
    spans: list[dict] = field(default_factory=list)            # story_id, article_count, first_date, last_date


def run_frequencies(run_terms: dict[str, ArticleTerms], documents: int, term_documents: list[dict]) -> DocumentFrequencies:
    """Document frequencies of the warehouse's articles (less the run's) and of the run's."""
    frequencies = DocumentFrequencies(documents, {(row["kind"], row["term"]): row["documents"]
                                                  for row in term_documents})
    frequencies.add(run_terms.values())
    return frequencies


def story_index(run_terms: dict[str, ArticleTerms], loaded: LoadedStories) -> StoryIndex:
    """The run's story index: IDF over warehouse and run, the loaded candidate stories' profiles."""
    profiles: dict[str, StoryProfile] = {}
    for row in loaded.profiles:
        profile = profiles.setdefault(row["story_id"], StoryProfile(row["story_id"]))
        profile.terms[row["kind"]][row["term"]] = row["weight"]
    spans = {row["story_id"]: row for row in loaded.spans}
    # A profile whose story has no article left (all replaced) is no story to join.
    profiles = {story_id: profile for story_id, profile in profiles.items() if story_id in spans}
    for story_id, profile in profiles.items():
        profile.count = spans[story_id]["article_count"]
        profile.add_date(spans[story_id]["first_date"])
        profile.add_date(spans[story_id]["last_date"])
    candidates: dict[str, list[str]] = defaultdict(list)
    for row in loaded.candidates:
        if row["story_id"] in profiles:
            candidates[row["article_id"]].append(row["story_id"])
    return StoryIndex(run_frequencies(run_terms, loaded.documents, loaded.term_documents), profiles, candidates)


def headline_entity_rows(mentions: pa.Table) -> list[dict]:
    """(article_id, entity_id) of the people, places and organisations headlines name: one row per pair."""
    named = mentions.filter(pc.and_(pc.is_in(mentions["label"], value_set=pa.array(sorted(DISTINCTIVE_LABELS))),
                                    pc.and_(pc.equal(mentions["field"], "title"), pc.is_valid(mentions["entity_id"]))))
    return named.select(["article_id", "entity_id"]).group_by(["article_id", "entity_id"]).aggregate([]).to_pylist()


def entity_counts(mentions: pa.Table) -> list[dict]:
    """(article_id, entity_id, label, mentions) of the labels stories are told by: one row per pair."""
    # Body mentions only: a story's words already weigh the title twice, its entities need not.
    story = mentions.filter(pc.and_(pc.is_in(mentions["label"], value_set=pa.array(sorted(STORY_LABELS))),
                                    pc.equal(pc.fill_null(mentions["field"], "body"), "body")))
    counted = story.group_by(["article_id", "entity_id", "label"]).aggregate([("start_char", "count")])
    return counted.select(["article_id", "entity_id", "label", "start_char_count"]) \
                  .rename_columns(["article_id", "entity_id", "label", "mentions"]).to_pylist()
