"""Mentioned dates: articles in; every date expression of clean_text, resolved, out.

Expressions are found by patterns over the text, not by the NER model's DATE label (which misses
bare months and years and takes durations for dates): calendar dates ("Monday, August 23",
"5 September 2021", "2021-08-01", "August 2021", "December", "1996"), weekdays ("Tuesday",
"last Friday"), dates counted from the publication day ("yesterday", "last month", "two years
ago", "earlier this year", "last October"), dates counted from another date of the sentence
("the next day") and periods ("the 1990s", "the first quarter").

Each is resolved as a careful reader of news would:
- a bare weekday, month or quarter in a past-tense clause is the most recent one up to the
  publication day; in a future-tense clause ("will", "is due to", "next") the coming one;
  "last", "this" and "next" say which as written;
- a day and month without a year take the year that puts them nearest the publication date;
- "the next day", "two days later" count from a day named earlier in the same sentence, else
  from the last day the article named before it.
Not dates, though they look like them: a table row's label and cell ("Jul  12-3/4", a line of
figures more than words), a contract month of a market report ("the May contract", "July wheat",
"July climbed", "Dec/Jul"; an article is a market report by its futures, contracts, deliveries and
prices per unit) and a year that names a body ("the 1922 committee").
The stored date is the first day of the period the expression names, with its granularity (day,
week, month, quarter, year, decade), and null where it needs a publication date the article
lacks. Durations ("three months") and sets ("every Monday") are not dates and are not stored.
`kind` says how the text names the date: absolute (a calendar date, month or year), relative
(counted from the publication day or another date), weekday, period (a decade or a quarter).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re

import pyarrow as pa

DATE_MENTION_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("start_char", pa.int32()), ("end_char", pa.int32()), ("text", pa.string()),
    ("resolved_date", pa.date32()), ("granularity", pa.string()), ("kind", pa.string()),
])
GRANULARITIES = ("day", "week", "month", "quarter", "year", "decade")
# What the date_mentions suite accepts: the patterns read years 1800-2099, relative dates move a few years at most.
SANE_BOUNDS = {"earliest_mentioned_date": dt.date(1800, 1, 1), "latest_mentioned_date": dt.date(2100, 12, 31)}

# How far (days) a day and month without a year may lie on the wrong side of the publication day
# for the clause's tense before the year the tense asks for is taken instead of the nearest.
TENSE_OVERRULES_NEAREST_DAYS = 60
MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}
WEEKDAYS = {name: number for number, name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": None, "few": None}
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
            "last": 4, "final": 4}

# Month names are case-sensitive: "march", "may" in lower case are a walk and a verb.
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_MONTH_ABBREVIATED = _MONTH + r"\.?"
_MONTH_FULL = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_UNIT = r"(?:day|week|month|year)"
_COUNT = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})"
_ORDINAL = r"(?:first|second|third|fourth|1st|2nd|3rd|4th|last|final)"
# Words that make a bare "May" (or any month name) a month: "in May", "since December", "early April".
_MONTH_CUE = (r"(?:in|since|until|till|by|from|before|after|during|between|and|or|to|through|early|late|mid|"
              r"last|next|this|(?:end|beginning|start|middle|rest|half|part|weeks?|days?)\s+of)")

# Longest forms first: the regex engine takes the first alternative that matches at a position.
DATE_EXPRESSION = re.compile(
    rf"(?:(?<![\w.,$£€#-])|(?<=[Mm]id-))(?:"
    rf"(?P<month_day>(?:(?:(?i:last|next|this)\s+)?{_WEEKDAY},?\s+)?{_MONTH_ABBREVIATED}\s+{_DAY}(?:\s*-\s*{_DAY})?(?:,?\s+{_YEAR})?)"
    rf"|(?P<day_month>(?:(?:(?i:last|next|this)\s+)?{_WEEKDAY},?\s+)?{_DAY}(?:\s*-\s*{_DAY})?\s+(?:of\s+)?{_MONTH_ABBREVIATED}(?:,?\s+{_YEAR})?)"
    rf"|(?P<iso>{_YEAR}-[01]\d-[0-3]\d)"
    rf"|(?P<month_year>{_MONTH_FULL}(?:\s+of)?,?\s+{_YEAR})"
    rf"|(?P<month_relative_year>{_MONTH_FULL}\s+(?:of\s+)?(?i:last|this|next)\s+year)"
    rf"|(?P<which_month>(?i:last|next|this)\s+{_MONTH_FULL})"
    rf"|(?P<quarter>(?i:(?:the\s+)?{_ORDINAL}\s+quarter(?:\s+of\s+(?:{_YEAR}|(?:last|this|next)\s+year))?"
    rf"|(?:last|this|next)\s+quarter))"
    rf"|(?P<decade>(?i:the\s+)?(?:(?i:early|mid|late)[\s-]+)?(?:1[89]|20)\d0'?s|(?i:the\s+)'[0-9]0s)"
    rf"|(?P<counted>(?i:{_COUNT}\s+{_UNIT}s?\s+(?:ago|earlier|later|before|after)))"
    rf"|(?P<anchored>(?i:the\s+(?:next|following|previous)\s+day|the\s+day\s+(?:before|after)|the\s+same\s+day"
    rf"|the\s+(?:previous|following)\s+(?:week|month|year)|the\s+(?:week|month|year)\s+before))"
    rf"|(?P<relative>(?i:(?:(?:earlier|later|early|late)\s+)?(?:last|next|this|(?:the\s+)?current|the\s+coming)\s+"
    rf"(?:week|month|(?:fiscal\s+|financial\s+)?year)|(?:the\s+)?(?:end|beginning|start|middle|rest)\s+of\s+(?:the|this)\s+(?:week|month|year)"
    rf"|yesterday|today|tomorrow))"
    rf"|(?P<weekday>(?:(?i:last|next|this|coming|past)\s+)?{_WEEKDAY})"
    rf"|(?P<year>(?<![$£€#]\s){_YEAR}(?:\s*[-/]\s*(?:\d\d|{_YEAR}))?)"
    rf"|(?P<month>{_MONTH_FULL})"
    # Not before a fraction ("Jul 12-3/4": a price), a decimal, a thousands group or a percentage.
    rf")(?![\w-]|[./]\d|,\d{{3}}|\s*%)")
# A figure in a table cell or a sentence: 12, 3-1/4, 1,850, 147.50, 6.9.
_FIGURE = re.compile(r"(?<![\w.,/-])\d[\d,./-]*(?![\w])")
_WORD = re.compile(r"[A-Za-z]+")
# Evidence that an article reports a market whose contracts are named by their delivery month.
_MARKET_ARTICLE = re.compile(r"\b(?:futures|contracts?|deliver(?:y|ies)|deferreds?|nearby|spreads?|bushels?|"
                             r"(?:bid|ask|offer)ed|settled|options|(?:dlrs|dollars|cents|pence|yen|marks)\s+(?:per|a)\s+"
                             r"(?!share|year|month|week|day)[a-z]+)\b", re.IGNORECASE)
MARKET_ARTICLE_CUES = 2
# A month that names a contract, not a time: "the May contract", "July wheat", "March shipment",
# "July climbed", "cause March to gain". Contract words and the things futures are traded in.
_CONTRACT_AFTER = re.compile(
    r"(?:/[A-Z][a-z]+)?\s+(?:contracts?|futures|options|calls?|puts?|deliver(?:y|ies)|shipments?|positions?|"
    r"spreads?|crush|wheat|corn|oats|barley|sorghum|rice|soy\w*|beans|meal|canola|rapeseed|palm|sugar|coffee|"
    r"cocoa|cotton|wool|rubber|lumber|cattle|feeders|hogs|bellies|pork|gold|silver|copper|platinum|palladium|"
    r"alumin\w+|nickel|zinc|tin|crude|oil|gasoline|heating|gas|bonds?|T-bonds?|notes|bills|eurodollars?|"
    r"sterling|yen|marks|francs|(?:was|were|is|are)\s+(?:up|down|off|unchanged|steady|firm|weak)|"
    r"to\s+(?:gain|lose|rise|fall)|(?:closing|opening|settling|pacing|leading|rising|falling|gaining|losing|easing|"
    r"firming)\b|(?:rose|fell|climbed|gained|lost|eased|firmed|dropped|slipped|advanced|declined|rallied|settled|closed|"
    r"ended|finished|traded|opened|jumped|tumbled|slumped|surged|paced|led|ran)\b)")
# A contract named outright: the month of delivery, whatever the article ("April/May delivery",
# "June 10-year bond futures", "March stock index futures").
_CONTRACT_NAMED_AFTER = re.compile(
    rf"(?:(?:\s*[/-]\s*|\s+(?:to|through|and|or)\s+|,\s*){_MONTH}\.?(?:\s+{_YEAR})?)*"   # "November to April 1987"
    r"(?:\s+(?:delivery|shipment)|(?:\s+[\w-]+){0,3}?\s+(?:contracts?|futures|options?)"
    r"|\s+(?:T-bonds?|T-bills?|T-notes?|[Ee]urodollars?)"   # "June T-bonds again failed": a contract by name
    # "July was up 13.1 cents at 6.785 dlrs": a month whose price moved is a contract in any article
    r"|\s+(?:was|were|closed|settled|ended|finished)\s+(?:up|down|off|unchanged)\s+[\d.,/-]+\s+"
    r"(?:cents?|cts|points?|dlrs?|dollars?|pence|stg))\b")
# A price quoted against a contract month: "offered at 17 over July", "25 cents under May".
_BASIS_BEFORE = re.compile(r"\d[\d./-]*\s+(?:(?:cents?|cts|points?)\s+)?(?:over|under|off)\s+$")
# Futures desks' words for a contract month: "spot April", "nearby June", "distant April".
_CONTRACT_BEFORE = re.compile(r"(?<![\w-])(?i:spot|nearby|distant|deferred|front|back|prompt)\s+$")
# Time words before a month ("in July prices rose"); "and", "or", "to" join months of either kind.
_TIME_CUE_BEFORE = re.compile(r"(?<![\w-])(?:in|since|until|till|by|from|before|after|during|between|early|late|"
                              r"mid|last|next|this|(?:end|beginning|start|middle|rest|half|part|weeks?|days?)\s+of)"
                              r"[\s-]+$", re.IGNORECASE)
# After a commodity, what makes the month that of a statistic ("January oil output"), not a contract's.
_STATISTIC_AFTER = re.compile(r"\s+(?:output|production|exports?|imports?|sales|stocks|figures|data|consumption|"
                              r"arrivals|crop|use|demand|supply|supplies)\b")
# A month that names a contract in a spread or a forward pair: "Dec/Jul", "June/July sold at".
_MONTH_PAIR = re.compile(rf"{_MONTH}/{_MONTH}|{_MONTH}/$")
# A year that names a body ("the 1922 committee", "the 1848 Society"), not the year itself.
_NAME_AFTER_YEAR = re.compile(r"[ \t]+(?i:committee|commission|club|society|association|movement|foundation|"
                              r"institute|brigade)\b")
# "since early January" looks back, whatever the clause's verb says.
_SINCE_BEFORE = re.compile(r"(?<![\w-])(?i:since)\s+(?:(?:early|late|mid)[\s-]+)?$")
# "a June election", "a December survey": the clause's verb is not the event's; the nearest such month is.
_INDEFINITE_BEFORE = re.compile(r"(?<![\w-])(?i:a|an)\s+$")
# A shipping or delivery window lies around the trade the clause reports ("bought corn for shipment in
# May to October", "laydays from June 20 through September 25", "for shipment in two parts in June and
# July"): the window is read as the nearest such month or day, not by the reporting verb's tense ("bought",
# "said" put May 1986 in an April 1987 report); the window's second end too. "Shipments in February rose"
# is a statistic, no window.
_FORWARD_WINDOW_BEFORE = re.compile(
    r"(?i:(?:for|of)\s+(?:shipment|delivery|loading|arrival)|laydays|lay days)\s+(?:(?:in|for|during|from|between|by|of|"
    r"two|three|equal|parts?)\s+)*(?:[\w/]+(?:\s+\d{1,2})?\s+(?:to|through|and|until|-)\s+)?$")
# The second end of a span of months or days ("May to October", "June 20 through September 25"): after the first.
_RANGE_END_BEFORE = re.compile(r"\s(?:to|through|until|till|-)\s+$")
_CLAUSE_END = re.compile(r"\s*(?:[.,;:!?)\"”]|$)")
_SET_BEFORE = re.compile(r"(?:every|each)\s+$", re.IGNORECASE)
_MONTH_CUE_BEFORE = re.compile(rf"(?<![\w-]){_MONTH_CUE}[\s-]+$", re.IGNORECASE)
_NAME_AFTER = re.compile(r"\s+[A-Z][a-z]")
_YEAR_AFTER = re.compile(rf",?\s+(?:{_YEAR}|(?:last|this|next)\s+year)\b")
# Sentence ends: ., ! or ? before a capital or quote, and paragraph breaks.
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+(?=[\"“'(]?[A-Z0-9])|\n\s*")
# Characters (a cue after the expression counts 1.5 each) beyond which a verb is another clause's.
TENSE_CUE_REACH = 80
# The verb forms that set a clause's time: future first, as "scheduled" would also read as past.
# Past forms without -ed (also participles: "will be held" is future, the auxiliary says so).
_IRREGULAR_PAST = (r"(?:told|met|took|made|came|went|gave|saw|held|left|won|lost|began|fell|rose|sent|spent|led|"
                   r"brought|thought|found|kept|became|ran|spoke|wrote|broke|chose|drove|flew|fought|threw|struck|"
                   r"sought|sold|paid|stood|meant|felt|got|shot|knew|grew|drew|bought|caught|taught|built|heard|"
                   r"sat|withdrew|hit|given|taken|seen|known|shown|chosen|broken|spoken|written|driven)")
# News writes what is scheduled in the present: "Iraq goes to the polls on Thursday".
_SCHEDULED_PRESENT = (r"(?:begins|starts|opens|closes|ends|resumes|meets|visits|arrives|leaves|flies|goes|travels|"
                      r"holds|hosts|faces|plays|takes\s+place|kicks\s+off)")
_PARTICIPLE = rf"(?:\s+(?:\w+ed|{_IRREGULAR_PAST}))?"
TENSE_CUE = re.compile(
    rf"\b(?:(?P<future>(?:will|shall|would|won't|wo|'ll|may|might|should|must)(?:\s+(?:not|also|then|still|be|have|been))*"
    rf"{_PARTICIPLE}|(?:is|are)\s+(?:expected|scheduled|due|set|planned)|{_SCHEDULED_PRESENT}|"
    rf"(?:due|set|expected|scheduled|going|plans?|planned|is|are)\s+to(?:\s+be)?{_PARTICIPLE}|"
    rf"scheduled|planned|next|coming|upcoming|until|tomorrow|ahead\s+of|starting|beginning)"
    rf"|(?P<past>said|was|were|had|did|ago|earlier|last|yesterday|\w+ed|{_IRREGULAR_PAST}))\b",
    re.IGNORECASE)


def first_day(day: dt.date, granularity: str) -> dt.date:
    """The first day of the period of `granularity` that holds `day`."""
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if granularity == "year":
        return dt.date(day.year, 1, 1)
    if granularity == "decade":
        return dt.date(day.year - day.year % 10, 1, 1)
    return day


def shift(day: dt.date, count: int, unit: str) -> dt.date:
    """`day` moved by `count` days, weeks, months or years (a month's last day where the day is missing)."""
    if unit == "day":
        return day + dt.timedelta(days=count)
    if unit == "week":
        return day + dt.timedelta(weeks=count)
    months = day.year * 12 + day.month - 1 + (count * 12 if unit == "year" else count * 3 if unit == "quarter" else count)
    year, month = divmod(months, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, last)
        except ValueError:
            continue
    raise ValueError(f"no day {day} + {count} {unit}")


def tense_of(text: str, start: int, end: int, sentence: tuple[int, int]) -> str | None:
    """'future' or 'past' by the nearest tense cue to text[start:end] within its sentence, else None.

    A cue before the expression ("said Tuesday", "will meet Tuesday") weighs a little more than
    one after it ("On Tuesday, the minister said").
    """
    best, best_distance = None, None
    for cue in TENSE_CUE.finditer(text, sentence[0], sentence[1]):
        if start <= cue.start() < end:
            continue
        distance = start - cue.end() if cue.end() <= start else (cue.start() - end) * 1.5
        if distance > TENSE_CUE_REACH:
            continue
        if best_distance is None or distance < best_distance:
            best, best_distance = cue.lastgroup, distance
    return best


def nearest_year(month: int, day: int, published: dt.date) -> dt.date | None:
    """The day and month in the year that puts it nearest the publication date."""
    candidates = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:  # 29 February in a common year, 31 April
            continue
    return min(candidates, key=lambda candidate: abs(candidate - published)) if candidates else None


def _by_tense(month_or_day: int, current: int, tense: str | None, cycle: int) -> int:
    """Steps back (negative) or ahead to the named month/weekday/quarter from the current one."""
    ahead = (month_or_day - current) % cycle
    if tense == "future":
        return ahead
    return ahead - cycle if ahead else 0


def _numbers(expression: str) -> list[int]:
    return [int(number) for number in re.findall(r"\d+", expression)]


def _calendar_day(expression: str, published: dt.date | None, tense: str | None) -> tuple[dt.date | None, str, str]:
    words = re.findall(r"[A-Za-z]+", expression)
    month = next(MONTHS[w.lower()] for w in words if w.lower() in MONTHS)
    numbers = [n for n in _numbers(expression) if n <= 31]
    years = [n for n in _numbers(expression) if n >= 1800]
    day = numbers[0]
    if years:
        try:
            return dt.date(years[0], month, day), "day", "absolute"
        except ValueError:
            return None, "day", "absolute"
    if published is None:
        return None, "day", "absolute"
    nearest = nearest_year(month, day, published)
    if nearest is None:
        return None, "day", "absolute"
    # A tense that contradicts the nearest year moves it a year, but only beyond a few weeks:
    # "the December 15 elections" ten days before is that December whatever the clause says.
    against = (nearest - published).days * (-1 if tense == "past" else 1 if tense == "future" else 0)
    if against < -TENSE_OVERRULES_NEAREST_DAYS:
        moved = nearest_year(month, day, nearest.replace(day=1, year=nearest.year + (1 if tense == "future" else -1)))
        return moved or nearest, "day", "absolute"
    return nearest, "day", "absolute"


def _month_named(lowered: str) -> int:
    """The month an expression opens with, whatever follows its name ("june, 2010", "march of 2009")."""
    return MONTHS[re.match(r"[a-z]+", lowered).group()]


def resolve(kind: str, expression: str, published: dt.date | None, tense: str | None,
            anchor: dt.date | None = None) -> tuple[dt.date | None, str, str] | None:
    """(date, granularity, kind) of one expression found as pattern `kind`; None when it is not a date.

    `published` anchors what counts from today; `anchor` (a day named before it in the sentence
    or article) what counts from another date.
    """
    lowered = " ".join(expression.lower().split())
    if kind in ("month_day", "day_month"):
        return _calendar_day(expression, published, tense)
    if kind == "iso":
        try:
            return dt.date.fromisoformat(expression), "day", "absolute"
        except ValueError:
            return None
    if kind == "year":
        return dt.date(_numbers(expression)[0], 1, 1), "year", "absolute"
    if kind == "month_year":
        return dt.date(_numbers(expression)[0], _month_named(lowered), 1), "month", "absolute"
    if kind == "decade":
        digits = _numbers(expression)[0]
        year = digits if digits >= 100 else 1900 + digits
        return dt.date(year, 1, 1), "decade", "period"
    if kind == "quarter":
        return _quarter(lowered, published, tense)
    if kind == "month_relative_year":
        month, which = _month_named(lowered), lowered.split()[-2]
        if published is None:
            return None, "month", "relative"
        year = published.year + {"last": -1, "this": 0, "next": 1}[which]
        return dt.date(year, month, 1), "month", "relative"
    if kind == "which_month":
        which, month = lowered.split()
        if published is None:
            return None, "month", "relative"
        steps = {"last": (MONTHS[month] - published.month) % 12 - 12 if MONTHS[month] != published.month else -12,
                 "next": (MONTHS[month] - published.month) % 12 or 12,
                 "this": MONTHS[month] - published.month}[which]
        return shift(first_day(published, "month"), steps, "month"), "month", "relative"
    if kind == "month":
        if published is None:
            return None, "month", "absolute"
        steps = _by_tense(MONTHS[lowered], published.month, tense, 12)
        if tense is None:  # no verb near it: the nearest such month, back or ahead
            steps = min(steps, steps + 12 if steps < 0 else steps - 12, key=lambda step: (abs(step), step > 0))
        return shift(first_day(published, "month"), steps, "month"), "month", "absolute"
    if kind == "weekday":
        return _weekday(lowered, published, tense)
    if kind == "relative":
        return _relative(lowered, published)
    if kind in ("counted", "anchored"):
        return _counted(kind, lowered, published, anchor)
    return None


def _quarter(lowered: str, published: dt.date | None, tense: str | None):
    years = _numbers(lowered)
    if lowered.startswith(("last quarter", "this quarter", "next quarter")):
        if published is None:
            return None, "quarter", "relative"
        steps = {"last": -1, "this": 0, "next": 1}[lowered.split()[0]]
        return first_day(shift(first_day(published, "quarter"), steps, "quarter"), "quarter"), "quarter", "relative"
    number = next(ORDINALS[w] for w in lowered.split() if w in ORDINALS)
    if years and years[-1] >= 1800:
        return dt.date(years[-1], 3 * number - 2, 1), "quarter", "period"
    if published is None:
        return None, "quarter", "period"
    if "year" in lowered:
        year = published.year + {"last": -1, "this": 0, "next": 1}[lowered.split()[-2]]
        return dt.date(year, 3 * number - 2, 1), "quarter", "period"
    if tense is None:  # no verb says which: the one of the publication year
        return dt.date(published.year, 3 * number - 2, 1), "quarter", "period"
    steps = _by_tense(number, (published.month - 1) // 3 + 1, tense, 4)
    return shift(first_day(published, "quarter"), steps, "quarter"), "quarter", "period"


def _weekday(lowered: str, published: dt.date | None, tense: str | None):
    *which, name = lowered.split()
    if published is None:
        return None, "day", "weekday"
    ahead = (WEEKDAYS[name] - published.weekday()) % 7
    which = which[0] if which else None
    if which == "last" or which == "past":
        steps = ahead - 7 if ahead else -7
    elif which in ("next", "coming"):
        steps = ahead or 7
    elif which == "this":
        steps = ahead if tense != "past" else (ahead - 7 if ahead else 0)
    else:
        steps = _by_tense(WEEKDAYS[name], published.weekday(), tense, 7)
    return published + dt.timedelta(days=steps), "day", "weekday"


def _relative(lowered: str, published: dt.date | None):
    words = lowered.split()
    if words[-1] in ("yesterday", "today", "tomorrow"):
        days = {"yesterday": -1, "today": 0, "tomorrow": 1}[words[-1]]
        return (published + dt.timedelta(days=days) if published else None), "day", "relative"
    unit = words[-1]
    steps = -1 if "last" in words else 1 if ("next" in words or "coming" in words) else 0
    if published is None:
        return None, unit, "relative"
    return first_day(shift(published, steps, unit), unit), unit, "relative"


def _counted(kind: str, lowered: str, published: dt.date | None, anchor: dt.date | None):
    words = lowered.split()
    unit = next(w.rstrip("s") for w in words if w.rstrip("s") in ("day", "week", "month", "year"))
    if kind == "counted":
        count = NUMBERS.get(words[0], None) if not words[0].isdigit() else int(words[0])
        if count is None:
            return None
        direction = -1 if words[-1] in ("ago", "earlier", "before") else 1
        base = published if words[-1] == "ago" else (anchor or (published if direction < 0 else None))
    else:
        count = 0 if "same" in words else 1
        direction = -1 if ("previous" in words or "before" in words) else 1
        base = anchor or (published if direction < 0 else None)
    if base is None:
        return None if published is not None else (None, unit, "relative")
    return first_day(shift(base, direction * count, unit), unit), unit, "relative"


def _sentence_bounds(text: str) -> list[int]:
    return [0] + [match.end() for match in SENTENCE_END.finditer(text)]


def _table_row(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] sits in a table row: a line of figures more than words ("Apr    4    54  dn    6").

    A month and a figure there are a row's label and a cell (a price, a quantity), never a day.
    """
    line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", end)
    rest = text[line_start:start] + " " + text[end:len(text) if line_end < 0 else line_end]
    figures = len(_FIGURE.findall(rest))
    words = sum(word.lower() not in MONTHS for word in _WORD.findall(rest))
    return figures >= 2 and figures >= words


def _table_header(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a cell of a table's header row: a line of three or more cells set
    apart by runs of spaces, without a figure, over a row of figures ("Deliverable  This Week  Week Ago
    Year Ago")."""
    line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    line = text[line_start:line_end]
    if _FIGURE.search(line) or len(re.split(r"\s{2,}|\t", line.strip())) < 3:
        return False   # a header is words: "3. Nov 1996  Sueno Kosan  600.00" is a row, its date a date
    following = next((line for line in text[line_end:].split("\n") if line.strip()), "")
    figures = len(_FIGURE.findall(following))
    return figures >= 2 and figures >= sum(word.lower() not in MONTHS for word in _WORD.findall(following))


def _contract_month(match: re.Match, kind: str, text: str) -> bool:
    """Whether a month names a futures or forward contract in a market report: followed by a contract
    word, a commodity or a price move ("the May contract", "July wheat", "July climbed"), paired with
    another month ("Dec/Jul", "June/July"), or a table row's label. A time word before it ("in July
    prices rose") makes it a time again, unless a contract word follows."""
    start, end = match.span(kind)
    before = text[max(0, start - 12):start]
    if _CONTRACT_BEFORE.search(before) or _BASIS_BEFORE.search(text[max(0, start - 24):start]):
        return True
    after = _CONTRACT_AFTER.match(text, end)
    if after and not _STATISTIC_AFTER.match(text, after.end()):
        # A thing traded follows ("in June T-bonds", "the May contract"), or a price move ("July climbed"),
        # which after a time word is the market's in that month ("in July rose"): a time.
        moved = re.match(r"(?:/[A-Z][a-z]+)?\s+(?:to\s+\w+|\w+ed|\w+ing|rose|fell|lost|led|ran|was|were|is|are)\b",
                         text[end:after.end()])
        if not moved or not _TIME_CUE_BEFORE.search(before):
            return True
    if re.search(r"\b(?:deliver(?:y|ies)|shipments?)\s+(?:in|for)\s+$", text[max(0, start - 24):start]):
        return True   # "light sweet crude for delivery in January" ("contracts in February" is a time: volume)
    if _TIME_CUE_BEFORE.search(before):
        return False
    if re.search(r"(?<![\w-])the\s+$", text[max(0, start - 5):start]) and \
            re.match(r"\s+(?:has|had|is|was|were|will|would)\b", text[end:end + 8]):
        return True   # "the March has been acting": a month is no subject with an article; a contract is
    window = max(0, start - 10)
    first = _MONTH_PAIR.search(text[window:start])
    if first and _MONTH_CUE_BEFORE.search(text[max(0, window + first.start() - 12):window + first.start()]):
        return False   # "in late March/April": a time span
    if re.search(r"(?:^|\n)[ \t]*[-*•][ \t]*$", text[max(0, start - 8):start]):
        return True   # " - March lower Mississippi River 112-1/2 pct bid": a quote list's row
    paired = first or \
        re.match(rf"(?:,?\s+(?:and\s+)?{_MONTH})?/{_MONTH}\b", text[end:end + 20])   # "July, Aug/Sept"
    return bool(paired) or _table_row(text, start, end)


def _is_date(kind: str, match: re.Match, text: str, market: bool = False) -> bool:
    """False for sets ("every Monday"), month names that are something else ("May I", "April Smith"),
    table cells ("Jul  12-3": a label and a price), contract months of a market report ("July wheat")
    and years that name a body ("the 1922 committee")."""
    start, end = match.span(kind)
    before = text[max(0, start - 12):start]
    if _table_header(text, start, end):
        return False   # a column's label: "This Week", "Year Ago"
    if kind in ("month_day", "day_month") and _table_row(text, start, end):
        return False   # a row's label and a cell: a contract month and a price
    if kind == "month" and not _MONTH_CUE_BEFORE.search(before) and _table_row(text, start, end):
        return False   # a row's label ("in November" in a wrapped line of figures is prose)
    if kind == "month" and (market and _contract_month(match, kind, text) or _CONTRACT_NAMED_AFTER.match(text, end)
                            and not _TIME_CUE_BEFORE.search(before)
                            or _BASIS_BEFORE.search(text[max(0, start - 24):start])):
        return False   # a contract month; a price quoted against one ("offered at 17 over July") in any article
    if kind == "year" and _NAME_AFTER_YEAR.match(text, end):
        return False
    if kind == "weekday" and _SET_BEFORE.search(before):
        return False
    if kind in ("counted", "anchored") and re.search(r"(?:before|after)$", match.group(kind), re.IGNORECASE):
        # "three days before the election" counts from an event, not a date: only "... the day before." is one.
        return bool(_CLAUSE_END.match(text, end))
    if kind == "month":
        if _MONTH_CUE_BEFORE.search(before) or _YEAR_AFTER.match(text, end):
            return True
        return match.group(kind) != "May" and not _NAME_AFTER.match(text, end)
    return True


def _anchor(named: list[tuple[str, dt.date]], unit: str) -> dt.date | None:
    """The last date named before, at `unit` or finer: "the previous month" counts from the last month or day named."""
    finer = GRANULARITIES[:GRANULARITIES.index(unit) + 1] if unit in GRANULARITIES else ("day",)
    return next((date for granularity, date in reversed(named) if granularity in finer), None)


def find_date_mentions(article_id: str, text: str, published: dt.date | None) -> list[dict]:
    """Rows for every date expression of one article's text, in text order."""
    rows, sentence_starts, named = [], None, []
    market = len(_MARKET_ARTICLE.findall(text)) >= MARKET_ARTICLE_CUES
    for match in DATE_EXPRESSION.finditer(text):
        kind = match.lastgroup
        if not _is_date(kind, match, text, market):
            continue
        start, end = match.span(kind)
        tense, anchor = None, None
        if kind in ("weekday", "month", "quarter", "month_day", "day_month"):
            sentence_starts = sentence_starts or _sentence_bounds(text)
            index = bisect.bisect_right(sentence_starts, start) - 1
            sentence = (sentence_starts[index], sentence_starts[index + 1] if index + 1 < len(sentence_starts) else len(text))
            tense = tense_of(text, start, end, sentence)
            if kind == "month" and _INDEFINITE_BEFORE.search(text[max(0, start - 4):start]):
                tense = None   # "pressure mounted to call a June election" (in April): that June, the nearest
            elif kind == "month" and _SINCE_BEFORE.search(text[max(0, start - 16):start]):
                tense = "past"     # "the drought since early January", whatever verb is near
            elif _FORWARD_WINDOW_BEFORE.search(text[max(0, start - 60):start]):
                tense = None   # "for shipment in May", "laydays from June 20": the nearest such day, not the verb's
        elif kind in ("counted", "anchored"):
            # Counted from the last date named before it: in the same sentence if there is one.
            unit = re.search(r"day|week|month|year", match.group(kind).lower()).group()
            anchor = _anchor(named, unit)
        resolved = resolve(kind, match.group(kind), published, tense, anchor)
        if resolved is None:
            continue
        date, granularity, how = resolved
        if date is not None and named and kind in ("month", "month_day", "day_month") and date < named[-1][1] \
                and _RANGE_END_BEFORE.search(text[max(0, start - 8):start]) and named[-1][1] - date < dt.timedelta(days=366):
            date = date.replace(year=date.year + 1)   # "from June 20 through September 25", "May to October": on
        if date is not None:
            named.append((granularity, date))
        rows.append({"article_id": article_id, "start_char": start, "end_char": end, "text": text[start:end],
                     "resolved_date": date, "granularity": granularity, "kind": how})
    return rows


def date_mentions(articles: pa.Table) -> pa.Table:
    """Date mentions of every article of the batch."""
    rows = []
    for article in articles.select(["article_id", "clean_text", "published_date"]).to_pylist():
        rows.extend(find_date_mentions(article["article_id"], article["clean_text"], article["published_date"]))
    return pa.Table.from_pylist(rows, schema=DATE_MENTION_SCHEMA)
