"""Entities: mentions in; each mention's canonical entity id, and the entities' names, out.

A first canonical form: titles, honorifics, a leading "the" and possessives dropped, accents
folded, case ignored. Within one article, a person's surname alone ("Putin") joins the full
name the article also uses ("Vladimir Putin"), and an acronym defined in parentheses
("Collective Security Treaty Organization (CSTO)") joins its expansion. The id is a hash of
label and canonical key, so the same entity gets the same id on every run.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict

import pyarrow as pa

from tasks.extract import MENTION_SCHEMA

TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "lord", "lady", "president", "vice",
    "prime", "minister", "chancellor", "secretary", "general", "king", "queen", "prince", "princess",
    "senator", "sen", "rep", "representative", "governor", "gov", "mayor", "ambassador", "spokesman",
    "spokeswoman", "spokesperson", "pope", "sheikh", "gen", "col", "capt", "lt", "sgt", "judge", "justice",
}
POSSESSIVE = re.compile(r"['’]s$")
ENTITY_SCHEMA = pa.schema([("entity_id", pa.string()), ("name", pa.string()), ("label", pa.string())])
MENTION_WITH_ENTITY_SCHEMA = MENTION_SCHEMA.append(pa.field("entity_id", pa.string()))


def fold_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def display_name(text: str, label: str) -> str:
    """The mention as a name: no leading "the", no possessive, a person's titles dropped."""
    words = POSSESSIVE.sub("", " ".join(text.split())).split(" ")
    if words and words[0].lower() == "the" and len(words) > 1:
        words = words[1:]
    if label == "PERSON":
        while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
            words = words[1:]
    return " ".join(words)


def canonical_key(text: str, label: str) -> str:
    """What two mentions of one entity have in common: their display name, folded."""
    return fold_accents(display_name(text, label)).casefold()


def entity_id(label: str, key: str) -> str:
    return hashlib.blake2b(f"{label}\0{key}".encode("utf-8"), digest_size=8).hexdigest()


def _initials(key: str) -> str:
    return "".join(word[0] for word in key.split() if word not in {"of", "and", "for", "the", "&"})


def _article_aliases(mentions: list[dict], clean_text: str) -> dict[tuple[str, str], str]:
    """(label, key) -> the fuller key it stands for in this article."""
    keys_by_label: dict[str, set[str]] = defaultdict(set)
    for mention in mentions:
        keys_by_label[mention["label"]].add(mention["key"])
    aliases = {}
    full_names = [key for key in keys_by_label["PERSON"] if " " in key]
    for key in keys_by_label["PERSON"]:
        if " " not in key:
            matches = {full for full in full_names if full.split()[-1] == key}
            if len(matches) == 1:  # "Putin" with one "... Putin" in the article; two would be a guess
                aliases["PERSON", key] = matches.pop()
    for mention in mentions:
        if mention["label"] != "ORG" or " " not in mention["key"]:
            continue
        after = clean_text[mention["end_char"]:mention["end_char"] + 16]
        defined = re.match(r"\s*\(([A-Z]{2,10})\)", after)
        if defined and _initials(mention["key"]) == defined.group(1).lower():
            aliases["ORG", defined.group(1).casefold()] = mention["key"]
    return aliases


def resolve_entities(mentions: pa.Table, articles: pa.Table) -> tuple[pa.Table, pa.Table]:
    """(mentions with entity_id, entities of the batch with a canonical name and label)."""
    text_of = dict(zip(articles["article_id"].to_pylist(), articles["clean_text"].to_pylist()))
    rows = mentions.to_pylist()
    by_article: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        row["key"] = canonical_key(row["text"], row["label"])
        by_article[row["article_id"]].append(row)
    names: dict[str, Counter] = defaultdict(Counter)
    labels: dict[str, str] = {}
    for article_id, article_mentions in by_article.items():
        aliases = _article_aliases(article_mentions, text_of[article_id])
        for row in article_mentions:
            key = aliases.get((row["label"], row["key"]), row["key"])
            row["entity_id"] = entity_id(row["label"], key)
            labels[row["entity_id"]] = row["label"]
            if key == row["key"]:  # the name comes from full mentions, not from aliases
                names[row["entity_id"]][display_name(row["text"], row["label"])] += 1
    for row in rows:
        del row["key"]
    # Aliases always point at a key mentioned in the same article, so every entity has a name.
    entities = [{"entity_id": eid, "label": labels[eid], "name": names[eid].most_common(1)[0][0]}
                for eid in labels]
    return (pa.Table.from_pylist(rows, schema=MENTION_WITH_ENTITY_SCHEMA),
            pa.Table.from_pylist(entities, schema=ENTITY_SCHEMA))
