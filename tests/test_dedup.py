"""Duplicates, borrowings and stories on small inline articles (tasks/dedup.py, tasks/stories.py)."""

import datetime as dt
import json
import math

import pyarrow as pa
import pytest

from tasks import dedup, stories
from tasks.clean import ARTICLE_SCHEMA
from tests.conftest import newsflow, newsflow_in_process

STRIKE = (
    "Dock workers in Port Halden walked off the job on Monday, halting the loading of grain ships\n"
    "for the first time in eleven years. The union said the strike would last until the harbour board\n"
    "restored the night shift it cut in March.\n"
    "Harbour board chairman Elin Sorvik said talks with the union would resume on Wednesday and that\n"
    "she expected the grain terminal to reopen before the end of the week.\n"
    "Exporters warned that every day of the stoppage costs farmers in the region close to two million\n"
    "crowns in storage fees and missed sailings."
)
# Three words changed, the lines wrapped elsewhere, the last sentence dropped.
STRIKE_EDITED = (
    "Dock workers in Port Halden walked off the job on Monday, halting the loading of grain\n"
    "ships for the first time in twelve years. The union said the strike would last until the\n"
    "harbour board restored the night shift it cut in April.\n"
    "Harbour board chairwoman Elin Sorvik said talks with the union would resume on Wednesday and\n"
    "that she expected the grain terminal to reopen before the end of the week."
)
# The strike's second paragraph inside a longer, different article.
PORT_FEATURE = (
    "Port Halden has handled more grain every year since the new terminal opened, and the town now\n"
    "depends on the harbour for one job in four, according to the municipal statistics office.\n"
    "Harbour board chairman Elin Sorvik said talks with the union would resume on Wednesday and that\n"
    "she expected the grain terminal to reopen before the end of the week.\n"
    "The harbour board plans to dredge the northern basin next spring so that larger bulk carriers can\n"
    "dock, a project that the regional council has promised to fund in part.\n"
    "Fishermen who share the basin have asked for a separate quay and a say in the dredging schedule."
)
# The same event, told in other words by another outlet.
STRIKE_RETOLD = (
    "Grain shipments from Port Halden stopped on Monday after dockers went on strike over the night\n"
    "shift, which the harbour board cut in March. Union leaders said the walkout would continue until\n"
    "the shift is restored. Elin Sorvik, who chairs the harbour board, expects the terminal to reopen\n"
    "within days; farmers fear storage fees as the grain ships wait at anchor."
)
# Same place and topic, another event: a festival at the same harbour.
HARBOUR_FESTIVAL = (
    "Port Halden will hold its first harbour festival in July, with tall ships, a fish market and\n"
    "concerts on the quay. Organisers expect twenty thousand visitors over the weekend and have asked\n"
    "residents to leave their cars at home, since the harbour road will be closed to traffic."
)
# Another event of the same kind: a dock strike in another port, with other people.
STRIKE_ELSEWHERE = (
    "Dock workers in Varnby walked off the job on Monday over pay, leaving timber ships unloaded at the\n"
    "quay. The dockers' union said the walkout would last until the port authority raised wages.\n"
    "Port authority director Tomas Lindqvist said he would meet union leaders in Varnby on Thursday."
)
PORT, SORVIK, UNION, BOARD, FARMERS = "gpe:port-halden", "person:elin-sorvik", "org:union", "org:board", "norp:x"
VARNBY, LINDQVIST = "gpe:varnby", "person:tomas-lindqvist"


def _articles(*rows) -> pa.Table:
    """Rows of (article_id, clean_text, published_date, input_order)."""
    return pa.Table.from_pylist([
        {"article_id": a, "source_path": f"{a}.txt", "record_index": None, "clean_text": text,
         "published_date": date, "content_hash": f"hash-of-{a}", "input_order": order}
        for a, text, date, order in rows], schema=ARTICLE_SCHEMA)


def _mentions(entities_by_article: dict) -> list[dict]:
    return [{"article_id": a, "entity_id": e, "label": e.split(":")[0].upper()}
            for a, entities in entities_by_article.items() for e in entities]


def _find(articles: pa.Table, mentions=(), earlier=None, threshold=dedup.DEFAULT_NEAR_DUPLICATE_THRESHOLD,
          loaded_stories=None):
    prints = dedup.prints_table(dedup.fingerprint_articles(articles))
    return dedup.find_copies(articles, prints, list(mentions), earlier or dedup.EarlierArticles.none(),
                             threshold, loaded_stories)


def _links(result: dedup.DedupResult) -> dict:
    return {row["article_id"]: (row["duplicate_of"], row["story_id"]) for row in result.links.to_pylist()}


MON, TUE, NEXT_MONTH = dt.date(2024, 3, 4), dt.date(2024, 3, 5), dt.date(2024, 4, 8)


def test_exact_copies_point_at_the_earliest_by_date_then_order():
    result = _find(_articles(("late", STRIKE, TUE, 1), ("early", STRIKE, MON, 2), ("undated", STRIKE, None, 0),
                             ("rewrapped", STRIKE.replace("\n", " "), MON, 3)))
    assert _links(result) == {"early": (None, "early"), "late": ("early", "early"), "undated": ("early", "early"),
                              "rewrapped": ("early", "early")}


def test_a_lightly_edited_copy_is_a_near_duplicate_and_a_borrowing():
    result = _find(_articles(("original", STRIKE, MON, 0), ("edited", STRIKE_EDITED, TUE, 1)))
    assert _links(result) == {"original": (None, "original"), "edited": ("original", "original")}
    # Every line (a paragraph, to the cleaner) is mostly the original's, changed words and all.
    [borrowing] = result.borrowings.to_pylist()
    assert (borrowing["article_id"], borrowing["borrowed_from"], borrowing["borrowed_paragraphs"]) == \
        ("edited", "original", 5)
    assert borrowing["borrowed_share"] == 1.0


def test_shared_paragraphs_are_recorded_with_their_share_but_are_not_copies():
    result = _find(_articles(("strike", STRIKE, MON, 0), ("feature", PORT_FEATURE, TUE, 1)))
    assert {article: link[0] for article, link in _links(result).items()} == {"strike": None, "feature": None}
    borrowed_words = len("Harbour board chairman Elin Sorvik said talks with the union would resume on Wednesday "
                         "and that she expected the grain terminal to reopen before the end of the week".split())
    total_words = len(PORT_FEATURE.replace(",", " ").split())
    assert result.borrowings.to_pylist() == [{
        "article_id": "feature", "borrowed_from": "strike",
        "borrowed_share": round(borrowed_words / total_words, 4), "borrowed_paragraphs": 2}]


# A wire story, and a local paper's longer story that sets two of its paragraphs (a word changed) among
# its own: a small share of the paper's words, a borrowing all the same.
COPPER_WIRE = (
    "Workers at the Escondida copper mine in northern Chile began an indefinite strike on Tuesday after\n"
    "talks with the operator over a new three-year wage contract broke down late on Monday night.\n"
    "The union, which represents about 2,500 workers, said the company had refused to share a larger part\n"
    "of last year's record profits and had offered a bonus smaller than the one paid three years ago.\n"
    "Escondida produced about five per cent of the world's mined copper last year, and traders said any\n"
    "stoppage lasting more than two weeks would tighten a market already short of refined metal.\n"
    "Copper prices on the London Metal Exchange rose 1.8 per cent in early trading on the news."
)
COPPER_FEATURE = (
    "The harbour town of Antofagasta has lived from copper for a century, and its mood rises and falls with\n"
    "the price of the red metal quoted every morning on the screens of the port's shipping agents.\n"
    "Fishermen mending nets on the old pier say they can tell a good year by the number of trucks on the\n"
    "coast road, and this winter the road has been busy with ore bound for the smelters further south.\n"
    "The union, which represents about 2,500 workers, said the company had refused to share a bigger part\n"
    "of last year's record profits and had offered a bonus smaller than the one paid three years ago.\n"
    "Escondida produced about five per cent of the world's mined copper last year, and traders said any\n"
    "stoppage lasting more than two weeks would tighten a market already short of refined metal.\n"
    "At the town's market, stallholders said shoppers were already holding back, remembering the long\n"
    "dispute of 2017, when the strike lasted forty-four days and many families fell behind on their rent.\n"
    "The mayor has asked both sides to return to the table, and the regional governor offered to mediate.\n"
    "Schools in the mining district will stay open, the education office said, whatever the talks bring.\n"
    "A local radio station has opened its morning programme to callers, most of them miners' wives, who\n"
    "describe the household sums that a month without wages would upset, from school shoes to gas bills.\n"
    "The church of San Francisco will keep its soup kitchen open every evening for as long as it lasts.\n"
    "Older residents recall that the town's first bank was opened by the mining company itself in 1920.\n"
    "Tourism officials, for their part, hope the dispute will not put off the cruise ships due in March.\n"
    "The port's stevedores, who load the copper concentrate, said they would support the strikers.\n"
    "Their own contract runs until next year, but their leaders have promised to refuse overtime.\n"
    "A shipping agent said two bulk carriers had already been told to wait at anchor off the breakwater.\n"
    "Hotel owners along the seafront report cancellations from buyers who had planned to visit the mine.\n"
    "The cooperative bakery, founded by miners in the 1950s, has begun selling bread at cost to strikers."
)


def test_two_lifted_paragraphs_are_a_borrowing_whatever_share_they_make():
    result = _find(_articles(("wire", COPPER_WIRE, MON, 0), ("feature", COPPER_FEATURE, TUE, 1)))
    [borrowing] = result.borrowings.to_pylist()
    lifted = COPPER_FEATURE.split("\n")[4:8]
    lifted_words = len(dedup.WORD.findall(" ".join(lifted)))
    assert (borrowing["article_id"], borrowing["borrowed_from"], borrowing["borrowed_paragraphs"]) == \
        ("feature", "wire", 4)
    assert borrowing["borrowed_share"] == round(lifted_words / len(dedup.WORD.findall(COPPER_FEATURE)), 4) < 0.2
    # One passage: the feature's lines 5-8, the wire's lines 3-6, so the reader can see the lifted text.
    [passage] = result.borrowed_passages.to_pylist()
    assert COPPER_FEATURE[passage["start_char"]:passage["end_char"]] == "\n".join(lifted)
    assert COPPER_WIRE[passage["source_start_char"]:passage["source_end_char"]] == \
        "\n".join(COPPER_WIRE.split("\n")[2:6])
    assert not any(row["duplicate_of"] for row in result.links.to_pylist())


def test_a_stock_sentence_in_both_is_not_a_borrowing():
    stock = "The company did not immediately respond to a request for comment on Tuesday."
    result = _find(_articles(("wire", COPPER_WIRE + "\n" + stock, MON, 0),
                             ("strike", STRIKE + "\n" + stock, TUE, 1)))
    assert len(result.borrowings) == 0 and len(result.borrowed_passages) == 0


# What a site prints under every one of its stories, whatever the story.
ABOUT_THE_PAPER = (
    "The Harbour Courier is an independent weekly founded in 1908 by the fishermen's cooperative of Port\n"
    "Halden. It is owned by a trust whose charter forbids any shareholder a say in what the paper prints,\n"
    "and it is funded by its readers: subscribe at the office on Quay Street or by post."
)


def _site_articles(folder: str, *rows) -> pa.Table:
    """Rows of (article_id, clean_text, published_date, input_order), all scraped from one site's folder."""
    return pa.Table.from_pylist([
        {"article_id": a, "source_path": f"{folder}/{a}.txt", "record_index": None, "clean_text": text,
         "published_date": date, "content_hash": f"hash-of-{a}", "input_order": order}
        for a, text, date, order in rows], schema=ARTICLE_SCHEMA)


def test_a_paragraph_a_site_prints_under_every_story_is_not_a_borrowing():
    articles = _site_articles("courier", ("strike", STRIKE + "\n" + ABOUT_THE_PAPER, MON, 0),
                              ("festival", HARBOUR_FESTIVAL + "\n" + ABOUT_THE_PAPER, TUE, 1),
                              ("copper", COPPER_WIRE + "\n" + ABOUT_THE_PAPER, TUE, 2))
    assert len(_find(articles).borrowings) == 0
    # Another site that lifts the paragraph (with a line of the festival story) does borrow it, from each
    # of the site's stories that print it.
    other = _site_articles("gazette", ("lifted", HARBOUR_FESTIVAL.split("\n")[0] + "\n" + ABOUT_THE_PAPER,
                                       NEXT_MONTH, 3))
    found = _find(pa.concat_tables([articles, other])).borrowings.to_pylist()
    assert {(row["borrowed_from"], row["borrowed_paragraphs"]) for row in found if row["article_id"] == "lifted"} \
        == {("festival", 4), ("strike", 3), ("copper", 3)}
    assert {row["article_id"] for row in found} == {"lifted"}


# A statement many outlets quote in full, each in a story of its own: one paragraph.
STATEMENT = (
    '"We will not sign any agreement that leaves our members poorer than they were three years ago, and we '
    "are ready to stay out for as long as it takes, whatever the company says in its advertisements and "
    'whatever the government says in parliament about the cost to the national economy," the union said.'
)


def test_a_quotation_many_outlets_carry_is_not_a_borrowing_but_a_wire_paragraph_is():
    paragraph = "\n".join(COPPER_WIRE.split("\n")[2:4])    # the union's figures, outside quotation marks
    articles = _site_articles("wires", ("wire", COPPER_WIRE + "\n" + STATEMENT, MON, 0))
    outlets = [_site_articles(outlet, (outlet, text + "\n" + STATEMENT + "\n" + paragraph, TUE, n))
               for n, (outlet, text) in enumerate((("courier", STRIKE), ("gazette", HARBOUR_FESTIVAL),
                                                   ("herald", STRIKE_ELSEWHERE)), start=1)]
    found = _find(pa.concat_tables([articles, *outlets])).borrowings.to_pylist()
    # Each outlet borrows the wire's paragraph (two lines: two paragraphs to the cleaner), never the quotation.
    assert {(row["article_id"], row["borrowed_from"], row["borrowed_paragraphs"]) for row in found} >= \
        {(outlet, "wire", 2) for outlet in ("courier", "gazette", "herald")}
    assert all(row["borrowed_paragraphs"] == 2 for row in found)


def test_the_same_event_in_other_words_is_one_story_and_no_copy():
    articles = _articles(("strike", STRIKE, MON, 0), ("retold", STRIKE_RETOLD, TUE, 1))
    mentions = _mentions({"strike": [PORT, SORVIK, UNION, BOARD], "retold": [PORT, SORVIK, UNION, BOARD]})
    result = _find(articles, mentions)
    assert _links(result) == {"strike": (None, "strike"), "retold": (None, "strike")}
    assert len(result.borrowings) == 0


def test_unrelated_articles_on_the_same_place_stay_apart():
    articles = _articles(("strike", STRIKE, MON, 0), ("festival", HARBOUR_FESTIVAL, TUE, 1))
    mentions = _mentions({"strike": [PORT, SORVIK, UNION, BOARD], "festival": [PORT, BOARD, SORVIK]})
    assert _links(_find(articles, mentions)) == {"strike": (None, "strike"), "festival": (None, "festival")}


def test_two_strikes_in_two_ports_are_two_stories_and_the_retelling_joins_its_own():
    articles = _articles(("strike", STRIKE, MON, 0), ("elsewhere", STRIKE_ELSEWHERE, MON, 1),
                         ("retold", STRIKE_RETOLD, TUE, 2))
    mentions = _mentions({"strike": [PORT, SORVIK, UNION, BOARD], "elsewhere": [VARNBY, LINDQVIST],
                          "retold": [PORT, SORVIK, UNION, BOARD]})
    assert _links(_find(articles, mentions)) == {"strike": (None, "strike"), "elsewhere": (None, "elsewhere"),
                                                 "retold": (None, "strike")}


def test_undated_articles_are_judged_on_content_alone():
    articles = _articles(("strike", STRIKE, MON, 0), ("retold", STRIKE_RETOLD, None, 1),
                         ("festival", HARBOUR_FESTIVAL, None, 2))
    mentions = _mentions({"strike": [PORT, SORVIK, UNION, BOARD], "retold": [PORT, SORVIK, UNION, BOARD],
                          "festival": [PORT]})
    assert _links(_find(articles, mentions)) == {"strike": (None, "strike"), "retold": (None, "strike"),
                                                 "festival": (None, "festival")}


def test_the_same_event_weeks_apart_is_another_story():
    articles = _articles(("strike", STRIKE, MON, 0), ("retold", STRIKE_RETOLD, NEXT_MONTH, 1))
    mentions = _mentions({"strike": [PORT, SORVIK, UNION, BOARD], "retold": [PORT, SORVIK, UNION, BOARD]})
    assert _links(_find(articles, mentions)) == {"strike": (None, "strike"), "retold": (None, "retold")}


def _loaded(result: dedup.DedupResult, articles: pa.Table) -> dedup.EarlierArticles:
    """What the warehouse holds after loading a result, as Warehouse.dedup_candidates reads it back."""
    links = {row["article_id"]: row for row in result.links.to_pylist()}
    rows = [row | {"duplicate_of": links[row["article_id"]]["duplicate_of"],
                   "story_id": links[row["article_id"]]["story_id"]} for row in articles.to_pylist()]
    return dedup.EarlierArticles(rows, result.signatures, result.fingerprints)


def test_a_copy_arriving_in_a_later_run_links_to_the_loaded_original():
    first_run = _articles(("original", STRIKE, MON, 0), ("festival", HARBOUR_FESTIVAL, MON, 1))
    earlier = _loaded(_find(first_run), first_run)
    result = _find(_articles(("edited", STRIKE_EDITED, NEXT_MONTH, 10)), earlier=earlier)
    assert _links(result) == {"edited": ("original", "original")}
    assert [row["article_id"] for row in result.signatures.to_pylist()] == ["edited"]


def test_an_earlier_copy_arriving_later_relinks_the_loaded_ones():
    first_run = _articles(("late", STRIKE, TUE, 0), ("later-edit", STRIKE_EDITED, NEXT_MONTH, 1))
    earlier = _loaded(_find(first_run), first_run)
    result = _find(_articles(("first", STRIKE, MON, 10)), earlier=earlier)
    # The story keeps the id it was loaded with: story ids are stable across runs.
    assert _links(result) == {"first": (None, "late"), "late": ("first", "late"),
                              "later-edit": ("first", "late")}


def test_a_lift_from_an_article_loaded_in_an_earlier_run_is_found_with_its_passage():
    first_run = _articles(("wire", COPPER_WIRE, MON, 0), ("festival", HARBOUR_FESTIVAL, MON, 1))
    earlier = _loaded(_find(first_run), first_run)
    result = _find(_articles(("feature", COPPER_FEATURE, TUE, 10)), earlier=earlier)
    assert [(row["article_id"], row["borrowed_from"], row["borrowed_paragraphs"])
            for row in result.borrowings.to_pylist()] == [("feature", "wire", 4)]
    [passage] = result.borrowed_passages.to_pylist()
    assert COPPER_WIRE[passage["source_start_char"]:passage["source_end_char"]] == \
        "\n".join(COPPER_WIRE.split("\n")[2:6])


def test_the_same_input_read_again_is_not_its_own_copy():
    first_run = _articles(("a", STRIKE, MON, 0))
    earlier = _loaded(_find(first_run), first_run)
    assert _links(_find(_articles(("a", STRIKE, MON, 10)), earlier=earlier)) == {"a": (None, "a")}


def test_signatures_of_another_band_layout_are_re_keyed():
    first_run = _articles(("original", STRIKE, MON, 0))
    earlier = _loaded(_find(first_run, threshold=0.8), first_run)
    result = _find(_articles(("edited", STRIKE_EDITED, TUE, 10)), earlier=earlier, threshold=0.5)
    assert _links(result) == {"edited": ("original", "original")}
    layouts = {row["article_id"]: row["lsh_layout"] for row in result.signatures.to_pylist()}
    assert layouts == {"edited": "k3-p128-b32-r4-mix64", "original": "k3-p128-b32-r4-mix64"}


def test_keys_persisted_under_the_former_key_hash_are_re_keyed():
    first_run = _articles(("original", STRIKE, MON, 0))
    earlier = _loaded(_find(first_run), first_run)
    # Warehouses written before band keys were mixed in numpy hold blake2b keys named without a scheme.
    earlier.signatures = pa.Table.from_pylist(
        [row | {"lsh_layout": "k3-p128-b32-r4", "band_keys": [1, 2, 3]} for row in earlier.signatures.to_pylist()],
        schema=dedup.SIGNATURE_SCHEMA)
    result = _find(_articles(("edited", STRIKE_EDITED, TUE, 10)), earlier=earlier)
    assert _links(result) == {"edited": ("original", "original")}
    rekeyed = {row["article_id"]: row for row in result.signatures.to_pylist()}
    assert rekeyed["original"]["lsh_layout"] == "k3-p128-b32-r4-mix64"
    assert rekeyed["original"]["band_keys"] == [row["band_keys"] for row in _find(first_run).signatures.to_pylist()][0]


def test_a_stricter_threshold_keeps_the_edited_copy_apart():
    result = _find(_articles(("original", STRIKE, MON, 0), ("edited", STRIKE_EDITED, TUE, 1)), threshold=0.95)
    # No copy, but the same story.
    assert _links(result) == {"original": (None, "original"), "edited": (None, "original")}


def test_empty_and_tiny_texts_are_compared_without_error():
    result = _find(_articles(("a", "Breaking.", MON, 0), ("b", "Breaking.", TUE, 1), ("c", "Developing.", MON, 2)))
    assert _links(result) == {"a": (None, "a"), "b": ("a", "a"), "c": (None, "c")}


@pytest.mark.parametrize("threshold", [0.0, 1.5])
def test_a_threshold_outside_0_to_1_is_refused(threshold):
    with pytest.raises(ValueError, match="threshold"):
        _find(_articles(("a", STRIKE, MON, 0)), threshold=threshold)


def test_article_terms_fold_plurals_drop_stop_words_and_count_entities():
    [terms] = stories.article_terms(
        [{"article_id": "a", "title": "Ships wait", "clean_text": "The ships wait. The ship waits for the dockers.",
          "published_date": None}],
        [{"article_id": "a", "entity_id": "gpe:port", "label": "GPE", "mentions": 2},
         {"article_id": "a", "entity_id": "date:monday", "label": "DATE", "mentions": 1}]).values()
    # "ships" and "ship" in the body, "Ships" in the title counted twice: 4 of "ship"; the same for "wait".
    assert {w: round(x, 3) for w, x in terms.words.items()} == \
        {"ship": round(1 + math.log(4), 3), "wait": round(1 + math.log(4), 3), "docker": 1.0}
    assert terms.entities == {"gpe:port": 1 + math.log(2)}
    assert terms.distinctive_labels == {"gpe:port": "GPE"}


def test_article_words_keep_the_order_their_stems_first_occur():
    # The order of an article's terms is the order its similarity sums run in: a stem comes where
    # its earliest form does ("strikes" before "strike"), title words after the body's.
    counts = stories.word_counts("Strikes closed the docks. Dockers said the strike and the dock strikes go on.",
                                 "Harbour strike")
    assert list(counts.items()) == [("strike", 3 + 2), ("closed", 1), ("dock", 2), ("docker", 1), ("said", 1),
                                    ("harbour", 2)]


def test_a_story_is_found_by_most_shared_query_terms_then_by_id():
    # 45 stories, many tied: the head of the full sort by (most shared, id), less the moved-out ones.
    shared = stories.Counter({f"s{n:02d}": 1 + (n * 7) % 4 for n in range(45)})
    alive = set(shared) - {"s01", "s05"}
    expected = sorted(alive, key=lambda s: (-shared[s], s))[:stories.STORIES_PER_ARTICLE]
    assert stories._most_shared(shared, alive) == expected
    assert stories._most_shared(shared, {"s03", "s00", "s04"}) == ["s03", "s00", "s04"]


def test_word_cosine_sums_the_shared_terms_in_the_articles_order():
    terms = stories.article_terms(
        [{"article_id": a, "title": None, "clean_text": text, "published_date": None}
         for a, text in (("strike", STRIKE), ("retold", STRIKE_RETOLD), ("festival", HARBOUR_FESTIVAL))], [])
    index = stories.story_index(terms, stories.LoadedStories())
    index.add("story", terms["strike"])
    index.add("story", terms["festival"])
    frequencies, profile = index.frequencies, index.profiles["story"]
    article = terms["retold"]
    idf = {t: frequencies.idf("word", t) for t in profile.terms["word"]} | \
        {t: frequencies.idf("word", t) for t in article.words}
    dot = sum(w * idf[t] ** 2 * profile.terms["word"][t] for t, w in article.words.items() if t in profile.terms["word"])
    article_norm = math.sqrt(sum((w * idf[t]) ** 2 for t, w in article.words.items()))
    story_norm = math.sqrt(sum((w * idf[t]) ** 2 for t, w in profile.terms["word"].items()))
    assert stories._cosine(article, profile, "word", frequencies) == pytest.approx(dot / (article_norm * story_norm),
                                                                                   rel=1e-12)


# The real flow, DuckLake, spaCy and GX: seeds, and a copy arriving in a later run.

def _query(warehouse, sql: str, **params) -> list[dict]:
    args = [arg for name, value in params.items() for arg in ("--param", f"{name}={value}")]
    result = newsflow_in_process("query", sql, *args, "--warehouse", str(warehouse), "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_seeds_000_and_001_are_linked_and_the_five_form_one_story(seed_warehouse):
    [link] = _query(seed_warehouse, """
        select borrower.source_path as borrower, lender.source_path as lender, b.borrowed_share
        from borrowings b join articles borrower using (article_id)
        join articles lender on lender.article_id = b.borrowed_from""")
    # 000's second to fourth paragraphs (187 of its 481 words) retell 001's.
    assert (link["borrower"], link["lender"]) == ("000_2537d38693dccd6e.txt", "001_cc92b69f11ad1a98.txt")
    assert 0.35 < link["borrowed_share"] < 0.42
    # The lifted passage, in both texts: the same sentences, the source's from its second paragraph on.
    [passage] = _query(seed_warehouse, """
        select substr(a.clean_text, p.start_char + 1, p.end_char - p.start_char) as lifted,
               substr(f.clean_text, p.source_start_char + 1, p.source_end_char - p.source_start_char) as source
        from borrowed_passages p join articles a using (article_id) join articles f on f.article_id = p.borrowed_from""")
    assert passage["lifted"].startswith("Russian President Vladimir Putin has said that that the heads of CSTO")
    assert passage["source"].startswith("A previous post by Kazakh Presidential Spokesperson Berik Uali")
    assert "the Taliban movement" in passage["lifted"] and "the Taliban movement" in passage["source"]
    [borrower] = _query(seed_warehouse, "sql/queries/duplicates_of_article.sql",
                        source_path="001_cc92b69f11ad1a98.txt")
    assert (borrower["relation"], borrower["lifted_text"]) == ("borrows from it", passage["lifted"])
    [story] = _query(seed_warehouse, "select * from stories")
    assert (story["first_seen"], story["last_seen"], story["article_count"], story["distinct_articles"]) == \
        ("2021-08-21", "2021-08-27", 5, 5)
    assert {"Afghanistan", "Vladimir Putin", "Taliban"} <= set(story["top_entities"])
    # What an analyst reads: the first article's title (001 has none: its first line) as headline,
    # its keywords, five sources.
    [first_article] = _query(seed_warehouse, "select source_path, coalesce(title, split_part(trim(clean_text), "
                             "chr(10), 1)) as headline from articles where article_id = $id", id=story["first_article_id"])
    assert (first_article["source_path"], story["headline"]) == ("001_cc92b69f11ad1a98.txt", first_article["headline"])
    assert story["distinct_sources"] == 5 and len(story["keywords"]) == 8
    assert {"afghanistan", "taliban"} <= set(story["keywords"])
    first = _query(seed_warehouse, "sql/queries/story_sources.sql", source_path="004_8b3fc308f6c75f53.txt")
    assert [(r["publication_rank"], r["source_path"]) for r in first][:1] == [(1, "001_cc92b69f11ad1a98.txt")]
    assert len(first) == 5


def _write_article(folder, name: str, date: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"{date}\n{text}\n")


def test_a_copy_arriving_a_week_later_is_linked_to_the_loaded_original(tmp_path, prefect_harness):
    from flows.pipeline import news_pipeline

    source, warehouse = tmp_path / "source", tmp_path / "warehouse"
    _write_article(source, "strike.txt", "4 March 2024", STRIKE)
    _write_article(source, "festival.txt", "4 March 2024", HARBOUR_FESTIVAL)
    news_pipeline(source=str(source), warehouse=str(warehouse), workers=1)
    _write_article(source, "republished.txt", "11 March 2024", STRIKE_EDITED)
    second = news_pipeline(source=str(source), warehouse=str(warehouse), workers=1)
    assert (second["articles_loaded"], second["duplicates"]) == (1, 1)
    rows = _query(warehouse, "sql/queries/duplicates_of_article.sql", source_path="strike.txt")
    assert [(r["relation"], r["source_path"]) for r in rows] == \
        [("borrows from it", "republished.txt"), ("copy", "republished.txt")]
    assert _query(warehouse, "select count(*) as n from minhash_signatures") == [{"n": 3}]
    week = _query(warehouse, "sql/queries/stories_of_week.sql", day="2024-03-06")
    assert sorted((r["first_source_path"], r["article_count"]) for r in week) == \
        [("festival.txt", 1), ("strike.txt", 2)]


def test_a_threshold_outside_0_to_1_is_a_usage_error(tmp_path):
    result = newsflow("run", "--source", str(tmp_path), "--warehouse", str(tmp_path / "w"),
                      "--near-duplicate-threshold", "1.5")
    assert (result.returncode, result.stderr) == \
        (2, "newsflow: --near-duplicate-threshold must be above 0 and at most 1\n")


# Stories across runs, through a real DuckLake warehouse and its story_terms index.

def _store(warehouse, articles: pa.Table, result: dedup.DedupResult) -> None:
    """Write a run's articles (with their links), signatures, story terms and profiles, as the load stage does."""
    from newsflow import warehouse as wh

    links = {row["article_id"]: row for row in result.links.to_pylist()}
    rows = [{"article_id": r["article_id"], "source_path": r["source_path"], "clean_text": r["clean_text"],
             "published_date": r["published_date"], "content_hash": r["content_hash"], "input_order": r["input_order"],
             "duplicate_of": links[r["article_id"]]["duplicate_of"], "story_id": links[r["article_id"]]["story_id"],
             "run_id": "test"} for r in articles.to_pylist()]
    with wh.open_for_writing(warehouse) as con:
        con.register("new_articles", pa.Table.from_pylist(rows))
        con.execute("insert into articles by name select * from new_articles")
        con.register("new_terms", result.story_terms)
        con.execute("insert into story_terms by name select * from new_terms")
        con.register("new_profiles", result.story_profiles)
        con.execute("insert into story_profiles by name select * from new_profiles")
        con.register("new_signatures", result.signatures)
        con.execute("insert into minhash_signatures by name select * from new_signatures")


def _filler(number: int) -> str:
    """A made-up article on its own subject: words no other filler or fixture uses."""
    letters = "bcdfghjklmnpqrstvwxz"
    words = ["".join(letters[(number * 7 + k * 3 + j) % 20] + "a" for j in range(4)) + letters[k % 20]
             for k in range(40)]
    return " ".join(words)


def _next_run(warehouse, articles: pa.Table, mentions: list[dict]) -> tuple[dedup.DedupResult, stories.LoadedStories]:
    from newsflow.warehouse import Warehouse

    run_terms = stories.article_terms(articles.to_pylist(), mentions)
    found = Warehouse(warehouse).loaded_stories(run_terms)
    prints = dedup.prints_table(dedup.fingerprint_articles(articles))
    return dedup.find_copies(articles, prints, mentions, dedup.EarlierArticles.none(),
                             loaded_stories=found, run_terms=run_terms), found


def test_an_article_of_a_later_run_joins_its_story_found_through_the_index(tmp_path):
    warehouse = tmp_path / "warehouse"
    first = _articles(("strike", STRIKE, MON, 0), ("elsewhere", STRIKE_ELSEWHERE, MON, 1),
                      *((f"filler-{n}", _filler(n), MON, 2 + n) for n in range(30)))
    first_mentions = _mentions({"strike": [PORT, SORVIK, UNION, BOARD], "elsewhere": [VARNBY, LINDQVIST]})
    _store(warehouse, first, _find(first, first_mentions))
    later = _articles(("retold", STRIKE_RETOLD, TUE, 100))
    result, found = _next_run(warehouse, later, _mentions({"retold": [PORT, SORVIK, UNION, BOARD]}))
    assert _links(result) == {"retold": (None, "strike")}
    # The index found the strikes, never the 30 unrelated stories: only their profiles were read.
    assert {row["story_id"] for row in found.candidates} <= {"strike", "elsewhere"}
    assert {row["story_id"] for row in found.profiles} <= {"strike", "elsewhere"}
    assert result.story_terms.column("story_id").unique().to_pylist() == ["strike"]


def test_a_copy_in_a_later_run_joins_its_originals_story(tmp_path):
    warehouse = tmp_path / "warehouse"
    first = _articles(("strike", STRIKE, MON, 0), ("retold", STRIKE_RETOLD, TUE, 1))
    mentions = _mentions({"strike": [PORT, SORVIK, UNION, BOARD], "retold": [PORT, SORVIK, UNION, BOARD]})
    _store(warehouse, first, _find(first, mentions))
    later = _articles(("copy", STRIKE_RETOLD.replace("\n", " "), NEXT_MONTH, 10))
    from newsflow.warehouse import Warehouse

    run_terms = stories.article_terms(later.to_pylist(), [])
    earlier = Warehouse(warehouse).dedup_candidates(dedup.candidate_request(
        later, dedup.prints_table(dedup.fingerprint_articles(later)), dedup.DEFAULT_NEAR_DUPLICATE_THRESHOLD))
    result = dedup.find_copies(later, dedup.prints_table(dedup.fingerprint_articles(later)), [], earlier,
                               loaded_stories=Warehouse(warehouse).loaded_stories(run_terms), run_terms=run_terms)
    # A month later the similarity alone would found a new story; the copy keeps its original's.
    assert _links(result)["copy"] == ("retold", "strike")


def test_refinement_undoes_a_wrong_join_and_names_the_story_after_its_earliest_article():
    # The single pass let the strike and its retelling join the harbour festival, which came first
    # (an early wrong join). Taken out and compared again, the festival founds its own story; the
    # one it leaves is named after its earliest remaining article.
    rows = [("festival", HARBOUR_FESTIVAL, MON, 0), ("strike", STRIKE, MON, 1), ("retold", STRIKE_RETOLD, TUE, 2)]
    terms = stories.article_terms(_articles(*rows).to_pylist(), _mentions({
        "strike": [PORT, SORVIK, UNION, BOARD], "retold": [PORT, SORVIK, UNION, BOARD], "festival": [PORT]}))
    ordered = [terms[a] for a, *_ in rows]
    index = stories.story_index(terms, stories.LoadedStories())
    for article in ordered:
        index.add("festival", article)
    refined = stories.refine_stories(ordered, {}, index, {a: "festival" for a, *_ in rows},
                                     stories.JOIN_THRESHOLD, stories.REFINE_ROUNDS)
    assert refined == {"festival": "festival", "strike": "strike", "retold": "strike"}
    assert {s: p.count for s, p in index.profiles.items()} == {"festival": 1, "strike": 2}
    # Its profile holds the two strike articles' weights only: it compares as their own story would.
    alone = stories.StoryProfile("strike")
    for article in ordered[1:]:
        alone.add(article)
    assert index.profiles["strike"].terms == alone.terms


def test_refinement_never_renames_a_loaded_story(tmp_path):
    warehouse = tmp_path / "warehouse"
    first = _articles(("strike", STRIKE, MON, 0), *((f"filler-{n}", _filler(n), MON, 1 + n) for n in range(10)))
    _store(warehouse, first, _find(first, _mentions({"strike": [PORT, SORVIK, UNION, BOARD]})))
    # The later run's earliest article joins the loaded story; the story keeps its loaded id.
    later = _articles(("retold", STRIKE_RETOLD, MON, 100), ("festival", HARBOUR_FESTIVAL, TUE, 101))
    result, _ = _next_run(warehouse, later, _mentions({"retold": [PORT, SORVIK, UNION, BOARD], "festival": [PORT]}))
    assert _links(result) == {"retold": (None, "strike"), "festival": (None, "festival")}


def _store_with_prints(warehouse, articles: pa.Table, result: dedup.DedupResult) -> None:
    """_store, and the run's passage fingerprints, which later runs' borrowings are found through."""
    from newsflow import warehouse as wh

    _store(warehouse, articles, result)
    with wh.open_for_writing(warehouse) as con:
        con.register("new_prints", result.fingerprints)
        con.execute("insert into passage_fingerprints by name select * from new_prints")


# Five pieces of the union's statement, three of its fingerprints each: an article quoting one shares too
# little with the outlet quoting it all to be measured against it, but still carries the quotation.
STATEMENT_PIECES = (
    '"We will not sign any agreement that leaves our members poorer than they',
    "were three years ago, and we are ready to stay out",
    "for as long as it takes, whatever the company",
    "says in its advertisements and whatever the government says",
    'in parliament about the cost to the national economy," the',
)


def test_candidates_sharing_passages_only_with_the_batch_as_a_whole_still_count_as_carriers(tmp_path):
    from newsflow.warehouse import Warehouse

    warehouse = tmp_path / "warehouse"
    festival_lines = HARBOUR_FESTIVAL.split("\n")
    # Each carrier quotes a piece of the statement and repeats a few words of the festival story:
    # a borrowing candidate of the batch, paired with none of its articles.
    carriers = [_site_articles(f"site-{n}", (f"carrier-{n}", f"{piece}\n{_filler(n)}\n{' '.join(line.split()[:7])}",
                                             MON, n))
                for n, (piece, line) in enumerate(zip(STATEMENT_PIECES, festival_lines * 2), start=1)]
    first = pa.concat_tables([_site_articles("wires", ("wire", COPPER_WIRE + "\n" + STATEMENT, MON, 0)), *carriers])
    first_result = _find(first)
    _store_with_prints(warehouse, first, first_result)
    later = _site_articles("courier", ("quoting", STRIKE + "\n" + STATEMENT, TUE, 10),
                           ("festival", HARBOUR_FESTIVAL, TUE, 11))
    prints = dedup.prints_table(dedup.fingerprint_articles(later))
    read = Warehouse(warehouse).dedup_candidates(
        dedup.candidate_request(later, prints, dedup.DEFAULT_NEAR_DUPLICATE_THRESHOLD))
    # The wire pairs with the quoting article and is measured; the carriers are only counted.
    assert set(read.fingerprints["article_id"].to_pylist()) == {"wire"}
    assert {row["article_id"] for row in read.articles} == {"wire", *(f"carrier-{n}" for n in range(1, 6))}
    assert len(read.unmeasured_carriers) > 0
    everything = _loaded(first_result, first)
    found, found_measuring_all = (dedup.find_copies(later, prints, [], earlier) for earlier in (read, everything))
    for name in ("links", "borrowings", "borrowed_passages"):
        assert getattr(found, name).to_pylist() == getattr(found_measuring_all, name).to_pylist(), name
    # With the carriers counted, the statement is a quotation many outlets print, not lifted from the wire.
    assert found.borrowings.to_pylist() == []
    uncounted = dedup.EarlierArticles(read.articles, read.signatures, read.fingerprints, read.folder_sizes)
    assert [row["borrowed_from"] for row in dedup.find_copies(later, prints, [], uncounted).borrowings.to_pylist()] \
        == ["wire"]
