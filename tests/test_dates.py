import datetime as dt

import pytest

from tasks.dates import DateCandidate, find_date_strings, parse_date, resolve_publication_date

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
