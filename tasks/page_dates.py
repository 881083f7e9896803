"""Publication-date evidence in an HTML page: the dates a page states about its own article, each
named by where it was found; tasks/dates.py ranks them.

Read, as htmldate's fast mode reads them (its attribute lists, URL and date parsers are reused):
<meta> tags (`meta:article:published_time`, Dublin Core, Parsely, sailthru...), JSON-LD
`datePublished`, microdata `itemprop="datePublished"`, the date in the canonical or og:url path,
and the article header: a `<time datetime>` or a line that is only a date (maybe with a
"Published" label, or a section, author or place ended by a separator) printed beside the headline,
before the body starts (a standfirst, a poll, a "related" box, a photo gallery or share buttons may
come between); an element named for the date ("byline", "created_at", "fecha") just above the
headline; without a headline, the first such element before the body; as a last resort, a part of
the <title> that is only a date. Never read: running text, links, scripts other than JSON-LD,
anything after the body starts (comments, "related" lists, ads), photo captions. A date without its
day (a year, a month) is no evidence. Persian pages' Solar Hijri dates are converted (convertdate).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

# Origins, as date_source shows them (a meta tag's origin carries its name: "meta:dc.date").
JSON_LD, MICRODATA, URL, TIME_ELEMENT = "json-ld", "itemprop:datePublished", "url", "time element"
PUBLISHED_LINE, HEADER_LINE, MODIFIED = "published line", "header line", " (modified)"
TITLE = "page title"    # ranked as a header line (tasks/dates.py): the title is printed at the head of the page
# What separates a title's parts: the headline, the date, the site's name.
_TITLE_PARTS = re.compile(r"\s[|–—-]\s|[|｜()（）]|\s-$|^-\s")

_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?=$|[T ]\d|\s)")
# A date in a URL path: /2020/01/13/, -2020-01-13-, _20200113 (htmldate's pattern plus the compact form).
_URL_DATE = re.compile(r"(?<=[/_-])((?:19|20)\d{2})([/_-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?=[/_.-]|$)")
_YEAR = re.compile(r"(?<!\d)(?:19[5-9]\d|20[0-4]\d)(?!\d)")
# Label words before a date in an article header, in the languages news sites print most.
# With the word after it that says "on": "Publicado el 27 Marzo, 2020", "Veröffentlicht am 3. Mai 2020".
_PUBLISHED_LABEL = re.compile(r"(?i)^\W*(published|posted|first published|publicado|publié|veröffentlicht|"
                              r"pubblicato|opublikowano|publicerad|julkaistu|опубликовано|yayınlanma|تاریخ انتشار|تم نشره|نشر في|نشر بتاريخ)"
                              r"(?:\s+(?:on|el|le|am|il|em|op|dnia|den))?\b")
_UPDATED_LABEL = re.compile(r"(?i)\b((?:last\s+)?updated?|modified|actualizado|mis à jour|aktualisiert|aggiornato|"
                            r"zaktualizowano|päivitetty|обновлено|güncelleme)\b")
# What a date line may print besides the date: weekday, time, timezone, separators.
_FILLER = re.compile(r"(?i)\b(mon|tues|wednes|thurs|fri|satur|sun)day\b|\b(mon|tue|wed|thu|fri|sat|sun)\b\.?|"
                     r"\d{1,2}[:.h]\d{2}(:\d{2})?\s*([ap]\.?m\.?)?|\b(at|on|um|à|às|a las|alle|klo|uhr|gmt|utc|"
                     r"[ecmp][sd]?t|bst|cet|cest|msk|ist|[ap]\.?m\.?)\b|[+-]\d{1,2}(:?\d{2})?|[|,:/()\-–—.·•]")
# A time after a date, which dateparser's strict mode will not read in every language ("…de 2020, 10h51").
_CLOCK_AFTER = re.compile(r"(?i)[,|\s]*(?:\b(?:kl|um|à|às|a las|alle|at)\.?\s*)?\d{1,2}[:h.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?|uhr|h)?\W*$")
# A date as Chinese, Japanese and Korean pages print it: year, month and day, each with its sign.
_CJK_DATE = re.compile(r"(?<!\d)(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")
# A Solar Hijri (Jalali) date as Persian pages print it: "۲۹ بهمن ۱۳۹۸", "1398/11/29" (digits made ASCII first).
_JALALI_MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
_JALALI_DATE = re.compile(rf"(?<!\d)(?:(\d{{1,2}})\s*({'|'.join(_JALALI_MONTHS)})\s*(1[34]\d\d)|"
                          r"(1[34]\d\d)[/.-](\d{1,2})[/.-](\d{1,2}))(?!\d)")
# Persian and Arabic digits as ASCII ones, and the Arabic forms of yeh and kaf that Persian pages print
# as often as the Persian ones ("ارديبهشت", "تير").
_TO_ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩يك", "01234567890123456789یک")
# Arabic pages print a month by both its names, the Levantine first: "24 نيسان / أبريل 2020". dateparser
# reads the second; pages that declare no language are read as Arabic when they print its script.
_LEVANTINE_MONTH = re.compile(r"(?:كانون الثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين الأول|تشرين الثاني|"
                              r"كانون الأول)\s*/\s*")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
# Where a page prints its article's date: an element named for it ("created_at", "byline", "fecha").
# A site's own date ("site_date", "today", a clock) names the day it was read, not the article's.
_DATE_PLACE = re.compile(r"(?i)date|time|publi|posted|created|byline|datum|fecha|data|zeit|tarih")
_NOT_ARTICLE_DATE_PLACE = re.compile(r"(?i)today|current|site|clock|weather|header__|masthead|topbar|top-bar")
# What a header line may print before its date besides a label: a section, an author, a place,
# ended by a separator ("Erhverv - 02. januar 2020", "| TNN | Apr 7, 2020", "Name / Delhi February 14, 2020").
_LEAD_SEPARATOR = re.compile(r"\s[|/–—·•-]\s|^\s*\|")
# Words before a date that make it another thing's date: a member's, a birthday, a copyright.
_OTHER_THING_LABEL = re.compile(r"(?i)joined|member|born|since|seit|desde|copyright|©|event|deadline|expires")
LEAD_MAX_WORDS = 5
PLACE_MAX_WORDS = 2
HEADER_ZONE_BEFORE = 3      # text pieces before the headline that still belong to its header
DATE_PLACE_BEFORE = 12      # ... and those in which an element named for the date still dates it (a toolbar between)
HEADER_ZONE_AFTER = 12      # text pieces after it, at most, before the body starts
BODY_WORDS = 25             # a text piece this long is the body: the header has ended
LINKED_DATE_MAX_WORDS = 6  # a permalink printed as the date: "July 3, 2020 at 10:15"
DATE_LINE_MAX_WORDS = 12    # a header line longer than this is a sentence, not a date line
_SKIPPED = {"script", "style", "noscript", "template", "svg", "button", "select", "form", "nav", "iframe"}


@dataclass(frozen=True)
class PageDate:
    """A date string the page states and where: ("2020-01-13T17:04:34+03:00", "meta:datepublished")."""

    text: str
    origin: str


def page_date_evidence(html: str, url: str | None = None) -> list[PageDate]:
    """Every publication-date statement of an HTML page, in the page's order within each kind."""
    from htmldate.utils import load_html  # imported here: lxml and htmldate only for HTML inputs

    tree = load_html(html)
    if tree is None:
        return []
    language = _language(tree)
    evidence = _meta_dates(tree) + _json_ld_dates(tree) + _microdata_dates(tree)
    urls = [url] if url else []
    urls += [link.get("href") for link in tree.iterfind('.//link[@rel="canonical"]')]
    urls += [meta.get("content") for meta in tree.iterfind('.//meta[@property="og:url"]')]
    evidence += [found for found in (url_date(u) for u in urls if u) if found][:1]
    header = _header_dates(tree, language)
    evidence += header or _title_dates(tree, language)
    return evidence


def _title_dates(tree, language: str) -> list[PageDate]:
    """A part of the page's <title> that is only a date ("… （2020年2月15日）｜BIGLOBEニュース", "… - 23/06/2020 -"):
    some sites print the article's date there and nowhere else. A date inside the title's words
    ("What happened on June 4, 1989") is a topic, not the page's date."""
    title = tree.findtext(".//title") or ""
    for part in _TITLE_PARTS.split(title):
        date = _visible_date(part, language) if part.strip() and len(part.split()) <= DATE_LINE_MAX_WORDS else None
        if date:
            return [PageDate(date, TITLE)]
    return []


def _language(tree) -> str:
    """The page's language as declared (html lang, content-language, og:locale), lower case: "en-us", "de", ""."""
    declared = [tree.get("lang") or ""]
    declared += [m.get("content") or "" for m in tree.xpath('.//meta[@http-equiv="content-language" or @property="og:locale"]')]
    return next((lang.strip().lower().replace("_", "-") for lang in declared if lang.strip()), "")


def url_date(url: str) -> PageDate | None:
    """The day a URL path names (/2020/01/13/, -20200113), or None: a year or a month alone is no day."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url.strip(), flags=re.IGNORECASE).split("?")[0]
    for match in _URL_DATE.finditer(path):
        day = _day(int(match.group(1)), int(match.group(3)), int(match.group(4)))
        if day:
            return PageDate(day.isoformat(), URL)
    return None


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _machine_date(value: str | None) -> str | None:
    """A machine-readable date (ISO 8601, or what htmldate reads in an attribute) as an ISO string."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if _ISO_DAY.match(value):
        return value if _day(*map(int, _ISO_DAY.match(value).groups())) else None
    return _visible_date(value, "")


def _meta_dates(tree) -> list[PageDate]:
    from htmldate.core import DATE_ATTRIBUTES, ITEMPROP_ATTRS_MODIFIED, NAME_MODIFIED, PROPERTY_MODIFIED

    published_names = (DATE_ATTRIBUTES - {"meta", "timestamp", "gentime", "release_date", "video:release_date"}) \
        | {"datepublished", "datecreated"}
    modified_names = NAME_MODIFIED | PROPERTY_MODIFIED | ITEMPROP_ATTRS_MODIFIED
    found = []
    for meta in tree.iterfind(".//meta"):
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            name = (meta.get(attribute) or "").strip().lower()
            if name in published_names or name in modified_names:
                date = _machine_date(meta.get("content") or meta.get("datetime"))
                if date:
                    suffix = "" if name in published_names else MODIFIED
                    found.append(PageDate(date, f"meta:{name}{suffix}"))
                break
    return found


def _json_ld_dates(tree) -> list[PageDate]:
    """datePublished (else dateCreated) of the page's own article in its JSON-LD; dateModified as a last resort."""
    found = []
    for thing in json_ld_things(tree):
        for key, suffix in (("datePublished", ""), ("dateCreated", ""), ("dateModified", MODIFIED)):
            date = _machine_date(thing.get(key)) if isinstance(thing.get(key), str) else None
            if date:
                found.append(PageDate(date, f"{JSON_LD}{suffix}" if not suffix else f"{JSON_LD} dateModified{suffix}"))
                if not suffix:
                    break
    # The page's own article is the thing of an article type; a list of other articles is not it.
    return sorted(found, key=lambda d: d.origin.endswith(MODIFIED))


def json_ld_things(tree):
    """The JSON-LD objects of the page's scripts that describe the page itself (`_json_things`)."""
    for script in tree.xpath('.//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (json.JSONDecodeError, RecursionError):
            continue
        yield from _json_things(data)


def _json_things(data, depth: int = 0):
    """The JSON-LD objects that describe the page itself: top level, in @graph, or as mainEntity."""
    if depth > 3 or data is None:
        return
    if isinstance(data, list):
        for item in data:
            yield from _json_things(item, depth + 1)
    elif isinstance(data, dict):
        kind = " ".join(data["@type"]) if isinstance(data.get("@type"), list) else str(data.get("@type", ""))
        if not re.search(r"(?i)list|breadcrumb|organization|person|website|imageobject|videoobject", kind):
            yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(data.get(key), (dict, list)):
                yield from _json_things(data[key], depth + 1)


def _microdata_dates(tree) -> list[PageDate]:
    found = []
    for element in tree.xpath('.//*[@itemprop="datePublished"][not(self::meta)]'):
        if _in_other_item(element):
            continue
        date = _machine_date(element.get("datetime") or element.get("content")) or \
            _visible_date(element.text_content(), _language(tree))
        if date:
            found.append(PageDate(date, MICRODATA))
    return found[:1]


def _in_other_item(element, links: bool = True, shared=frozenset()) -> bool:
    """Whether an element sits in a comment, a "related" list, a sidebar (or a link, a list item):
    about another article or by a reader, not this article. `shared`: containers it shares with the
    headline, which hold the article itself (a blog wraps its post in a "widget")."""
    for ancestor in [element, *element.iterancestors()]:
        if ancestor in shared:
            break
        cue = f"{ancestor.get('class', '')} {ancestor.get('id', '')}".lower()
        if links and ancestor.tag in ("a", "li") or ancestor.tag in ("aside", "footer", "nav", "figure", "figcaption") \
                or re.search(r"comment|related|recommend|teaser|sidebar|widget|caption|gallery|slideshow|sharing|social", cue):
            return True
    return False


def _text_pieces(tree):
    """(element, text) for every visible text piece of the page, in reading order; links marked by their element."""
    for element in tree.iter():
        if any(a.tag in _SKIPPED for a in element.iterancestors()):
            continue
        if isinstance(element.tag, str) and element.tag not in _SKIPPED and element.text and element.text.strip():
            yield element, element.text.strip()
        # The text after an element is its container's, visible even after a script or an HTML comment
        # ("<h1><!-- ArticleTitle Start -->The headline<!-- ... --></h1>").
        parent = element.getparent()
        if element.tail and element.tail.strip() and parent is not None:
            yield parent, element.tail.strip()


def _headlines(tree) -> list:
    """The elements printing the page's headline: the <h1>s (else h2s) whose words the page title
    shares most, in page order. Several when the page prints it again (a sticky bar's copy above the
    article's own)."""
    title = " ".join(filter(None, [tree.findtext(".//title") or ""] +
                            [m.get("content") or "" for m in tree.iterfind('.//meta[@property="og:title"]')])).lower()
    title_words = set(re.findall(r"\w+", title))
    for tags in (("h1",), ("h2", "h3")):
        best, best_share = [], 0.0
        for heading in tree.iter(*tags):
            words = re.findall(r"\w+", heading.text_content().lower())
            share = sum(word in title_words for word in words) / len(words) if words else 0.0
            if share > best_share:
                best, best_share = [heading], share
            elif share == best_share and best:
                best.append(heading)
        if best and best_share >= 0.6:
            return best
    headings = list(tree.iter("h1"))
    return headings if len(headings) == 1 else []


def _header_dates(tree, language: str) -> list[PageDate]:
    """<time datetime> and date-only lines beside the headline, before the body starts; beside the
    first of its copies that has any."""
    pieces = list(_text_pieces(tree))
    headlines = _headlines(tree)
    if not headlines:
        return _date_place_dates(pieces, language)
    for headline in headlines:
        if found := _dates_beside(headline, pieces, language):
            return found
    return []


def _dates_beside(headline, pieces, language: str) -> list[PageDate]:
    inside = [i for i, (element, _) in enumerate(pieces) if element is headline or headline in element.iterancestors()]
    if not inside:
        return _date_place_dates(pieces, language)
    # Before the headline, only its own container's pieces (a kicker, a date above it) and an element
    # named for the article's date; the site's masthead ("Wednesday, August 19, 2020": today's date)
    # lies outside the container and is not named so.
    container = headline.getparent() if headline.getparent() is not None else headline
    above = pieces[max(0, inside[0] - DATE_PLACE_BEFORE):inside[0]]
    zone = []
    for n, (element, text) in enumerate(above, start=-len(above)):
        label = above[n - 1][1] if n > -len(above) else ""
        in_container = element is container or container in element.iterancestors()
        if in_container and _is_label_alone(label):
            zone.append((element, f"{label} {text}"))   # "Publicado el" | "27 Marzo, 2020": the label names it
        elif n >= -HEADER_ZONE_BEFORE and in_container \
                or _date_place(element) and not _in_other_item(element, False, set(headline.iterancestors())) \
                and not any(a.tag == "li" for a in element.iterancestors()):
            zone.append((element, text))
    long_pieces, around_headline, zone_after = 0, set(headline.iterancestors()), 0
    for element, text in pieces[inside[-1] + 1:]:
        if _in_other_item(element, False, around_headline):
            continue   # a poll, a "related" box, a photo gallery or share buttons between the headline and the byline
        long_piece = len(text.split()) >= BODY_WORDS
        long_pieces += long_piece
        if long_pieces == 2 or long_piece and element.tag == "p" and zone_after or zone_after == HEADER_ZONE_AFTER:
            break   # the body has started (one long piece may be a standfirst right under the headline, or a caption)
        zone_after += 1
        zone.append((element, text))
    found = []
    for element, text in zone:
        if element.tag in ("h1", "h2", "h3"):
            continue   # a heading is a title
        if _named_not_article_date(element):
            continue   # "<div class="today">Wednesday, August 19, 2020</div>" under a masthead's <h1>
        in_link = any(a.tag == "a" for a in [element, *element.iterancestors()])
        if in_link and len(text.split()) > LINKED_DATE_MAX_WORDS:
            continue   # a link with words is about another page; one that is only a date is this one's
        time_element = element if element.tag == "time" else next(
            (a for a in element.iterancestors() if a.tag == "time"), None)
        if time_element is not None and _machine_date(time_element.get("datetime")):
            found.append(PageDate(_machine_date(time_element.get("datetime")), TIME_ELEMENT + _suffix(text)))
            continue
        label = element.getprevious() if element.tag == "dd" else None   # <dt>Joined</dt><dd>May 11, 2017</dd>
        if label is not None and not _PUBLISHED_LABEL.search(label.text_content()):
            continue
        date = _visible_date(text, language, lead=True, place=_date_place(element)) \
            if len(text.split()) <= DATE_LINE_MAX_WORDS else None
        if date:
            origin = PUBLISHED_LINE if _PUBLISHED_LABEL.search(text) else HEADER_LINE
            found.append(PageDate(date, origin + _suffix(text)))
    return found


def _is_label_alone(text: str) -> bool:
    """A piece that is only a "Published" label: the piece after it prints the date it names."""
    return bool(_PUBLISHED_LABEL.match(text)) and not _PUBLISHED_LABEL.sub("", text).strip(" :-–—|")


def _date_place(element) -> bool:
    """Whether an element, or one of its two nearest containers, is named as the place of an article's date."""
    for ancestor in [element, *list(element.iterancestors())[:2]]:
        cue = f"{ancestor.get('class', '')} {ancestor.get('id', '')}"
        if _NOT_ARTICLE_DATE_PLACE.search(cue):
            return False
        if _DATE_PLACE.search(cue) or ancestor.tag == "time":
            return True
    return False


def _named_not_article_date(element) -> bool:
    """Whether an element is itself named for another date: today's, the site's. Its containers' names
    say less: "article__masthead" and "storytopbar" hold the article's own headline and date."""
    return bool(_NOT_ARTICLE_DATE_PLACE.search(f"{element.get('class', '')} {element.get('id', '')}"))


def _date_place_dates(pieces, language: str) -> list[PageDate]:
    """Without a headline to stand by: the first date printed in an element named for it (a byline's
    <time>, "created_at"), before the body's first long paragraph; never in a link, a list, a teaser,
    a comment, a footer or the navigation."""
    for element, text in pieces:
        if len(text.split()) >= BODY_WORDS and element.tag == "p":
            return []
        if element.tag in ("h1", "h2", "h3", "title") or len(text.split()) > DATE_LINE_MAX_WORDS \
                or not _date_place(element) or _in_other_item(element):
            continue
        time_element = element if element.tag == "time" else None
        date = (_machine_date(time_element.get("datetime")) if time_element is not None else None) or \
            _visible_date(text, language, lead=True, place=True)
        if date:
            return [PageDate(date, (TIME_ELEMENT if time_element is not None else HEADER_LINE) + _suffix(text))]
    return []


def _suffix(text: str) -> str:
    return MODIFIED if _UPDATED_LABEL.search(text) and not _PUBLISHED_LABEL.search(text) else ""


def _visible_date(text: str, language: str, lead: bool = False, place: bool = False) -> str | None:
    """The date a header line opens with, as ISO: before it only a weekday, a "Published" or "Updated"
    label, punctuation; after it a time, a source, a credit. None for "Joined May 11, 2017".

    With `lead` (a line beside the headline), a few words may come first when a separator ends them:
    a section, an author or a place ("Erhverv - 02. januar 2020", "| TNN | Apr 7, 2020"). In an element
    named for the date (`place`), a word or two with no figure may too: a weekday in any language
    ("Senin, 4 Mei 2020")."""
    found = _printed_date(" ".join(text.split()), language, lead)
    if found is None:
        return None
    day, before = found
    if lead and _LEAD_SEPARATOR.search(f" {before} ") and len(before.split()) <= LEAD_MAX_WORDS + 2 \
            and not _OTHER_THING_LABEL.search(before):
        before = _LEAD_SEPARATOR.split(f" {before} ")[-1]   # what follows the last separator: a label or a place
        if len(before.split()) <= PLACE_MAX_WORDS and not re.search(r"\b[a-z]", before):
            before = ""   # "Name / New Delhi February 14, 2020": a dateline's place
    if place and len(before.split()) <= PLACE_MAX_WORDS and not re.search(r"\d", before) \
            and not _OTHER_THING_LABEL.search(before):
        before = ""
    before = _FILLER.sub(" ", before)
    before = _UPDATED_LABEL.sub("", _PUBLISHED_LABEL.sub("", before.strip()).strip())
    return day if not re.sub(r"\W+", "", before) else None


def _printed_date(text: str, language: str, lead: bool = False) -> tuple[str, str] | None:
    """(ISO day, what the text prints before it) for the first full date printed in text, or None.

    A numeric date that reads both ways (03/04/2020) is read day-first only on a page that is not in
    English, month-first only on an en-US page; otherwise it is no evidence.
    """
    from htmldate.extractors import LONG_TEXT_PATTERN, MONTH_NUMBERS

    from tasks.dates import DATE_PATTERN, parse_date

    if language.startswith("fa") and (jalali := _JALALI_DATE.search(text.translate(_TO_ASCII_DIGITS))):
        day = _jalali_day(jalali)
        return (day.isoformat(), _without(text, jalali)) if day else None
    if not _YEAR.search(text) or len(text) > 120:
        return None
    for numeric in re.finditer(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\d)", text):
        first, second, year = map(int, numeric.groups())
        # Dots are day-first wherever they are printed (11.02.2020); slashes follow the page's language.
        order = "DMY" if first > 12 else "MDY" if second > 12 else "DMY" if "." in numeric.group(0) else \
            ("MDY" if language.startswith("en-us") else None if language.startswith("en") or not language else "DMY")
        day = None if order is None else _day(year, second, first) if order == "DMY" else _day(year, first, second)
        return (day.isoformat(), _without(text, numeric)) if day else None
    for cjk in _CJK_DATE.finditer(text):   # 2020年03月12日, 2020년 3월 4일
        day = _day(*map(int, cjk.groups()))
        return (day.isoformat(), _without(text, cjk)) if day else None
    for iso in re.finditer(r"(?<!\d)(\d{4})[./-] ?(\d{1,2})[./-] ?(\d{1,2})(?!\d)", text):   # 2020. 06. 04.
        day = _day(*map(int, iso.groups()))
        return (day.isoformat(), _without(text, iso)) if day else None
    english = DATE_PATTERN.search(text)
    if english and (day := parse_date(english.group(0), dt.date.today())):
        return day.isoformat(), _without(text, english)
    for worded in LONG_TEXT_PATTERN.finditer(text):   # htmldate's month names: en, fr, de, id, tr
        month = MONTH_NUMBERS.get((worded["month"] or worded["month2"]).lower())
        day = month and _day(int(worded["year"] or worded["year2"]), month, int(worded["day"] or worded["day2"]))
        if day:
            return day.isoformat(), _without(text, worded)
    day = _dateparser_date(_PUBLISHED_LABEL.sub("", text), language) or \
        _dateparser_date(_CLOCK_AFTER.sub("", _PUBLISHED_LABEL.sub("", text)), language)
    if day is None and lead and _LEAD_SEPARATOR.search(f" {text} "):
        head, _, tail = text.rpartition(_LEAD_SEPARATOR.findall(f" {text} ")[-1].strip())
        day = _dateparser_date(tail, language)
        return (day, head + " - ") if day else None
    return (day, "") if day else None


def _jalali_day(found: re.Match) -> dt.date | None:
    """The Gregorian day of a Solar Hijri date (convertdate's calendar arithmetic)."""
    from convertdate import persian

    day, month_name, year, *numeric = found.groups()
    year, month, day = (int(year), _JALALI_MONTHS.index(month_name) + 1, int(day)) if year else map(int, numeric)
    if not (1 <= month <= 12 and 1 <= day <= (31 if month <= 6 else 30)):
        return None
    return _day(*persian.to_gregorian(year, month, day))


def _without(text: str, match: re.Match) -> str:
    """What a line prints before its date."""
    return text[:match.start()]


def _dateparser_date(text: str, language: str) -> str | None:
    """A whole string that is one date in the page's language ("martes 17 de marzo de 2020"), by dateparser."""
    import dateparser   # imported here: its language data takes a moment to load

    if not language and _ARABIC_LETTER.search(text):
        language = "ar"
    text = _LEVANTINE_MONTH.sub("", text)
    languages = list(dict.fromkeys(lang for lang in (language.split("-")[0], "en") if lang))
    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "RETURN_AS_TIMEZONE_AWARE": False,
                "STRICT_PARSING": True}
    try:
        parsed = dateparser.parse(text, languages=languages, settings=settings)
    except (ValueError, OverflowError, RuntimeError):   # a language dateparser does not know
        return _dateparser_date(text, "en") if languages != ["en"] else None
    return parsed.date().isoformat() if parsed and _YEAR.search(text) else None
