"""Full-text search (sql/queries/search.sql over search_terms and search_documents), through the real CLI."""

import json
import shutil

from tests.conftest import copy_of, newsflow
from tests.test_pipeline import _run, query


def _search(warehouse, words: str) -> list[dict]:
    found = newsflow("query", "sql/queries/search.sql", "--param", f"q={words}", "--warehouse", str(warehouse),
                     "--format", "json")
    assert found.returncode == 0, found.stderr
    return json.loads(found.stdout)


def _fts_scores(warehouse, words: str) -> list[tuple[str, float]]:
    """DuckDB's fts extension's BM25 over the same title and clean text, built the way a user would."""
    import duckdb

    from newsflow.warehouse import _extension_file

    con = duckdb.connect()
    con.execute(f"load '{_extension_file('fts')}'")
    rows = query(warehouse, "select article_id, coalesce(title, '') || ' ' || clean_text as document from articles")
    con.execute("create table docs (article_id varchar, document varchar)")
    con.executemany("insert into docs values (?, ?)", [(row["article_id"], row["document"]) for row in rows])
    con.execute(r"pragma create_fts_index('docs', 'article_id', 'document', stemmer='none', stopwords='none', "
                r"ignore='[^\pL\pN]+', strip_accents=1, lower=1)")
    return con.execute("select article_id, round(fts_main_docs.match_bm25(article_id, $q), 3) as score from docs "
                       "where score is not null order by score desc, article_id", {"q": words}).fetchall()


def test_search_ranks_as_duckdbs_own_bm25_does(seed_warehouse):
    for words in ("Taliban weapons Tajikistan", "CSTO video conference", "Peskov"):
        ours = [(row["article_id"], row["score"]) for row in _search(seed_warehouse, words)]
        assert ours == _fts_scores(seed_warehouse, words) and ours, words
    best = _search(seed_warehouse, "weapons at a special low price")[0]
    assert best["source_path"] == "000_2537d38693dccd6e.txt" and best["story_id"] and best["published_date"]
    assert _search(seed_warehouse, "Vladimír") == _search(seed_warehouse, "VLADIMIR")   # case and accents fold
    assert _search(seed_warehouse, "zzzz nothing") == [] and _search(seed_warehouse, "  ,. ") == []


def test_each_run_indexes_its_own_articles_and_leaves_the_rest(seed_warehouse, seed_source, tmp_path):
    warehouse = copy_of(seed_warehouse, tmp_path / "warehouse")
    before = query(warehouse, "select run_id, count(*) as rows from search_terms group by run_id")
    source = tmp_path / "source"
    shutil.copytree(seed_source, source)
    (source / "severn.txt").write_text("River Severn floods Shrewsbury\n\n12 February 2020\n\nThe River Severn "
                                       "burst its banks in Shrewsbury after days of rain.\n", encoding="utf-8")
    changed = sorted(source.glob("004_*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nShrewsbury was not mentioned before.\n",
                       encoding="utf-8")
    _run(source, warehouse)
    after = query(warehouse, "select run_id, count(*) as rows from search_terms group by run_id order by run_id")
    assert len(after) == 2 and after[0]["run_id"] == before[0]["run_id"]
    assert 0 < before[0]["rows"] - after[0]["rows"] < before[0]["rows"] / 2    # only the changed article left it
    assert query(warehouse, "select count(*) as n, count(distinct article_id) as articles from search_documents") \
        == query(warehouse, "select count(*) as n, count(*) as articles from articles")
    found = _search(warehouse, "Shrewsbury")
    assert {row["source_path"] for row in found} == {"severn.txt", changed.name}
    assert [(row["article_id"], row["score"]) for row in found] == _fts_scores(warehouse, "Shrewsbury")


def test_a_warehouse_from_before_search_is_indexed_once_when_next_opened_for_writing(seed_warehouse, tmp_path):
    from newsflow.warehouse import open_for_writing

    old = copy_of(seed_warehouse, tmp_path / "old")
    con = open_for_writing(old)
    con.execute("begin")
    con.execute("delete from search_terms")
    con.execute("delete from search_documents")
    con.execute("commit")
    con.close()
    assert _search(old, "Taliban") == []
    open_for_writing(old).close()
    assert _search(old, "Taliban") == _search(seed_warehouse, "Taliban") != []


def test_story_articles_lists_a_storys_articles_in_publication_order(seed_warehouse):
    story = query(seed_warehouse, "select story_id from stories order by article_count desc limit 1")[0]["story_id"]
    listed = newsflow("query", "sql/queries/story_articles.sql", "--param", f"story={story}", "--warehouse",
                      str(seed_warehouse), "--format", "json")
    rows = json.loads(listed.stdout)
    dates = [row["published_date"] for row in rows]
    # Dated articles first, in order; one seed prints no date it can be given, and comes last.
    assert len(rows) == 5 and dates[-1] is None and dates[:-1] == sorted(dates[:-1])
