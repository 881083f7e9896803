import datetime as dt

import pyarrow as pa

from tasks.date_mentions import date_mentions, find_date_mentions


def _found(text: str, published: dt.date | None) -> list[tuple]:
    return [(r["text"], r["start_char"], r["resolved_date"], r["granularity"])
            for r in find_date_mentions("a", text, published)]


def test_the_seeds_dates_resolve_against_the_publication_date():
    # From the seeds, published 2021-08-21 and 2021-08-23.
    text = "The heads of CSTO would meet via video conference on Monday, August 23, to examine it."
    assert _found(text, dt.date(2021, 8, 21)) == [("Monday, August 23", 53, dt.date(2021, 8, 23), "day")]
    text = "The Taliban took control of the country last Sunday, August 15."
    assert _found(text, dt.date(2021, 8, 23)) == [("last Sunday, August 15", 40, dt.date(2021, 8, 15), "day")]


def test_relative_days_count_back_from_publication():
    text = "They met last Sunday and again yesterday; on Friday it rained. Last week was calm."
    assert _found(text, dt.date(2021, 8, 25)) == [
        ("last Sunday", 9, dt.date(2021, 8, 22), "day"), ("yesterday", 31, dt.date(2021, 8, 24), "day"),
        ("Friday", 45, dt.date(2021, 8, 20), "day"), ("Last week", 63, dt.date(2021, 8, 18), "week")]


def test_months_and_years_are_stored_as_their_first_day():
    text = "Sales fell in August 2021, lower than in 2019 and on 5 September 2021 and 2021-08-01."
    assert _found(text, None) == [
        ("August 2021", 14, dt.date(2021, 8, 1), "month"), ("2019", 41, dt.date(2019, 1, 1), "year"),
        ("5 September 2021", 53, dt.date(2021, 9, 5), "day"), ("2021-08-01", 74, dt.date(2021, 8, 1), "day")]


def test_a_day_without_a_year_takes_the_year_nearest_the_publication_date():
    assert _found("The vote is on December 28.", dt.date(2022, 1, 3)) == [
        ("December 28", 15, dt.date(2021, 12, 28), "day")]
    assert _found("The summit is on September 7.", dt.date(2021, 8, 25)) == [
        ("September 7", 17, dt.date(2021, 9, 7), "day")]
    assert _found("Born on February 29.", dt.date(2021, 3, 1)) == [
        ("February 29", 8, dt.date(2020, 2, 29), "day")]


def test_without_a_publication_date_only_dates_with_a_year_resolve():
    assert _found("On Monday, August 23, 2021 and on Sunday.", None) == [
        ("Monday, August 23, 2021", 3, dt.date(2021, 8, 23), "day"), ("Sunday", 34, None, "day")]


def test_words_that_only_look_like_dates_are_not_dates():
    assert _found("May I ask about the 2021 budget of March Group in 1700 and 12345?", dt.date(2021, 8, 25)) == []


def test_a_batch_gives_one_row_per_expression_with_its_article():
    articles = pa.table({"article_id": ["a", "b"], "clean_text": ["On Sunday.", "Nothing dated here."],
                         "published_date": pa.array([dt.date(2021, 8, 25), None], pa.date32())})
    assert date_mentions(articles).to_pylist() == [
        {"article_id": "a", "start_char": 3, "end_char": 9, "text": "Sunday", "resolved_date": dt.date(2021, 8, 22),
         "granularity": "day"}]
