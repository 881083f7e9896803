"""Stories tell two similar events apart by what differs (the year, the thing named in the headline)
and keep a story's follow-ups together (tasks/stories.py, issue 25)."""

import datetime as dt

import pytest

from tasks import stories

MARCH_2 = dt.date(1987, 3, 2)


def _stories(rows: list[dict], mentions: list[dict] = (), headline_mentions: list[dict] = ()) -> dict[str, str]:
    """Each article's story, the rows clustered earliest first as one run over an empty warehouse."""
    terms = stories.article_terms(rows, list(mentions), list(headline_mentions))
    index = stories.story_index(terms, stories.LoadedStories())
    ordered = sorted(rows, key=lambda r: (r.get("published_date") or dt.date.max, r["input_order"]))
    return stories.assign_stories([terms[r["article_id"]] for r in ordered], index)


def _row(article_id: str, order: int, text: str, title: str | None = None, day: dt.date | None = None) -> dict:
    return {"article_id": article_id, "input_order": order, "clean_text": text, "title": title, "published_date": day}


# Two ferry sinkings off one coast, three years apart, told in much the same words; the pages carry
# no publication date, only the years their text names.
FERRY = "A passenger ferry sank off the northern coast, and rescuers searched for survivors. {extra}"
FERRY_2009 = [
    FERRY.format(extra="The ferry Sea Star capsized in the storm of March 2009 with its cars and crew; "
                       "officials said most passengers were asleep."),
    FERRY.format(extra="Divers reached the Sea Star wreck on Sunday. The operator said the ship had passed "
                       "its 2009 safety inspection."),
    FERRY.format(extra="Relatives of the Sea Star passengers gathered at the harbour as the search went on "
                       "into the night of the 2009 storm."),
]
FERRY_2012 = [
    FERRY.format(extra="The ferry Blue Dolphin rolled over near the lighthouse in January 2012, with tourists "
                       "and trucks aboard, the company said."),
    FERRY.format(extra="Survivors described the Blue Dolphin listing before it rolled over in the 2012 gale; "
                       "the trucks had shifted."),
    FERRY.format(extra="The government ordered an inquiry into the Blue Dolphin operator on Sunday, its "
                       "second in 2012."),
]


def _ferries() -> list[dict]:
    return [_row(f"ferry-2009-{n}", n, text) for n, text in enumerate(FERRY_2009)] + \
           [_row(f"ferry-2012-{n}", 3 + n, text) for n, text in enumerate(FERRY_2012)]


def test_two_sinkings_years_apart_in_the_same_words_are_two_stories():
    story = _stories(_ferries())
    assert len({story[f"ferry-2009-{n}"] for n in range(3)}) == 1
    assert len({story[f"ferry-2012-{n}"] for n in range(3)}) == 1
    assert story["ferry-2009-0"] != story["ferry-2012-0"]


def test_the_years_are_what_tells_the_sinkings_apart(monkeypatch):
    # Without the year's evidence the words alone make one story of the two.
    monkeypatch.setattr(stories, "YEAR_CUT", 1.0)
    assert len(set(_stories(_ferries()).values())) == 1


@pytest.mark.parametrize(("text", "year"), [
    ("Prices rose 2008 points in the index, traders said in 2011.", 2011),
    ("The company paid $2012 a share; the accord of 1999 holds.", 1999),
    ("Output was 2,015 tonnes, up 20.5 pct.", None),
    ("The riots of 2008 return as the city plans its budget by the end of 2014.", 2008),
])
def test_an_articles_year_is_the_latest_year_it_names_not_a_figure_nor_one_ahead(text, year):
    assert stories.article_year(None, text) == year


def test_a_dated_articles_year_is_its_publication_year():
    assert stories.article_year(MARCH_2, "The 1986/87 crop was large; the 2005 pact lapsed.") == 1987


# Wire copy of one morning: quota talks in London for two commodities, told in many of the same
# words, and each one's follow-ups.
def _commodity_talks() -> list[dict]:
    return [
        _row("coffee-1", 0, "Coffee producers and consumers meeting in London failed to agree on export quotas on "
             "Monday, delegates said, and the talks will resume at noon. Brazil and Colombia split over the "
             "shares of the coffee quota.", "COFFEE QUOTA TALKS CONTINUE, NO ACCORD SEEN", MARCH_2),
        _row("sugar-1", 1, "Sugar exporters meeting in London could not settle their quarrel, as Cuba and the "
             "European producers argued over the sugar quota shares. White sugar prices fell.",
             "SUGAR EXPORTERS QUARREL OVER QUOTA SHARES", MARCH_2),
        _row("coffee-2", 2, "Colombia said Brazil blocked a compromise on coffee export quotas at the London talks, "
             "and its delegates blamed Brazil's demand for a larger share.",
             "COLOMBIA BLAMES BRAZIL AS COFFEE TALKS STALL", MARCH_2),
        _row("coffee-3", 3, "Dutch roasters expect coffee prices to fall further now that the London talks on "
             "coffee quotas have failed, and say Brazil will sell more.",
             "COFFEE TALKS FAIL, ROASTERS SEE LOWER PRICES", MARCH_2),
        _row("sugar-2", 4, "Traders expect white sugar prices to fall further after the sugar talks broke up "
             "and Cuba said it would sell its sugar at any price.",
             "SUGAR TALKS FAIL, TRADERS SEE LOWER PRICES", MARCH_2),
    ]


def test_coffee_talks_and_sugar_talks_are_two_stories_and_the_follow_ups_join_their_own():
    story = _stories(_commodity_talks())
    assert story["coffee-1"] == story["coffee-2"] == story["coffee-3"]
    assert story["sugar-1"] == story["sugar-2"]
    assert story["coffee-1"] != story["sugar-1"]


@pytest.mark.parametrize("cut", ["TITLE_CUT", "GOODS_CUT"])
def test_the_headlines_are_what_tells_the_talks_apart(monkeypatch, cut):
    # Either the word most of the story's headlines hold or the good they name parts the talks; without
    # the headlines' evidence the talks' shared words make one story of the two commodities.
    monkeypatch.setattr(stories, cut, 1.0)
    assert len(set(_stories(_commodity_talks()).values())) == 2
    monkeypatch.setattr(stories, "TITLE_CUT", 1.0)
    monkeypatch.setattr(stories, "GOODS_CUT", 1.0)
    assert len(set(_stories(_commodity_talks()).values())) == 1


# A futures desk's reports of one day: each market's open, midsession and close in the desk's template,
# the gold reports naming silver and the silver reports gold, as such reports do.
DESK = "{good} futures {move} on the Commodity Exchange in New York, floor traders said, as the dollar " \
       "weakened and {other} followed. {market}"
MARKETS = {
    "gold": ("Bullion dealers cited buying by central banks and jewelry fabricators.",
             "South African supplies were said to be tight, and Zurich dealers reported Middle East buying.",
             "Gold mining shares rallied with bullion as Johannesburg reported lower mine output."),
    "silver": ("Photographic film makers and electronics firms were buyers of silver, dealers said.",
               "Mexico and Peru mine supplies rose, but industrial demand absorbed them.",
               "Silver's industrial users covered short positions as the Mexican mint held back sales."),
}


def _futures_reports() -> list[dict]:
    moves = {"gold": ("EXPECTED TO OPEN HIGHER", "HOLD GAINS AT MIDSESSION", "END STRONGER, NEAR DAY'S HIGHS"),
             "silver": ("SOAR AT OPENING", "HOLD GAINS AT MIDSESSION", "CLOSE ON HIGHS")}
    rows = []
    for n, move in enumerate(("opened higher", "held gains at midsession", "closed near the day's highs")):
        for good, other in (("gold", "silver"), ("silver", "gold")):
            market = f"{MARKETS[good][n]} {MARKETS[good][(n + 1) % 3]}"   # a desk repeats its lines
            text = DESK.format(good=good.capitalize(), move=move, other=other, market=market)
            rows.append(_row(f"{good}-{n}", len(rows), text, f"COMEX {good.upper()} FUTURES {moves[good][n]}", MARCH_2))
    return rows


def test_each_markets_futures_reports_are_one_story_not_one_with_another_goods():
    story = _stories(_futures_reports())
    assert story["gold-0"] == story["gold-1"] == story["gold-2"]
    assert story["silver-0"] == story["silver-1"] == story["silver-2"]
    assert story["gold-0"] != story["silver-0"]


def test_the_goods_the_headlines_name_are_what_tell_the_reports_apart(monkeypatch):
    # Each body names the other market: without the goods' evidence the desk's template makes one
    # story of both markets.
    monkeypatch.setattr(stories, "GOODS_CUT", 1.0)
    assert len(set(_stories(_futures_reports()).values())) == 1


def test_a_headline_naming_the_storys_good_among_others_is_not_cut():
    extra = [_row("both", 6, "Gold and silver output rose.", "U.S. GOLD AND SILVER OUTPUT UP"),
             _row("canola", 7, "Canola crushing rose.", "CANADA CANOLA CRUSH UP"),
             _row("rapeseed", 8, "Rapeseed crushing rose.", "EC RAPESEED CRUSH UP")]
    terms = stories.article_terms(_futures_reports() + extra, [])
    gold = stories.StoryProfile("gold")
    for n in range(3):
        gold.add(terms[f"gold-{n}"])
    assert terms["both"].headline_goods == {"gold", "silver"}
    assert not stories._goods_differ(terms["both"], gold)
    assert stories._goods_differ(terms["silver-0"], gold)
    # One good under its two names.
    assert terms["canola"].headline_goods == terms["rapeseed"].headline_goods == {"rapeseed"}


def test_a_goods_report_is_cut_from_a_story_whose_headlines_name_no_good_but_not_from_a_loaded_one():
    terms = stories.article_terms(_futures_reports() + [
        _row("financial", 9, "Sydney financial futures closed mixed as the dollar weakened.",
             "SYDNEY FINANCIAL FUTURES CLOSE MIXED")], [])
    financial = stories.StoryProfile("financial")
    financial.add(terms["financial"])
    assert stories._goods_differ(terms["gold-0"], financial)
    assert not stories._goods_differ(terms["financial"], financial)   # an article naming no good: no evidence
    loaded = stories.StoryProfile("loaded", count=3)                   # read back from the warehouse: no headlines
    loaded.terms[stories.WORD_KIND] = dict(terms["silver-0"].words)
    assert not stories._goods_differ(terms["gold-0"], loaded)


def test_a_loaded_story_without_headlines_or_years_is_never_cut():
    # A story read back from the warehouse has only its term profile: no evidence of what differs.
    terms = stories.article_terms(_ferries()[3:4], [])
    article = terms["ferry-2012-0"]
    loaded = stories.StoryProfile("loaded", count=3)
    loaded.terms[stories.WORD_KIND] = dict(article.words)
    assert not stories._headlines_differ(article, loaded)
    assert stories._years_apart(article, loaded) is None


# Results releases as the wires print them: the company only in the headline, a body of table rows whose
# labels the model reads as names ("cts" an organisation, "Revs" a person), in every release alike. Sixty
# of them: a label in every release of a day's wire is common, where in a run of five every name is.
RESULTS = "Shr {a} cts vs {b} cts\nNet {a},100,000 vs {b},200,000\nRevs {a}.5 mln vs {b}.1 mln\nAvg shrs 3,141,217"
NAMES = [first + last for first in ("BAR", "KEL", "MOR", "TUN", "VEX", "DOR", "LAM", "QUIN")
         for last in ("ADO", "ETH", "ISK", "ONA", "URB", "YLT", "ERO", "AKI")][:60]
COMPANIES = {f"co{n:02d}": f"{name} INDUSTRIES INC 4TH QTR NET" for n, name in enumerate(NAMES)}


def _results() -> tuple[list[dict], list[dict], list[dict]]:
    rows = [_row(key, n, RESULTS.format(a=21 + n, b=18 + n), title, MARCH_2) for n, (key, title) in
            enumerate(COMPANIES.items())]
    body = [{"article_id": key, "entity_id": entity, "label": label, "mentions": 2}
            for key in COMPANIES for entity, label in (("cts", "ORG"), ("Revs", "PERSON"))]
    headlines = [{"article_id": key, "entity_id": f"{key}-company"} for key in COMPANIES]
    return rows, body, headlines


def test_results_of_sixty_companies_in_the_same_table_words_are_sixty_stories():
    story = _stories(*_results())
    assert len(set(story.values())) == 60


def test_the_headlines_subject_is_what_tells_the_results_apart(monkeypatch):
    # The same table rows and the same row labels read as names: one story, but for the headline's company.
    monkeypatch.setattr(stories, "SUBJECT_CUT", 1.0)
    assert len(set(_stories(*_results()).values())) == 1


def test_a_headline_the_model_finds_no_name_in_is_told_by_its_rarest_word(monkeypatch):
    rows, body, _ = _results()
    assert len(set(_stories(rows, body).values())) == 60
    monkeypatch.setattr(stories, "HEADLINE_WORD_SUBJECT", False)
    assert len(set(_stories(rows, body).values())) == 1


def test_a_release_joins_the_story_whose_articles_name_its_company():
    rows, body, headlines = _results()
    rows.append(_row("co07-2", 99, RESULTS.format(a=28, b=25) + f"\n{NAMES[7].title()} Industries said orders rose.",
                     f"{NAMES[7]} INDUSTRIES INC 4TH QTR NET RISES ON ORDERS", MARCH_2))
    body.append({"article_id": "co07-2", "entity_id": "co07-company", "label": "ORG", "mentions": 1})
    story = _stories(rows, body, headlines)
    assert story["co07-2"] == story["co07"]
    assert len(set(story.values())) == 60


def test_a_body_that_names_someone_telling_is_judged_by_its_body_not_its_headline():
    # Two reports of one strike, the second's headline naming a union the first never names: its body
    # names the port the story names, so the headline's subject cuts nothing.
    rows = [_row("strike-1", 0, "Dockers at Piraeus walked out over pay, closing the port to ferries for a day.",
                 "Piraeus dockers strike", MARCH_2),
            _row("strike-2", 1, "The Piraeus dockers' walkout over pay kept ferries in port, the port authority said.",
                 "PENEN union walkout shuts port", MARCH_2)]
    body = [{"article_id": a, "entity_id": "piraeus", "label": "GPE", "mentions": 1} for a in ("strike-1", "strike-2")]
    headlines = [{"article_id": "strike-1", "entity_id": "piraeus"}, {"article_id": "strike-2", "entity_id": "penen"}]
    story = _stories(rows, body, headlines)
    assert story["strike-1"] == story["strike-2"]
