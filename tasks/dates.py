"""Publication dates: candidate date strings found by the cleaner in, one resolved date out.

The cleaner knows where each candidate sits (metadata, a "Published" line, the header, a
dateline, the body); this module parses them (strict ISO first, then dateparser) and keeps the
best-ranked one that is a real, plausible day, with the time and timezone it prints. Dates in
the body are evidence only: they give a yearless dateline ("MOSCOW, Aug 26:") its year, and
are never the publication date themselves. Unknown is an answer: no candidate, no date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

EARLIEST_DATE = dt.date(1900, 1, 1)

# Where a candidate was found, best first: a lower rank wins. An origin names the evidence itself
# ("meta:article:published_time", "json-ld", "url", "published line"); its kind ranks it. Body dates
# have no kind: evidence only. A modified date is a publication date only when nothing else is.
KIND_RANK = {"metadata": 0, "url": 1, "published line": 2, "header line": 3, "dateline": 4, "modified": 9}
# How often each kind alone is right (within a day, mediacloud-2020-pages and the wire dev sets); each
# other kind that agrees raises it, one that disagrees lowers it. The reliability table is in the README.
CONFIDENCE = {"metadata": 0.9, "url": 0.9, "published line": 0.85, "header line": 0.8, "dateline": 0.85,
              "modified": 0.5}
YEAR_FROM_ARTICLE_CONFIDENCE = 0.6
AGREEMENT_BONUS, DISAGREEMENT_PENALTY, HOUSE_ORDER_PENALTY = 0.05, 0.2, 0.1
MAX_CONFIDENCE = 0.99
HOUSE_ORDER_MIN_VOTES = 2   # unambiguous numeric dates a source must print before its order is trusted

MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
# Date strings that name a day, a month and a year; dateparser decides whether the day exists.
DATE_PATTERN = re.compile(
    rf"\b(?:\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|{_DAY}\s+(?:of\s+)?{MONTH}\.?,?\s+\d{{4}}"
    rf"|{MONTH}\.?\s+{_DAY},?\s+\d{{4}}"
    rf"|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{4}}"
    rf"|\d{{1,2}}-{MONTH}-\d{{4}})(?:\b|(?=T\d))",   # "2021-08-23T10:35": the T glues the time on
    re.IGNORECASE,
)
# A month and a day without a year, as datelines print them: "Aug 26", "March 9", "26 Aug".
YEARLESS_PATTERN = re.compile(rf"\b(?:{MONTH}\.?\s+{_DAY}|{_DAY}\s+{MONTH}\.?)\b(?!,?\s*\d{{4}})", re.IGNORECASE)
# What may follow a date: "T10:35:00Z", ", 10:35 AM", " at 12:00 AM", " 3:45 p.m. ET", " 14:02 +03:00".
TIME_AFTER_DATE = re.compile(
    r"(?:T|,?\s+(?:at\s+)?|,\s*)"
    r"(?P<clock>\d{1,2}[:.]\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]\.?\s?m\b\.?)?|\d{1,2}\s*[ap]\.?\s?m\b\.?)"
    r"(?:\s*(?P<zone>Z\b|[+-]\d{2}:?\d{2}\b|(?:GMT|UTC)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?|[A-Z]{2,4}\b))?",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"(\d{1,2})[:.]?(\d{2})?(?::(\d{2}))?(?:\.\d+)?\s*(?:([ap])\.?\s?m\.?)?", re.IGNORECASE)
# Timezone abbreviations a news page prints; an unknown capitalised word after a time is not a zone.
ZONES = {"Z", "UTC", "GMT", "ET", "EST", "EDT", "CT", "CST", "CDT", "MT", "MST", "MDT", "PT", "PST", "PDT",
         "BST", "CET", "CEST", "EET", "EEST", "MSK", "IST", "PKT", "JST", "KST", "AEST", "AEDT", "SGT", "HKT", "WIB"}
_NUMERIC = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_YEAR = re.compile(r"\d{4}")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARSER_SETTINGS = {"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"],
                    "RETURN_AS_TIMEZONE_AWARE": False}


def evidence_kind(origin: str) -> str | None:
    """The kind of evidence an origin names ("meta:dc.date" -> "metadata"), or None for a body date."""
    if origin.endswith("(modified)") or origin == "updated line":
        return "modified"
    if origin.startswith("meta:") or origin in ("metadata", "json-ld", "itemprop:datePublished", "record date"):
        return "metadata"
    if origin in ("time element", "date prefix"):
        return "published line"
    if origin == "page title":
        return "header line"
    return origin if origin in KIND_RANK else None


@dataclass(frozen=True)
class DateCandidate:
    """A date string and where the cleaner found it ("published line", line 4)."""

    text: str
    origin: str
    line_number: int | None = None

    @property
    def source(self) -> str:
        return self.origin if self.line_number is None else f"{self.origin} (line {self.line_number})"


@dataclass(frozen=True)
class PublicationDate:
    """The resolved publication date, the time and timezone where printed, and how it was found."""

    date: dt.date
    time: dt.time | None
    timezone: str | None
    source: str
    confidence: float


def find_date_strings(text: str) -> list[str]:
    """Every full date (day, month and year) printed in text, in order."""
    return [match.group(0) for match in DATE_PATTERN.finditer(text)]


def find_dates_with_time(text: str) -> list[str]:
    """Every full date printed in text, each with the time and timezone printed right after it."""
    found = []
    for match in DATE_PATTERN.finditer(text):
        after = TIME_AFTER_DATE.match(text, match.end())
        found.append(text[match.start():_time_end(after)] if after else match.group(0))
    return found


def find_yearless_dates(text: str) -> list[str]:
    """Month-and-day strings without a year ("Aug 26"), as a dateline prints them."""
    return [match.group(0) for match in YEARLESS_PATTERN.finditer(text)]


def date_time_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of text that are a full date with its time and timezone."""
    return [(m.start(), _time_end(TIME_AFTER_DATE.match(text, m.end())) or m.end()) for m in DATE_PATTERN.finditer(text)]


def _time_end(after: re.Match | None) -> int | None:
    """Where a time printed after a date ends: with its zone when the zone is one a news page prints."""
    if after is None:
        return None
    zone = after.group("zone")
    if zone and zone.upper().split()[0].rstrip("+-0123456789:") not in ZONES and zone[0] not in "+-":
        return after.end("clock")   # "10:35 AM Moscow": a word, not a zone
    return after.end()


def parse_date(text: str, run_date: dt.date, year: int | None = None, date_order: str | None = None) -> dt.date | None:
    """The day a date string names, or None if it is ambiguous, impossible or implausible.

    A yearless string ("Aug 26") is read only when the article gave its year; a numeric one that
    reads both ways (03/04/2021) only when its source's house order (date_order, "DMY" or "MDY") is known.
    """
    text = text.strip()
    if year is not None:
        text = f"{text} {year}"
    day = _parse_day(text, date_order)
    return day if day is not None and EARLIEST_DATE <= day <= run_date else None


def numeric_date_order(text: str) -> str | None:
    """"DMY" or "MDY" when a numeric date (13/02/2021, 02/13/2021) reads only one way, else None."""
    numeric = _NUMERIC.match(text.strip())
    if numeric is None:
        return None
    first, second = int(numeric.group(1)), int(numeric.group(2))
    if first > 12 >= second:
        return "DMY"
    if second > 12 >= first:
        return "MDY"
    return None


def house_date_orders(candidates_by_source: list[tuple[str, list[DateCandidate]]]) -> dict[str, str]:
    """Per source, the numeric date order its header dates show unambiguously, when they agree.

    A site prints its dates one way: 13/02 on one page tells how to read 03/04 on the next.
    """
    votes: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for source, candidates in candidates_by_source:
        for candidate in candidates:
            order = numeric_date_order(_date_part(candidate.text)) if evidence_kind(candidate.origin) else None
            if order:
                votes.setdefault(source, set()).add(order)
                counts[source] = counts.get(source, 0) + 1
    return {source: orders.pop() for source, orders in votes.items()
            if len(orders) == 1 and counts[source] >= HOUSE_ORDER_MIN_VOTES}


def _parse_day(text: str, date_order: str | None = None) -> dt.date | None:
    if _ISO.match(text):   # the strict pattern: no library needed, and no locale to guess
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    import dateparser  # imported here: its language data takes a moment to load

    settings = _PARSER_SETTINGS
    numeric = _NUMERIC.match(text)
    if numeric:
        first, second = int(numeric.group(1)), int(numeric.group(2))
        order = numeric_date_order(text) or (date_order if first != second else "DMY")
        if order is None:
            return None  # 03/04/2021: day-first and month-first both read; never guess
        settings = settings | {"DATE_ORDER": order}
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    return parsed.date() if parsed is not None else None


def parse_time(text: str) -> tuple[dt.time | None, str | None]:
    """The time of day and the timezone printed after a candidate's date, if any."""
    match = DATE_PATTERN.search(text)
    after = TIME_AFTER_DATE.match(text, match.end()) if match else None
    if after is None:
        return None, None
    clock = _CLOCK.fullmatch(after.group("clock").strip())
    if clock is None:
        return None, None
    hour, minute, second = int(clock.group(1)), int(clock.group(2) or 0), int(clock.group(3) or 0)
    if clock.group(4):
        if not 1 <= hour <= 12:
            return None, None
        hour = hour % 12 + (12 if clock.group(4).lower() == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None, None
    zone_end = _time_end(after)
    zone = after.group("zone") if zone_end == after.end() else None
    zone = "UTC" if zone and zone.upper() == "Z" else (zone.upper().replace(" ", "") if zone else None)
    return dt.time(hour, minute, second), zone


def resolve_publication(candidates: list[DateCandidate], run_date: dt.date,
                        date_order: str | None = None) -> PublicationDate | None:
    """The best-ranked candidate that parses to a plausible day, with its time and confidence; else None.

    Confidence starts from how reliable the candidate's kind is; each other kind of evidence that
    agrees within a day (time zones) raises it, any that disagrees lowers it.
    """
    ranked = sorted((c for c in candidates if evidence_kind(c.origin)), key=lambda c: KIND_RANK[evidence_kind(c.origin)])
    days = {c: parse_date(_date_part(c.text), run_date, date_order=date_order)
            for c in ranked if find_date_strings(c.text)}
    for candidate in ranked:
        kind = evidence_kind(candidate.origin)
        day, confidence = days.get(candidate), CONFIDENCE[kind]
        if day is None and kind == "dateline":
            day, confidence = _dateline_with_article_year(candidate, candidates, run_date)
        if day is None:
            continue
        if parse_date(_date_part(candidate.text), run_date) is None and kind != "dateline":
            confidence -= HOUSE_ORDER_PENALTY   # read by its source's house order, not by itself
        others = {}
        for other, other_day in days.items():
            other_kind = evidence_kind(other.origin)
            if other_day and other_kind not in (kind, "modified"):
                others.setdefault(other_kind, set()).add(abs((other_day - day).days) <= 1)
        if any(False in agreements for agreements in others.values()):
            confidence -= DISAGREEMENT_PENALTY
        else:
            confidence = min(MAX_CONFIDENCE, confidence + AGREEMENT_BONUS * len(others))
        time, zone = parse_time(candidate.text)
        return PublicationDate(day, time, zone, candidate.source, round(confidence, 2))
    return None


def _date_part(text: str) -> str:
    match = DATE_PATTERN.search(text)
    return match.group(0) if match else text


def _dateline_with_article_year(dateline: DateCandidate, candidates: list[DateCandidate],
                                run_date: dt.date) -> tuple[dt.date | None, float]:
    """A yearless dateline read with the one year the article gives it, else None.

    The year comes from a header, "Published" line or metadata date (even one that reads two
    ways, 03/04/2021: its year is plain), or from a date on the dateline's own month and day in the
    dateline's paragraph. A date elsewhere in the body (a bond "due March 2, 1989") says nothing of
    the year the story was filed in.
    """
    yearless = find_yearless_dates(dateline.text)
    if find_date_strings(dateline.text) or not yearless:
        return None, 0.0
    years = {int(_YEAR.search(_date_part(c.text)).group(0)) for c in candidates
             if evidence_kind(c.origin) and c is not dateline and find_date_strings(c.text)}
    for body in (c for c in candidates if c.origin == "body" and c.line_number == dateline.line_number
                 and find_date_strings(c.text)):
        day = parse_date(_date_part(body.text), run_date)
        if day is not None and parse_date(yearless[0], run_date, year=day.year) == day:
            years.add(day.year)
    if len(years) != 1:
        return None, 0.0   # no year given, or several: never guess
    return parse_date(yearless[0], run_date, year=years.pop()), YEAR_FROM_ARTICLE_CONFIDENCE
