import datetime as dt

import pyarrow as pa
import pytest

from tasks.clean import clean_article, clean_documents
from tasks.dates import resolve_publication_date
from tasks.ingest import DOCUMENT_SCHEMA
from tests.conftest import SEEDS

RUN_DATE = dt.date(2026, 11, 23)

# Lines of the seeds that are not the story, and must not be in clean_text.
SEED_JUNK = {
    "000": ["(Image: AP)"],
    "001": ["Image Credit: AP"],
    "002": ["23 August 2021", 'GSV "Russia - Islamic World"',
            "Photo: official website of the President of the Russian Federation", "Based on materials from TASS"],
    "003": ["Share Here", "L&T Superstores Shop For Your Amazing Products Today", "No Comment."],
    "004": ["Friday, 27 August, 2021, 10:35 AM", "Published : Friday, 27 August, 2021 at 12:00 AM  Count : 169",
            "photo : AFP", "-REUTERS", "MOSCOW, Aug 26:"],
}
SEED_DATES = {"000": dt.date(2021, 8, 23), "001": dt.date(2021, 8, 21), "002": dt.date(2021, 8, 23),
              "003": None, "004": dt.date(2021, 8, 27)}
SEED_TITLES = {
    "000": None, "001": None,
    "002": "Putin to discuss the situation in Afghanistan at a session of the CSTO Collective Security Council",
    "003": "Afghanistan: Russian President, Vladimír Putin fires warning to Asian countries following Taliban takeover",
    "004": "Russia to supply weapons to Afghan neighbours",
}


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.mark.parametrize("prefix", sorted(SEED_JUNK))
def test_seed_junk_is_gone_and_every_story_line_is_kept(prefix):
    raw = _seed(prefix)
    article = clean_article(raw)
    for junk in SEED_JUNK[prefix]:
        assert junk not in article.clean_text
    for line in raw.replace("\u00a0", " ").split("\n"):
        line = line.strip().removeprefix("date 2021-08-23 ").removeprefix("date 2021-08-21 ")
        line = line.removeprefix("MOSCOW, Aug 26: ").removesuffix("    -REUTERS").removesuffix(" photo : AFP")
        if line and line not in SEED_JUNK[prefix] and line != article.title:
            assert line in article.clean_text, line


@pytest.mark.parametrize("prefix", sorted(SEED_DATES))
def test_seed_publication_dates(prefix):
    article = clean_article(_seed(prefix))
    assert resolve_publication_date(article.date_candidates, RUN_DATE)[0] == SEED_DATES[prefix]


@pytest.mark.parametrize("prefix", sorted(SEED_TITLES))
def test_seed_titles(prefix):
    assert clean_article(_seed(prefix)).title == SEED_TITLES[prefix]


def test_fields_taken_from_the_text():
    raw = ("Friday, 27 August, 2021, 10:35 AM\nRussia to supply weapons\n\nBy Jane Doe\n\n"
           "Published : Friday, 27 August, 2021 at 12:00 AM  Count : 169\n"
           "Forces prepare an artillery gun. photo : AFP\n"
           "MOSCOW, Aug 26: Russia said Thursday it has received orders.\n"
           "Peskov told a briefing.    -REUTERS\n")
    article = clean_article(raw)
    assert article.title == "Russia to supply weapons"
    assert article.byline == "Jane Doe"
    assert article.dateline == "MOSCOW, Aug 26"
    assert article.credits == ["photo : AFP", "REUTERS"]
    assert article.clean_text == ("Forces prepare an artillery gun.\n\n"
                                  "Russia said Thursday it has received orders.\n\nPeskov told a briefing.")
    assert resolve_publication_date(article.date_candidates, RUN_DATE) == (dt.date(2021, 8, 27),
                                                                           "published line (line 6)")


def test_glued_date_prefix_is_a_date_not_text():
    article = clean_article(" date 2021-08-23 Following the takeover, Russia is ready.\n")
    assert article.clean_text == "Following the takeover, Russia is ready."
    assert resolve_publication_date(article.date_candidates, RUN_DATE) == (dt.date(2021, 8, 23),
                                                                           "date prefix (line 1)")


def test_a_date_in_the_story_is_not_the_publication_date():
    article = clean_article("Talks were held on 12 March 2019 in Geneva, officials said.\n")
    assert resolve_publication_date(article.date_candidates, RUN_DATE) == (None, None)


def test_future_publication_date_is_not_stored():
    article = clean_article("Published: 1 January 2031\nThe story itself, told in a sentence.\n")
    assert resolve_publication_date(article.date_candidates, RUN_DATE) == (None, None)


def test_metadata_date_and_title_hints_win():
    article = clean_article("Headline\nThe story.\n", title_hint="Headline", date_hint="2020-05-04")
    assert article.title == "Headline"
    assert article.clean_text == "The story."
    assert resolve_publication_date(article.date_candidates, RUN_DATE) == (dt.date(2020, 5, 4), "metadata")


def test_boilerplate_only_text_cleans_to_nothing():
    assert clean_article("Share Here\nAdvertisement\nNo Comment.\n").clean_text == ""


def test_clean_documents_row():
    documents = pa.Table.from_pylist([{
        "article_id": "a1", "source_path": "x.txt", "record_index": None, "source_format": "txt",
        "encoding": "utf-8", "raw_text": "23 August 2021\nThe story, in one sentence.\n(Image: AP)\n",
        "title_hint": None, "date_hint": None, "input_order": 7}], schema=DOCUMENT_SCHEMA)
    row = clean_documents(documents, RUN_DATE).to_pylist()[0]
    assert row["clean_text"] == "The story, in one sentence."
    assert row["published_date"] == dt.date(2021, 8, 23)
    assert row["date_source"] == "header line (line 1)"
    assert row["credits"] == "Image: AP"
    assert row["word_count"] == 5
    assert row["input_order"] == 7
