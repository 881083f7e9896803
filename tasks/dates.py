"""Publication dates: candidate date strings found by the cleaner in, one resolved date out.

The cleaner knows where each candidate sits (metadata, a "Published" line, the header, a
dateline); this module parses them with dateparser and keeps the best-ranked one that is a
real, plausible day. Unknown is an answer: no candidate, no date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

EARLIEST_DATE = dt.date(1900, 1, 1)

# Where a candidate was found, best first: a lower rank wins.
RANK = {"metadata": 0, "published line": 1, "date prefix": 1, "header line": 2, "dateline": 3}

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
# Date strings that name a day, a month and a year; dateparser decides whether the day exists.
DATE_PATTERN = re.compile(
    rf"\b(?:\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?"
    rf"|{_DAY}\s+(?:of\s+)?{_MONTH}\.?,?\s+\d{{4}}"
    rf"|{_MONTH}\.?\s+{_DAY},?\s+\d{{4}}"
    rf"|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{4}}"
    rf"|\d{{1,2}}-{_MONTH}-\d{{4}})\b",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_PARSER_SETTINGS = {"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"],
                    "RETURN_AS_TIMEZONE_AWARE": False}


@dataclass(frozen=True)
class DateCandidate:
    """A date string and where the cleaner found it ("published line", line 4)."""

    text: str
    origin: str
    line_number: int | None = None

    @property
    def source(self) -> str:
        return self.origin if self.line_number is None else f"{self.origin} (line {self.line_number})"


def find_date_strings(text: str) -> list[str]:
    """Every full date (day, month and year) printed in text, in order."""
    return [match.group(0) for match in DATE_PATTERN.finditer(text)]


def parse_date(text: str, run_date: dt.date) -> dt.date | None:
    """The day a full date string names, or None if it is ambiguous, impossible or implausible."""
    import dateparser  # imported here: its language data takes a moment to load

    numeric = _NUMERIC.match(text.strip())
    if numeric:
        first, second = int(numeric.group(1)), int(numeric.group(2))
        if first <= 12 and second <= 12 and first != second:
            return None  # 03/04/2021: day-first and month-first both read; never guess
        order = "DMY" if first > 12 else "MDY"
        parsed = dateparser.parse(text, languages=["en"], settings=_PARSER_SETTINGS | {"DATE_ORDER": order})
    else:
        parsed = dateparser.parse(text, languages=["en"], settings=_PARSER_SETTINGS)
    if parsed is None:
        return None
    day = parsed.date()
    return day if EARLIEST_DATE <= day <= run_date else None


def resolve_publication_date(candidates: list[DateCandidate], run_date: dt.date) -> tuple[dt.date | None, str | None]:
    """(published_date, date_source) from the best-ranked candidate that parses, else (None, None)."""
    for candidate in sorted(candidates, key=lambda c: RANK[c.origin]):
        day = parse_date(candidate.text, run_date)
        if day is not None:
            return day, candidate.source
    return None, None
