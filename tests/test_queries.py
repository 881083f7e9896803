"""`newsflow query` as people type it: names and labels in their own words, missing parameters, runs as snapshots."""

import datetime as dt
import json
from pathlib import Path

import pytest

from newsflow import warehouse as wh
from tests.conftest import PROJECT, newsflow, newsflow_in_process

QUERIES = PROJECT / "sql" / "queries"

# Two made-up articles: "Putin" and "Vladimir Putin" are one entity, the Kremlin another.
ARTICLES = [
    ("a1", "one.txt", "Talks", "Putin met Kremlin aides. Vladimir Putin spoke.", dt.date(2024, 3, 1)),
    ("a2", "two.txt", "Calls", "The Kremlin said Putin would call.", dt.date(2024, 3, 2)),
]
MENTIONS = [  # article, start, end, text, label, sentence, entity
    ("a1", 0, 5, "Putin", "PERSON", 0, "e-putin"),
    ("a1", 10, 17, "Kremlin", "ORG", 0, "e-kremlin"),
    ("a1", 25, 39, "Vladimir Putin", "PERSON", 1, "e-putin"),
    ("a2", 4, 11, "Kremlin", "ORG", 0, "e-kremlin"),
    ("a2", 17, 22, "Putin", "PERSON", 0, "e-putin"),
]
ENTITIES = [
    ("e-putin", "Vladimir Putin", "PERSON", 3, 2, ["Putin", "Vladimir Putin"]),
    ("e-kremlin", "Kremlin", "ORG", 2, 2, ["Kremlin"]),
]


@pytest.fixture(scope="module")
def people_warehouse(tmp_path_factory) -> Path:
    warehouse = tmp_path_factory.mktemp("people") / "warehouse"
    with wh.open_for_writing(warehouse) as con:
        for article_id, source_path, title, text, published in ARTICLES:
            con.execute("insert into articles (article_id, source_path, title, clean_text, published_date, "
                        "content_hash, run_id) values ($id, $path, $title, $text, $published, $id, 'made-up')",
                        {"id": article_id, "path": source_path, "title": title, "text": text, "published": published})
        con.executemany("insert into entity_mentions (article_id, start_char, end_char, text, label, sentence_index, "
                        "entity_id) values (?, ?, ?, ?, ?, ?, ?)", MENTIONS)
        con.executemany("insert into entities (entity_id, name, label, mention_count, article_count, aliases) "
                        "values (?, ?, ?, ?, ?, ?)", ENTITIES)
        con.execute("insert into quotes (article_id, start_char, end_char, quote, speaker, speaker_entity_id, kind) "
                    "values ('a2', 23, 33, 'would call', 'Vladimir Putin', 'e-putin', 'reported')")
    return warehouse


def query_json(warehouse: Path, sql: str, *params: str) -> list[dict]:
    args = [arg for param in params for arg in ("--param", param)]
    result = newsflow_in_process("query", sql, *args, "--warehouse", str(warehouse), "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", ["putin", "VLADIMIR PUTIN"])
def test_a_name_finds_the_entity_by_its_canonical_name_or_any_alias_in_any_case(people_warehouse, name):
    mentioning = query_json(people_warehouse, str(QUERIES / "articles_mentioning.sql"), f"name={name}")
    assert mentioning == [
        {"published_date": "2024-03-01", "source_path": "one.txt", "title": "Talks", "name": "Vladimir Putin",
         "field": "body", "text": "Putin", "start_char": 0, "sentence_index": 0},
        {"published_date": "2024-03-01", "source_path": "one.txt", "title": "Talks", "name": "Vladimir Putin",
         "field": "body", "text": "Vladimir Putin", "start_char": 25, "sentence_index": 1},
        {"published_date": "2024-03-02", "source_path": "two.txt", "title": "Calls", "name": "Vladimir Putin",
         "field": "body", "text": "Putin", "start_char": 17, "sentence_index": 0},
    ]
    assert query_json(people_warehouse, str(QUERIES / "entity_timeline.sql"), f"name={name}") == [
        {"name": "Vladimir Putin", "published_date": "2024-03-01", "mentions": 2, "articles": 1},
        {"name": "Vladimir Putin", "published_date": "2024-03-02", "mentions": 1, "articles": 1},
    ]
    assert query_json(people_warehouse, str(QUERIES / "said_by.sql"), f"name={name}") == [
        {"published_date": "2024-03-02", "source_path": "two.txt", "speaker": "Vladimir Putin", "kind": "reported",
         "speaker_source": None, "quote": "would call"}]
    assert query_json(people_warehouse, str(QUERIES / "together_in_sentences.sql"), f"name={name}") == [
        {"name": "Kremlin", "label": "ORG", "shared_sentences": 2, "shared_articles": 2}]
    assert query_json(people_warehouse, str(QUERIES / "entities_together.sql"), f"name={name}") == [
        {"name": "Kremlin", "label": "ORG", "shared_articles": 2}]


def test_every_query_that_takes_a_name_matches_aliases(people_warehouse):
    # A new query taking $name must find "putin" too; an unknown name finds nothing.
    for path in sorted(QUERIES.glob("*.sql")):
        if "$name" in path.read_text():
            assert query_json(people_warehouse, str(path), "name=putin"), path.name
            assert query_json(people_warehouse, str(path), "name=Putn") == [], path.name


def test_a_label_is_matched_in_any_case(people_warehouse):
    expected = [{"name": "Vladimir Putin", "label": "PERSON", "article_count": 2, "mention_count": 3}]
    assert query_json(people_warehouse, str(QUERIES / "top_entities.sql"), "label=person") == expected
    assert query_json(people_warehouse, str(QUERIES / "top_entities.sql"), "label=PERSON") == expected


def test_a_missing_param_says_which_and_how_to_pass_it(people_warehouse):
    result = newsflow("query", str(QUERIES / "top_entities_between.sql"), "--param", "start=2024-03-01",
                      "--warehouse", str(people_warehouse))
    assert (result.returncode, result.stderr) == (2, "newsflow: the query needs $end: pass --param end=VALUE\n")
    result = newsflow("query", str(QUERIES / "top_entities.sql"), "--param", "lable=person",
                      "--warehouse", str(people_warehouse))
    assert (result.returncode, result.stderr) == (2, "newsflow: the query needs $label: pass --param label=VALUE\n")
    # A $name inside a comment or a string is no parameter.
    assert query_json(people_warehouse, "select '$label' as text -- for $label") == [{"text": "$label"}]


def test_a_param_the_query_does_not_take_is_refused(people_warehouse):
    result = newsflow("query", str(QUERIES / "top_entities.sql"), "--param", "label=person", "--param", "limit=5",
                      "--warehouse", str(people_warehouse))
    assert (result.returncode, result.stderr) == (2, "newsflow: the query has no $limit (it takes $label)\n")


def test_columns_of_the_same_name_stay_apart(people_warehouse):
    sql = "select a.title, b.title, a.title as title_1 from articles as a join articles as b on a.article_id < b.article_id"
    assert query_json(people_warehouse, sql) == [{"title": "Talks", "title_2": "Calls", "title_1": "Talks"}]
    csv = newsflow("query", sql, "--warehouse", str(people_warehouse), "--format", "csv")
    assert csv.stdout.splitlines() == ["title,title_2,title_1", "Talks,Calls,Talks"]


def test_a_first_run_is_one_schema_snapshot_then_one_snapshot_carrying_its_run_id(seed_warehouse):
    with wh.open_read_only(seed_warehouse) as con:
        [(run_id,)] = con.execute("select run_id from runs").fetchall()
        snapshots = con.execute("select snapshot_id, list_sort(map_keys(changes)), author, commit_message, "
                                "commit_extra_info from ducklake_snapshots('lake') order by snapshot_id").fetchall()
    assert snapshots == [
        (0, ["schemas_created"], None, None, None),  # DuckLake creating the lake on the first ATTACH
        (1, ["tables_created", "views_altered", "views_created"], "newsflow", "schema", None),
        (2, ["tables_inserted_into"], "newsflow", f"newsflow run {run_id}", json.dumps({"run_id": run_id})),
    ]


def test_run_snapshots_gives_the_version_to_query_a_run_at(seed_warehouse):
    [run] = query_json(seed_warehouse, str(QUERIES / "run_snapshots.sql"))
    assert (run["snapshot_id"], run["status"], run["articles_loaded"]) == (2, "completed", 5)
    at_the_run = f"select count(*) as n from articles at (version => {run['snapshot_id']})"
    before_it = f"select count(*) as n from articles at (version => {run['snapshot_id'] - 1})"
    assert query_json(seed_warehouse, at_the_run) == [{"n": 5}]
    assert query_json(seed_warehouse, before_it) == [{"n": 0}]
