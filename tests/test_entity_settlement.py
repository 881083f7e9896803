"""Entity settlement (tasks/entity_settlement.py): one entity per real thing across batches, runs and labels."""

from unittest.mock import ANY

import pytest

from tasks.entities import canonical_key, entity_id
from tasks.entity_settlement import Correction, Entity, corrections_for, plan

PLACES = frozenset({"washington", "paris"})


def _plan(*entities: Entity, loaded_before: set[str] = frozenset()):
    return plan(list(entities), PLACES, lambda ids: ids & set(loaded_before))


def _person(name: str, mentions: int = 1, label: str = "PERSON", aliases: tuple[str, ...] = ()) -> Entity:
    # The id a batch gives it: its label and key hashed (tasks/entities.py).
    return Entity(entity_id(label, canonical_key(name, label)), name, label, mentions, aliases or (name,))


def test_the_same_name_under_two_labels_is_one_entity_with_the_label_most_mentions_give():
    result = _plan(_person("Bettie Page", 35), _person("Bettie Page", 24, "ORG"))
    page = entity_id("PERSON", "bettie page")
    assert result.merges == {entity_id("ORG", "bettie page"): page}
    assert result.settled == {page: ("Bettie Page", "PERSON")}


def test_a_merge_keeps_the_id_loaded_before_the_run_and_its_name():
    trump_org, trump = _person("Trump", 8, "ORG"), _person("Trump", 3)
    result = _plan(trump_org, trump, loaded_before={trump_org.entity_id})
    assert result.merges == {trump.entity_id: trump_org.entity_id}
    assert result.settled == {trump_org.entity_id: ("Trump", "ORG")}   # 8 ORG mentions against 3


def test_middle_names_and_initials_are_one_person_unless_two_middles_differ():
    result = _plan(_person("Mark Jay Heller", 5), _person("Mark Heller", 9), _person("Mark J. Heller", 2))
    heller = entity_id("PERSON", "mark jay heller")
    assert result.merges == {entity_id("PERSON", "mark heller"): heller, entity_id("PERSON", "mark j. heller"): heller}
    assert result.settled == {heller: ("Mark Jay Heller", "PERSON")}
    apart = _plan(_person("John T. Smith"), _person("John K. Smith"), _person("John Smith"))
    assert apart.merges == {} and apart.settled == {}


def test_a_word_before_a_persons_full_name_is_the_person():
    result = _plan(_person("Hasim Rahman", 40), _person("American Hasim Rahman", 20, "NORP"))
    rahman = _person("Hasim Rahman").entity_id
    assert result.merges == {entity_id("NORP", "american hasim rahman"): rahman}
    assert result.settled == {rahman: ("Hasim Rahman", "PERSON")}


def test_a_lone_surname_joins_the_one_person_of_the_warehouse_with_it():
    amstutz, daniel = _person("Amstutz", 7), _person("Daniel Amstutz", 2)
    result = _plan(amstutz, daniel, loaded_before={amstutz.entity_id})
    # The lone surname was loaded first: its id stays, the full name becomes its name.
    assert result.merges == {daniel.entity_id: amstutz.entity_id}
    assert result.settled == {amstutz.entity_id: ("Daniel Amstutz", "PERSON")}


def test_a_surname_two_people_share_stays_apart_and_is_recorded_ambiguous():
    clinton, bill, hillary = _person("Clinton", 9), _person("Bill Clinton"), _person("Hillary Clinton")
    result = _plan(clinton, bill, hillary)
    assert result.merges == {} and result.settled == {}
    assert result.ambiguous == [{"entity_id": clinton.entity_id, "name": "Clinton", "label": "PERSON",
                                 "candidate_ids": sorted([bill.entity_id, hillary.entity_id]),
                                 "candidates": ["Bill Clinton", "Hillary Clinton"]}]


def test_a_place_is_not_taken_for_a_persons_surname_unless_tagged_as_one():
    washington, george = _person("Washington", 50, "GPE"), _person("George Washington", 2)
    assert _plan(washington, george).merges == {}
    jackman = _person("Jackman", 4, "GPE")   # no place of that name: a mislabelled surname
    assert _plan(jackman, _person("Hugh Jackman", 9)).merges == {jackman.entity_id: _person("Hugh Jackman").entity_id}


def test_an_acronym_dotted_or_not_joins_the_one_name_with_its_initials():
    us, states = _person("U.S.", 12, "GPE"), _person("United States", 4, "GPE")
    ibf, federation = _person("IBF", 3, "ORG"), _person("International Boxing Federation", 1, "ORG")
    result = _plan(us, states, ibf, federation)
    assert result.merges == {us.entity_id: states.entity_id, ibf.entity_id: federation.entity_id}
    # A word in capitals is not an acronym of anything but its own.
    assert _plan(_person("Us", 3, "ORG"), states).merges == {}


def test_a_capitals_dateline_name_gives_way_to_the_mixed_case_form():
    chicago = Entity("c", "CHICAGO", "GPE", 4, ("CHICAGO", "Chicago"))
    assert _plan(chicago).settled == {"c": ("Chicago", "GPE")} and _plan(chicago).merges == {}
    assert _plan(Entity("n", "NATO", "ORG", 4, ("NATO",))).settled == {}


def test_nothing_to_settle_changes_nothing():
    assert _plan(_person("Vladimir Putin", 4), _person("Moscow", 3, "GPE")).merges == {}


def test_a_lone_surname_loaded_first_becomes_the_full_name_a_later_run_brings(tmp_path, prefect_harness):
    from flows.pipeline import news_pipeline
    from tests.test_pipeline import query

    source, warehouse = tmp_path / "source", tmp_path / "wh"
    source.mkdir()
    (source / "a.txt").write_text("21 August 2021\nAmstutz told reporters in Geneva that the grain talks were close.\n"
                                  "\"We are near a deal,\" Amstutz said.\n")
    news_pipeline(source=str(source), warehouse=str(warehouse), workers=1)
    amstutz = entity_id("PERSON", "amstutz")
    assert query(warehouse, "select entity_id, name from entities where label = 'PERSON'") == [
        {"entity_id": amstutz, "name": "Amstutz"}]
    (source / "b.txt").write_text("24 August 2021\nDaniel Amstutz, the chief negotiator, met officials in Geneva.\n")
    news_pipeline(source=str(source), warehouse=str(warehouse), workers=1)
    # The id loaded first stays (a reader may have saved it); the name is the full one.
    assert query(warehouse, "select entity_id, name, mention_count, article_count, aliases from entities "
                            "where label = 'PERSON'") == [
        {"entity_id": amstutz, "name": "Daniel Amstutz", "mention_count": 3, "article_count": 2,
         "aliases": ["Amstutz", "Daniel Amstutz"]}]
    assert query(warehouse, "select distinct entity_id from entity_mentions where text like '%Amstutz'") == [
        {"entity_id": amstutz}]
    assert query(warehouse, "select distinct speaker, speaker_entity_id from quotes") == [
        {"speaker": "Daniel Amstutz", "speaker_entity_id": amstutz}]
    terms = query(warehouse, "select distinct term from story_terms where kind = 'entity' and term in "
                             "(select entity_id from entity_mentions where text like '%Amstutz')")
    assert terms == [{"term": amstutz}]
    assert query(warehouse, "select count(*) as n from story_terms where kind = 'entity' and term not in "
                            "(select entity_id from entities)") == [{"n": 0}]


def test_a_surname_two_people_in_the_warehouse_share_is_kept_apart_and_recorded(tmp_path, prefect_harness):
    from flows.pipeline import news_pipeline
    from tests.test_pipeline import query

    source, warehouse = tmp_path / "source", tmp_path / "wh"
    source.mkdir()
    (source / "a.txt").write_text("21 August 2021\nBill Clinton spoke to students in Little Rock on Monday.\n")
    (source / "b.txt").write_text("22 August 2021\nHillary Clinton spoke to voters in Des Moines on Tuesday.\n")
    (source / "c.txt").write_text("23 August 2021\nClinton said the campaign would go on through the winter.\n")
    news_pipeline(source=str(source), warehouse=str(warehouse), workers=1)
    people = query(warehouse, "select entity_id, name from entities where label = 'PERSON' order by name")
    assert [row["name"] for row in people] == ["Bill Clinton", "Clinton", "Hillary Clinton"]
    assert query(warehouse, "select name, candidates from ambiguous_names") == [
        {"name": "Clinton", "candidates": ["Bill Clinton", "Hillary Clinton"]}]


def test_a_persons_same_line_merges_two_names_no_rule_links():
    isil, isis = _person("ISIL", 1, "ORG"), _person("ISIS", 2, "ORG")
    result = plan([isil, isis], PLACES, corrections=[Correction(1, "same", "ISIL", "ISIS")])
    assert result.merges == {isil.entity_id: isis.entity_id}
    assert result.settled == {isis.entity_id: ("ISIS", "ORG")}
    assert result.corrections == [{"line": 1, "action": "same", "name": "ISIL", "other": "ISIS", "outcome": "applied"}]


def test_a_persons_different_line_keeps_a_rule_from_linking_and_splits_what_a_batch_merged():
    jordan, michael = _person("Jordan", 5), _person("Michael Jordan", 2)
    kept = plan([jordan, michael], PLACES, corrections=[Correction(3, "different", "Jordan", "Michael Jordan")])
    assert kept.merges == {} and kept.corrections[0]["outcome"] == "kept apart"
    # A batch had already filed "Jordan" under Michael Jordan: the spelling leaves for its own entity.
    merged = _person("Michael Jordan", 7, aliases=("Jordan", "Michael Jordan"))
    split = plan([merged], PLACES, corrections=[Correction(1, "different", "Jordan", "Michael Jordan")])
    alone = entity_id("PERSON", "jordan")
    assert split.splits == [(merged.entity_id, ["Jordan"], alone)]
    assert split.settled == {merged.entity_id: ("Michael Jordan", "PERSON"), alone: ("Jordan", "PERSON")}
    assert split.corrections[0]["outcome"] == "split"


def test_a_line_naming_no_entity_says_so():
    result = plan([_person("Vladimir Putin")], PLACES, corrections=[Correction(2, "same", "Vladimir Putin", "Mr Nobody")])
    assert result.merges == {} and result.corrections[0]["outcome"] == "no entity is written 'Mr Nobody'"


def test_an_aliases_file_with_a_bad_line_is_refused_with_its_line_number(tmp_path):
    good = tmp_path / "aliases.csv"
    good.write_text("# merges the model cannot make\nsame,ISIL,ISIS\n\ndifferent, Jordan , Michael Jordan\n")
    assert corrections_for(None, tmp_path) == [Correction(2, "same", "ISIL", "ISIS"),
                                               Correction(4, "different", "Jordan", "Michael Jordan")]
    bad = tmp_path / "bad.csv"
    bad.write_text("same,ISIL,ISIS\nmerge,A,B\n")
    with pytest.raises(ValueError, match="bad.csv, line 2: expected 'same,NAME,OTHER'"):
        corrections_for(str(bad), tmp_path)
    with pytest.raises(ValueError, match="does not exist"):
        corrections_for(str(tmp_path / "missing.csv"), tmp_path)
    assert corrections_for(None, tmp_path / "elsewhere") == []


def test_the_warehouse_aliases_file_splits_a_merge_on_the_next_run_and_each_run_records_it(tmp_path, prefect_harness):
    from flows.pipeline import news_pipeline
    from tests.test_pipeline import query

    source, warehouse = tmp_path / "source", tmp_path / "wh"
    source.mkdir()
    (source / "a.txt").write_text("21 August 2021\nMichael Jordan scored 30 points in Chicago on Sunday.\n"
                                  "Jordan smiled after the game and thanked the fans.\n")
    news_pipeline(source=str(source), warehouse=str(warehouse), workers=1)
    person = "select name, mention_count from entities where label = 'PERSON' order by name"
    assert query(warehouse, person) == [{"name": "Michael Jordan", "mention_count": 2}]
    (warehouse / "aliases.csv").write_text("different,Jordan,Michael Jordan\n")
    news_pipeline(source=str(source), warehouse=str(warehouse), workers=1)   # nothing new: the file still applies
    assert query(warehouse, person) == [{"name": "Jordan", "mention_count": 1}, {"name": "Michael Jordan", "mention_count": 1}]
    news_pipeline(source=str(source), warehouse=str(warehouse), workers=1)   # the surname rule would link them again
    assert query(warehouse, "select r.started_at, c.line, c.outcome from entity_corrections as c "
                            "join runs as r using (run_id) order by r.started_at") == [
        {"started_at": ANY, "line": 1, "outcome": "split"}, {"started_at": ANY, "line": 1, "outcome": "kept apart"}]
    assert query(warehouse, "select count(*) as n from entity_mentions where entity_id not in "
                            "(select entity_id from entities) and entity_id is not null") == [{"n": 0}]


def test_a_countrys_other_names_are_the_country_under_its_common_name():
    russia, federation = _person("Russia", 20, "GPE"), _person("Russian Federation", 1, "GPE")
    states, america, usa = _person("United States", 8, "GPE"), _person("United States of America", 1, "GPE"), \
        _person("USA", 2, "GPE")
    result = _plan(russia, federation, states, america, usa)
    assert result.merges == {federation.entity_id: russia.entity_id, america.entity_id: states.entity_id,
                             usa.entity_id: states.entity_id}
    assert result.settled == {russia.entity_id: ("Russia", "GPE"), states.entity_id: ("United States", "GPE")}
    # An ISO code counts only as a place written in capitals: "And" is no Andorra.
    assert _plan(_person("Andorra", 3, "GPE"), _person("And", 1, "ORG")).merges == {}


def test_every_label_of_a_longer_form_joins_without_naming_the_group():
    # "The Notorious Bettie Page" (a film) tagged ORG and WORK_OF_ART: both forms join, neither names it.
    result = _plan(_person("Bettie Page", 35), _person("Notorious Bettie Page", 6, "ORG"),
                   _person("Notorious Bettie Page", 1, "WORK_OF_ART"))
    assert result.settled == {_person("Bettie Page").entity_id: ("Bettie Page", "PERSON")}


def test_a_name_an_article_gave_to_a_person_is_the_person_where_another_article_writes_it_alone():
    # One article wrote "Mo Cheeks" beside "Maurice Cheeks" (a batch linked them); another wrote it alone (FAC).
    maurice, mo = _person("Maurice Cheeks", 40, aliases=("Maurice Cheeks", "Mo Cheeks", "Cheeks")), \
        _person("Mo Cheeks", 3, "FAC")
    result = _plan(maurice, mo, _person("Cheeks", 2, "ORG", aliases=("Cheeks",)))
    assert result.merges == {mo.entity_id: maurice.entity_id, entity_id("ORG", "cheeks"): maurice.entity_id}
    assert result.settled == {maurice.entity_id: ("Maurice Cheeks", "PERSON")}


def test_another_form_of_a_first_name_joins_the_one_person_it_can_be():
    john, jon = _person("John Owen", 5), _person("Jon Owen", 9)
    result = _plan(john, jon)
    assert result.merges == {jon.entity_id: john.entity_id}
    # "J. Smith" could be John or James: it joins neither, and John and James stay two people.
    apart = _plan(_person("J. Smith"), _person("John Smith"), _person("James Smith"))
    assert apart.merges == {} and apart.settled == {}


def test_a_companys_name_without_its_legal_form_is_the_company():
    viacom = _person("Viacom International Inc", 3, "ORG")
    result = _plan(viacom, _person("Viacom", 40, "ORG"), _person("Viacom International", 2, "ORG"),
                   _person("Anacomp Inc", 1, "ORG"), _person("Anacomp", 8))
    assert result.merges == {entity_id("ORG", "viacom"): viacom.entity_id,
                             entity_id("ORG", "viacom international"): viacom.entity_id,
                             entity_id("PERSON", "anacomp"): entity_id("ORG", "anacomp inc")}
    assert result.settled == {viacom.entity_id: ("Viacom International Inc", "ORG"),
                              entity_id("ORG", "anacomp inc"): ("Anacomp Inc", "ORG")}


def test_a_company_a_headline_names_in_capitals_is_the_company_with_its_legal_form():
    # Reuters' "MINSTAR" headline, written "Minstar" in its stories: the name settlement gives it is mixed
    # case, so this run links it, as the next run, planning over the settled names, would.
    headline = _person("MINSTAR", 16, "ORG", aliases=("MINSTAR", "Minstar"))
    result = _plan(headline, _person("Minstar Inc", 6, "ORG"))
    assert result.merges == {headline.entity_id: entity_id("ORG", "minstar inc")}
    assert _plan(_person("CTS Corp", 2, "ORG"), _person("CTS", 8, "ORG", aliases=("CTS", "cts"))).merges == {}


def test_a_place_a_surname_an_acronym_or_another_bodys_name_keep_a_company_apart():
    washington = _plan(_person("Washington Inc", 5, "ORG"), _person("Washington", 30, "GPE"),
                       _person("Washington", 2, "ORG"))
    assert entity_id("ORG", "washington inc") not in washington.merges.values()
    assert _plan(_person("Ford Motor Co", 5, "ORG"), _person("Gerald Ford", 9), _person("Ford", 3)).merges == {
        entity_id("PERSON", "ford"): entity_id("PERSON", "gerald ford")}
    # Cents tagged ORG are no "CTS Corp"; "GATT" is no "GATT Council", nor "Fed" the "Fed Boards".
    assert _plan(_person("CTS Corp", 2, "ORG"), _person("cts", 80, "ORG"), _person("GATT Council", 3, "ORG"),
                 _person("GATT", 30, "ORG"), _person("Fed Boards", 1, "ORG"), _person("Fed", 50, "ORG")).merges == {}
