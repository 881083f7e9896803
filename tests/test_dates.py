import datetime as dt

import pytest

from tasks.dates import (DateCandidate, PublicationDate, find_date_strings, find_dates_with_time, find_yearless_dates,
                         house_date_orders, numeric_date_order, parse_date, parse_time, resolve_publication)
from tests.conftest import resolve_publication_date

RUN_DATE = dt.date(2026, 11, 23)


@pytest.mark.parametrize("text, expected", [
    ("2021-08-23", dt.date(2021, 8, 23)),
    ("23 August 2021", dt.date(2021, 8, 23)),
    ("Friday, 27 August, 2021, 10:35 AM", dt.date(2021, 8, 27)),
    ("August 27, 2021", dt.date(2021, 8, 27)),
    ("Aug. 27, 2021", dt.date(2021, 8, 27)),
    ("27th August 2021", dt.date(2021, 8, 27)),
    ("13/02/2021", dt.date(2021, 2, 13)),     # only day-first reads
    ("02/13/2021", dt.date(2021, 2, 13)),     # only month-first reads
    ("03/04/2021", None),                     # both read: never guess
    ("31 February 2021", None),               # no such day
    ("1 January 1899", None),                 # before 1900
    ("1 January 2027", None),                 # after the run's day
])
def test_parse_date(text, expected):
    assert parse_date(text, RUN_DATE) == expected


def test_find_date_strings_needs_day_month_and_year():
    text = "on Monday, August 23, and last Sunday, August 15; in June 2020; Friday, 27 August, 2021, 10:35 AM"
    assert find_date_strings(text) == ["27 August, 2021"]


def test_published_line_beats_header_line():
    candidates = [DateCandidate("26 August 2021", "header line", 1),
                  DateCandidate("27 August 2021", "published line", 5)]
    assert resolve_publication_date(candidates, RUN_DATE) == (dt.date(2021, 8, 27), "published line (line 5)")


def test_unparseable_candidate_falls_through_to_the_next():
    candidates = [DateCandidate("31 February 2021", "published line", 2),
                  DateCandidate("23 August 2021", "header line", 3)]
    assert resolve_publication_date(candidates, RUN_DATE) == (dt.date(2021, 8, 23), "header line (line 3)")


def test_no_candidate_is_no_date():
    assert resolve_publication_date([], RUN_DATE) == (None, None)


@pytest.mark.parametrize("text, expected", [
    ("Posted 2021-08-27T10:35:00Z by staff", ["2021-08-27T10:35:00Z"]),
    ("2021-08-27T10:35:00+03:00", ["2021-08-27T10:35:00+03:00"]),
    ("Friday, 27 August, 2021, 10:35 AM", ["27 August, 2021, 10:35 AM"]),
    ("Aug. 27, 2021 3:45 p.m. ET | World", ["Aug. 27, 2021 3:45 p.m. ET"]),
    ("Published : Friday, 27 August, 2021 at 12:00 AM  Count : 169", ["27 August, 2021 at 12:00 AM"]),
    ("August 27, 2021 at 10:35 Moscow time", ["August 27, 2021 at 10:35"]),   # "Moscow" is no zone
    ("27th August 2021, updated 28 August 2021", ["27th August 2021", "28 August 2021"]),
])
def test_find_dates_with_time(text, expected):
    assert find_dates_with_time(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("2021-08-27T10:35:00Z", (dt.time(10, 35), "UTC")),
    ("2021-08-27T10:35:07+03:00", (dt.time(10, 35, 7), "+03:00")),
    ("27 August, 2021 at 12:00 AM", (dt.time(0, 0), None)),
    ("Aug. 27, 2021 3:45 p.m. ET", (dt.time(15, 45), "ET")),
    ("Aug 27, 2021 14:02 GMT", (dt.time(14, 2), "GMT")),
    ("Aug 27, 2021 13:45 p.m.", (None, None)),    # no 13 p.m.
    ("Aug 27, 2021 25:10", (None, None)),         # no such hour
    ("27 August 2021", (None, None)),
])
def test_parse_time(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["2021-02-31", "2021-13-01", "31 April 2021"])
def test_impossible_days_are_none(text):
    assert parse_date(text, RUN_DATE) is None


def test_ambiguous_numeric_date_reads_by_the_house_order_only():
    assert parse_date("03/04/2021", RUN_DATE) is None
    assert parse_date("03/04/2021", RUN_DATE, date_order="DMY") == dt.date(2021, 4, 3)
    assert parse_date("03/04/2021", RUN_DATE, date_order="MDY") == dt.date(2021, 3, 4)
    assert parse_date("13/02/2021", RUN_DATE, date_order="MDY") == dt.date(2021, 2, 13)  # the text wins
    assert numeric_date_order("13/02/2021") == "DMY" and numeric_date_order("02/13/2021") == "MDY"
    assert numeric_date_order("03/04/2021") is None and numeric_date_order("August 2021") is None


def test_house_date_orders_need_two_agreeing_unambiguous_dates():
    day_first = [DateCandidate("Published: 13/02/2021", "published line", 2)]
    month_first = [DateCandidate("02/14/2021", "header line", 1)]
    story = [DateCandidate("25/12/2020", "body", 9)]   # a date in the story is no vote
    orders = house_date_orders([("a", day_first), ("a", day_first), ("b", day_first), ("b", month_first),
                                ("c", day_first), ("c", story)])
    assert orders == {"a": "DMY"}


def test_house_order_resolves_with_lower_confidence():
    candidates = [DateCandidate("Published: 03/04/2021", "published line", 2)]
    assert resolve_publication(candidates, RUN_DATE) is None
    assert resolve_publication(candidates, RUN_DATE, date_order="DMY") == PublicationDate(
        dt.date(2021, 4, 3), None, None, "published line (line 2)", 0.75)


def test_resolved_date_carries_time_zone_and_confidence():
    candidates = [DateCandidate("Aug. 27, 2021 3:45 p.m. ET", "header line", 1),
                  DateCandidate("Aug 26", "dateline", 4)]
    assert resolve_publication(candidates, RUN_DATE) == PublicationDate(
        dt.date(2021, 8, 27), dt.time(15, 45), "ET", "header line (line 1)", 0.8)


def test_agreeing_sources_raise_confidence_and_disagreeing_lower_it():
    agree = [DateCandidate("27 August 2021", "published line", 3), DateCandidate("2021-08-27", "header line", 1)]
    disagree = [DateCandidate("27 August 2021", "published line", 3), DateCandidate("2021-08-20", "header line", 1)]
    assert resolve_publication(agree, RUN_DATE).confidence == 0.9
    assert resolve_publication(disagree, RUN_DATE).confidence == 0.65


def test_a_date_in_the_body_alone_is_never_the_publication_date():
    assert resolve_publication([DateCandidate("12 March 2019", "body", 3)], RUN_DATE) is None


@pytest.mark.parametrize("others, expected", [
    ([DateCandidate("03/04/2021", "header line", 1)], dt.date(2021, 8, 26)),   # the year reads, the day does not
    ([DateCandidate("August 26, 2021", "body", 3)], dt.date(2021, 8, 26)),     # same day, dateline's paragraph
    ([DateCandidate("August 26, 2021", "body", 5)], None),                     # same day, a later paragraph
    ([DateCandidate("March 1, 1989", "body", 3)], None),                       # another day
    ([], None),                                                                # no year anywhere
    ([DateCandidate("01/02/2020", "header line", 1), DateCandidate("01/02/2021", "published line", 2)], None),
])
def test_yearless_dateline_takes_the_year_only_from_the_article(others, expected):
    resolved = resolve_publication([DateCandidate("Aug 26", "dateline", 3)] + others, RUN_DATE)
    assert (resolved.date if resolved else None) == expected
    if resolved:
        assert resolved.source == "dateline (line 3)" and resolved.confidence == 0.6


def test_yearless_dateline_in_the_future_is_not_stored():
    candidates = [DateCandidate("Dec 24", "dateline", 2), DateCandidate("December 24, 2026", "body", 4)]
    assert resolve_publication(candidates, RUN_DATE) is None


def test_yearless_dates_are_found_only_without_a_year():
    assert find_yearless_dates("MOSCOW, Aug 26") == ["Aug 26"]
    assert find_yearless_dates("LONDON, 9 March") == ["9 March"]
    assert find_yearless_dates("PARIS, Aug 26, 2021") == []
