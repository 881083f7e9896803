"""Mentioned dates: articles in; every date expression of clean_text, resolved, out.

Each expression ("on Monday, August 23", "last Sunday", "August 2021", "in 2019", "yesterday")
is found by a pattern and read by dateparser against the article's publication date. A day
and month without a year take the year that puts them nearest the publication date (news
looks a few months back and ahead, not a year); a weekday alone is the last one before
publication. Granularity says what the text fixes: a month is stored as its first day.
Without a publication date only expressions that carry their own year are resolved.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import pyarrow as pa

DATE_MENTION_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("start_char", pa.int32()), ("end_char", pa.int32()), ("text", pa.string()),
    ("resolved_date", pa.date32()), ("granularity", pa.string()),
])
# What the date_mentions suite accepts: the patterns read years 1800-2099, relative dates move a year at most.
SANE_BOUNDS = {"earliest_mentioned_date": dt.date(1800, 1, 1), "latest_mentioned_date": dt.date(2100, 12, 31)}
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_RELATIVE = rf"(?:(?:last|next|this)\s+(?:{_WEEKDAY}|week|month|year)|yesterday|today|tomorrow)"
# Longest forms first: the regex engine takes the first alternative that matches.
DATE_EXPRESSION = re.compile(
    rf"(?<![\w-])(?:"
    rf"(?P<month_day>(?:(?:(?:last|next|this)\s+)?{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?)"
    rf"|(?P<day_month>(?:(?:(?:last|next|this)\s+)?{_WEEKDAY},?\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?)"
    rf"|(?P<iso>{_YEAR}-[01]\d-[0-3]\d)"
    rf"|(?P<month_year>{_MONTH},?\s+{_YEAR})"
    rf"|(?P<relative>{_RELATIVE}|{_WEEKDAY})"
    rf"|(?:(?:in|since|by|until|from|before|after|during|of)\s+)(?P<year>{_YEAR})"
    rf")(?![\w-])",
    re.IGNORECASE)
_LEADING_WEEKDAY = re.compile(rf"^(?:(?:last|next|this)\s+)?{_WEEKDAY},?\s+", re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def _parser(relative_base: dt.date | None):
    import dateparser

    settings = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if relative_base:
        settings["RELATIVE_BASE"] = dt.datetime.combine(relative_base, dt.time())
    return dateparser.DateDataParser(languages=["en"], settings=settings)


def _nearest_year(day: dt.date, published: dt.date) -> dt.date:
    """The same day and month in the year that puts it nearest the publication date."""
    candidates = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidates.append(day.replace(year=year))
        except ValueError:  # 29 February in a common year
            continue
    return min(candidates, key=lambda candidate: abs(candidate - published))


# Wire copy repeats its expressions ("1987", "March 3" in stories of one day): dateparser takes a
# millisecond for each, so equal questions get the answer once.
@functools.lru_cache(maxsize=16384)
def resolve(expression: str, kind: str, published: dt.date | None) -> tuple[dt.date | None, str]:
    """(resolved date, granularity) of one expression found as `kind`."""
    has_year = kind in ("iso", "month_year", "year") or bool(re.search(rf"{_YEAR}$", expression))
    if kind in ("month_day", "day_month"):
        expression = _LEADING_WEEKDAY.sub("", expression)  # the date, not its weekday, fixes the day
    granularity = {"month_year": "month", "year": "year"}.get(kind, "day")
    if not has_year and published is None:
        return None, granularity
    data = _parser(published if not has_year else None).get_date_data(expression)
    if data.date_obj is None:
        return None, granularity
    day, period = data.date_obj.date(), data.period or "day"
    if kind == "relative":
        granularity = period
    if kind in ("month_day", "day_month") and not has_year:
        day = _nearest_year(day, published)
    if granularity == "month":
        day = day.replace(day=1)
    elif granularity == "year":
        day = day.replace(month=1, day=1)
    return day, granularity


def find_date_mentions(article_id: str, text: str, published: dt.date | None) -> list[dict]:
    """Rows for every date expression of one article's text, in text order."""
    rows = []
    for match in DATE_EXPRESSION.finditer(text):
        kind = match.lastgroup
        start, end = match.span(kind)
        resolved, granularity = resolve(match.group(kind), kind, published)
        rows.append({"article_id": article_id, "start_char": start, "end_char": end, "text": text[start:end],
                     "resolved_date": resolved, "granularity": granularity})
    return rows


def date_mentions(articles: pa.Table) -> pa.Table:
    """Date mentions of every article of the batch."""
    rows = []
    for article in articles.select(["article_id", "clean_text", "published_date"]).to_pylist():
        rows.extend(find_date_mentions(article["article_id"], article["clean_text"], article["published_date"]))
    return pa.Table.from_pylist(rows, schema=DATE_MENTION_SCHEMA)
