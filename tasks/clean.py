"""Clean: documents in; articles with clean text, title, byline, dateline, credits and date out.

Works line by line on the raw text, in two layers. Known patterns: lines that are not the story
(share buttons, ads, comment counters, credits, copyright, date and "Published" lines) are set
aside; bylines, datelines, credits, agency sign-offs and desk contact lines become fields; the
title is found. Corpus repetition: a short line printed in several different stories of one
source folder is site furniture (an ad, a newsletter plug), caught without a list, unless it is
story data (a table label, a heading over a list). A line is removed only on that evidence:
results, scores, fixture lists and tables are story. Lines hard-wrapped at a fixed width are
joined back into their paragraphs. Every span taken out of the raw text is recorded with its
rule, and every piece of clean_text maps back to its raw offset. Date strings found on the way
are ranked by tasks/dates.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import pyarrow as pa
import pyarrow.parquet as pq
from lxml.html import defs as html_defs

from tasks.dates import (MONTH, DateCandidate, PublicationDate, house_date_orders, date_time_spans, find_dates_with_time, find_yearless_dates,
                         resolve_publication)

# Lines that are never the story (matched against the whole stripped line, any case): a page's
# labels and counters, known by their shape, not by any one site's wording.
JUNK_LINE_PATTERNS = {
    # A label alone ("Related Information") or opening a teaser headline ("READ MORE: Greek police ...").
    "follow or subscribe": r"(follow us|subscribe|sign up|click here|read more|related (topics|articles|stories)|also read|"
                           r"see also)\b.{0,160}|related(\s+\w+)?\s*:?"
                           # a newsletter box's heading: "PC Gamer Newsletter", "Newsletter abonnieren"
                           r"|([\w&'.-]+\s+){0,3}newsletters?(\s+(abonnieren|anmelden|bestellen|sign[- ]?up))?\s*:?"
                           # "read more" alone in other languages, a teaser's link: "Ver noticia", "Citește toată știrea"
                           r"|(ver (noticia|más)|leer (más|noticia)|lire (la suite|plus)|weiterlesen|mehr lesen|leggi (tutto|anche)|"
                           r"leia mais|citește (toată știrea|mai mult)|citeşte (toată ştirea|mai mult)|czytaj (więcej|dalej)|"
                           r"подробнее|читать (далее|полностью)|lees meer|læs mere|les mer|läs mer|devamını oku)\W*",
    "advertisement": r"advertisements?|sponsored( content)?|promoted|ads?",
    # ... and the comments' heading in other languages: "Kommentarer", "Commentaires (3)", "Комментарии"
    "comment counter": r"((no|\d+) comments?|(leave|add|post) a comment.*|comments? \(?\d*\)?"
                       r"|(\d+\s+)?(kommentare?r?|commentaires?|comentarios?|comentários?|commenti|komentarze|reacties|"
                       r"комментарии|yorumlar)(\s*\(?\d*\)?)?)\.?",
    "view counter": r"(views?|count|reads)\s*:\s*\d+",
    # "Please enable JavaScript", "Pełne korzystanie z serwisu wymaga włączonego w Twojej przeglądarce JavaScript"
    # (a line about JavaScript names no switch: "written in JavaScript and runs in any browser")
    "browser notice": r"(?=.{0,300}$)(?=.*\bjavascript\b).*\b(enabl|disabl|activ|włącz|aktivier|habilit|requir|wymag|"
                      r"turn on|switch on)\w*.*",
    # "© 2020 ...", "Copyright ...", and a notice whose © or "All rights reserved" comes after the owner's name.
    "copyright": r".{0,3}(©|ⓒ|\(c\)|copyright\b).{0,200}|.{0,100}(©|ⓒ|\ball rights reserved\b).{0,200}",
}
JUNK_LINE = [(rule, re.compile(pattern, re.IGNORECASE)) for rule, pattern in JUNK_LINE_PATTERNS.items()]
# A row of share buttons: a short line made only of sharing actions, networks and the words that
# join them ("Share Here", "Share this article on Facebook", "Tweet | Email | Print"). One word outside
# that vocabulary ("Share prices fell") makes it text.
SHARE_ACTIONS = {"share", "shares", "sharing", "tweet", "email", "e-mail", "mail", "print", "pin", "whatsapp", "copy",
                 "save", "like", "send", "flip", "repost", "reddit", "facebook", "twitter", "linkedin", "telegram",
                 "pinterest", "messenger", "flipboard", "vk", "tumblr", "pocket", "threads", "bluesky", "mastodon",
                 "x", "sms", "link"}
SHARE_FILLER = {"this", "here", "on", "to", "via", "with", "the", "it", "us", "a", "friend", "article", "story", "post",
                "page", "now", "your", "and", "or", "options", "icon", "button"}
SHARE_ROW_MAX_WORDS = 8
_BUTTON_WORD = re.compile(r"[\w-]+")
# A call to buy or act, as ads and house promotions print it: an imperative opening a short line
# that is no sentence ("Shop our deals", "Click Here for your FREE No Obligation Quote", "L&T
# Superstores Shop For Your Amazing Products Today"), with an offer word, or a bare button ("Buy
# now"). A story sentence quoting "buy now" ends like a sentence, or runs long, and stays.
CALL_TO_ACTION = re.compile(
    r"(?:(?:[A-Z][\w&'.-]*\s+){0,3})"    # a shop's name before the call: "L&T Superstores Shop ..."
    r"(?i:shop|buy|order|get|grab|save|claim|try|download|subscribe|donate|book|call|click|tap|join|sign up|"
    r"register|request|start|unlock|upgrade|see|check out|browse|discover)\b(?P<rest>.*)")
OFFER_WORD = re.compile(r"(?i)\b(deals?|offers?|sales?|discounts?|coupons?|promo|code|free|quotes?|trial|products|"
                        r"bargains?|savings?|\d+\s?% off|store|shop|newsletter|membership|premium|app)\b")
CALL_TO_ACTION_MAX_WORDS = 12
# A bare button: "Buy now", "Shop today", "Subscribe here!"; "Book review" is a heading, no button.
BUTTON_MAX_WORDS = 3
SELLING_VERB = re.compile(r"(?i)(buy|shop|subscribe|donate)\b")   # "Buy Home Insurance": a button whatever follows
BUTTON_REST = re.compile(r"(?i)\s*(now|today|here|online|more|it)?\s*[!>»›]*")
# What a page prints after its story ends: a teaser for the next one ("Up next: ...", "Related: ..."),
# a sign-off to the visitor ("Thank you for visiting ..."), a call to click. Set aside only in the
# run of short lines closing the text, so a story's "Next: the vote" or its own thanks stay.
TEASER = re.compile(r"(?i)(?:up next|next up|read next|read more|more|related|recommended|watch|listen|"
                    r"see also|also read|trending|popular|latest|more (?:from|on|in|about) [\w' ]{1,30}|"
                    r"you (?:may|might) also like|don'?t miss|must read|editor'?s picks?|top stories)"
                    r"\s*[:|»›>–—-]\s*\S.*"
                    r"|(?:thanks?|thank you) for (?:visiting|reading|watching|listening|stopping by|subscribing|"
                    r"choosing|your (?:support|visit|interest))\b.*"
                    r"|.*\bclick here\b.*")
# The same lead-ins in other languages, alone on their line (a list of links follows) or before a
# headline after a separator ("Auch interessant ist, dass ..." is a sentence): "Auch interessant:",
# "Das Thema könnte dich auch interessieren:", "À lire aussi", "Te puede interesar", "Leggi anche",
# "Lees ook", "Also on example.com".
LEAD_IN = re.compile(r"(?i)(?:(?:das (?:thema )?|dies )?(?:könnte|dürfte) (?:dich|sie|euch) auch interessieren|auch interessant|"
                     r"mehr zum thema|lesen sie auch|lies auch|weitere artikel|(?:à )?lire aussi|voir aussi|"
                     r"sur le même sujet|(?:también )?te puede interesar|lee también|leggi anche|potrebbe interessarti|"
                     r"lees ook|(?:also|auch|aussi|también) (?:on|auf|sur|en) \w[\w-]*\.\w+)\s*(?:[:|»›>–—-]\s*\S.*|[:|»›>–—-]?)")
TAIL_LINE_MAX_WORDS = 20
DANGLING_LABEL_WORDS = 10
# An author box closing a page: its label alone on a line, then the author's bio ("AUTOR" / "ist
# Gründungspartner der Kanzlei ...", cnet.de in trafilatura-eval). At most AUTHOR_BOX_LINES lines follow.
AUTHOR_BOX_LABEL = re.compile(r"(?i)(?:about the authors?|the authors?|authors?|autor(?:in)?|über (?:den autor|die autorin)|"
                              r"zum autor|zur autorin|à propos de l['’]auteur|l['’]auteur|sobre el autor|sobre o autor|"
                              r"l['’]autore|o autorze)\s*:?")
AUTHOR_BOX_LINES = 3
# In the closing run, a house plug may run longer: "Get the best of News18 delivered to your inbox -
# subscribe to News18 Daybreak. Follow News18.com on Twitter, Instagram, ..."
# Followed: "us" or a site's own address ("Follow News18.com on"), never "Follow him on Instagram to watch".
# A house's channel or tip line: "BT is now on Telegram!", "Do you have a story tip? Email: ...",
# "Síguenos en Facebook: ...".
HOUSE_PLUG = re.compile(r".*\b(?:(?i:subscribe to|sign up for|delivered to your inbox)|(?i:follow)\s+(?:(?i:us)|\w+\.\w+)"
                        r"\s+(?i:on)|(?i:(?:is|are) now on (?:telegram|whatsapp|signal|instagram|tiktok|youtube))"
                        r"|(?i:(?:have|got) a (?:story|news) tip)"
                        # "Follow us" in other languages; a plea for feedback ("We'd love to get your feedback at ...")
                        r"|(?i:síguenos|síganos|siga-nos|suivez-nous|folgen sie uns|folge uns|seguici|volg ons|følg os|"
                        r"följ oss|we'?d love to (?:hear|get) your feedback|your feedback is important|be the first to know))\b.*")
TEASER_MAX_WORDS = 45
# Anywhere in the text, a teaser label and its separator before a headline ("MUST READ | Thousands of
# Australians ...", "WATCH: ..."): a headline ends in no full stop, so "Related: a vote is due." is story.
TEASER_LINE = re.compile(r"(?i:must read|read more|read next|read|also read|watch|listen|related|recommended|see also|"
                         r"up next|more)\s*[:|»›]\s*\S.*")
# A desk's contact line closing a wire story: "-- London Newsroom +44 171 542 8062", "-- Jane Doe,
# New York Energy Desk, +1 212-859-1761", "Fax : ( 6221 ) 344-8404": kept as the contact field.
# It holds a telephone number (7+ digits) or an e-mail address, so "-- Figures for 1986/87 are ..." is story.
# A web desk's: "Contact reporter Jane Doe at jdoe@example.com or 541-338-2454".
CONTACT_LINE = re.compile(r"--\s*.{3,160}|(?i:tel(?:ephone)?|phone|fax)\s*[:.]?\s*[+(\d].{6,80}"
                          r"|(?i:contact|reach|e-?mail)\s+(?i:the\s+)?(?i:reporter|writer|author|editor|us|me|him|her|"
                          r"[A-Z][\w.'-]+\s+[A-Z][\w.'-]+\s+at)\b.{3,300}")
PHONE = re.compile(r"\+?\(?\s?\d[\d ()/.+-]{5,}\d")
EMAIL = re.compile(r"\S+@\S+\.\w+")
# Credits, known by their shape. Names: capitalised words ("Eric Gay", "Getty Images", "TASS").
_NAMES = r"[A-Z][\w.'&-]*(?:(?:\s+|\s*,\s*|\s+and\s+|\s*&\s*)(?:[A-Z][\w.'&-]*|of|de|van|von|la|del))*"
# "Foto" (Spanish, Portuguese, German, Italian, Dutch, Polish...), "Imagen", "Bild": credits are printed alike.
# German compounds ("Beitragsbild", "Symbolfoto") and French labels ("Image illustrative", "Photo d'illustration").
_PHOTO = (r"(?i:(?:file |staff |handout )?(?:photo(?:graph)?s?|fotos?|pictures?|pics?|images?|imagens?|imagen|bild|"
          r"illustrations?|video|(?:beitrags|titel|symbol|vorschau|aufmacher)(?:bild|foto))"
          r"(?: illustrative| d['’]illustration)?)")
# Photo agencies and wires: what stands beside a photographer's slash ("Eric Gay/AP", "REUTERS/Kevin
# Lamarque") or alone as a credit ("Getty Images").
_WIRE = r"(?:AP|AFP|Reuters|REUTERS|EPA|EPA-EFE|PA|UPI|DPA|Xinhua|XINHUA|TASS|ANI|PTI|Bloomberg|ZUMA|Zuma)"
_PICTURE_DESK = (r"(?:Getty|Shutterstock|Alamy|iStock|[A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)*\s+(?:Images|Photos|Pictures|"
                 r"Photography|Stock))")
_BY_NAMES = rf"{_NAMES}(?:\s*(?:/|,|\bfor\b|\bvia\b)\s*{_NAMES})*"
CREDIT_SHAPE = (
    # "Photo: X", "Image credit: X", "(AP Photo/Eric Gay)", "Photograph by Jane Doe/Reuters", "Image credit AP"
    rf"(?:{_NAMES}\s+)?{_PHOTO}(?:\s+(?i:credits?))?\s*(?:[:|/]\s*.{{1,100}}?|(?i:by|courtesy of|credits?)\s+{_BY_NAMES}"
    rf"|\s{_BY_NAMES})"
    # "Credit: X", "Source: X", "Courtesy of X"
    r"|(?i:credits?|source)\s*:\s*.{1,100}?|(?i:courtesy of)\s+" + _BY_NAMES +
    # "Eric Gay / Getty Images", "REUTERS/Kevin Lamarque", "Getty Images", "Alex Wong/Getty Images via AFP"
    rf"|{_NAMES}\s*/\s*(?:{_WIRE}|{_PICTURE_DESK})(?:\s+(?i:via)\s+{_NAMES})?|{_WIRE}\s*/\s*{_NAMES}|{_PICTURE_DESK}"
    # "Based on materials from TASS", "Reporting by Jane Doe; Editing by John Smith"
    r"|(?:(?i:based on|with|additional)\s+)?(?i:reporting|writing|editing|materials?|information|research|compiled|"
    r"written)(?:\s+(?i:and|&)\s+\w+)?\s+(?i:by|from)\s+" + _NAMES +
    r"(?:\s*[;,]\s*(?i:[a-z ]{3,30})\s+(?i:by|from)\s+" + _NAMES + r")*"
)
# Lines that credit a photo or a source: kept as fields, not as text.
CREDIT_LINE = re.compile(rf"\(?\s*({CREDIT_SHAPE})\s*\)?\.?")
CREDIT_LINE_MAX_WORDS = 16
# A credit printed at the end of a caption: "... withdrawal. photo : AFP", "... in Austin. (AP Photo/Eric Gay)".
# "... ganhou um lar. — Foto: Mayara Subtil/G1": the dash before it goes with it.
# "... in Dallas. Tom Pennington/Getty Images": a photographer and a picture desk after the caption's sentence.
# "... da Companhia das LetrasFoto: Divulgação": a page joined the caption and its credit without a space.
CAPTION_CREDIT = re.compile(rf"(?:\s+(?:[—–-]\s+)?|(?<=[a-z\"”’)])(?=[A-Z]))"
                            rf"(?:\(({CREDIT_SHAPE})\)|({_PHOTO}\s*:\s*[A-Za-z][\w.&/ -]{{0,40}})"
                            rf"|(?<=[.!?\"”’)]\s)({_NAMES}\s*/\s*(?:{_WIRE}|{_PICTURE_DESK})(?:\s+(?i:via)\s+{_NAMES})?))$")
PUBLISHED_LINE = re.compile(r"(first published|published|last updated|updated|posted)\b\s*(on|at)?\s*[:\-]?",
                            re.IGNORECASE)
# " date 2021-08-23 Following the Taliban..." as some scrapers glue it to the first paragraph.
DATE_PREFIX = re.compile(r"\s*date\s+(\d{4}-\d{2}-\d{2})\s+")
BYLINE = re.compile(r"(?i:by)\s+([A-Z][\w.'-]+(?:\s+(?:[A-Z][\w.'-]+|and|&)){0,5})(\s*[,|].{0,60})?")
AGENCIES = r"REUTERS?|AFP|AP|TASS|XINHUA|UPI|DPA|ANI|PTI|IANS|BLOOMBERG"
AGENCY_SIGNOFF = re.compile(rf"\s*[-–—]+\s*({AGENCIES})\s*$|^\s*\(?({AGENCIES}|Reuters?)\)?\s*$")
# "MOSCOW, Aug 26:" / "SALVADOR, Feb 26 -" / "ROME 1996-12-06" / "LONDON (Reuters) -" opening a paragraph.
# A place in capitals may stand alone; a place in mixed case ("Toronto, Feb 26 -") needs its date, or
# any sentence opening "President Putin - who..." would read as a dateline.
# ", N.Y." / ", Conn." / ", Bosnia-Hercegovina" / ", Zaire-Zambia border": one or two regions after the place.
_DATELINE_REGION = r"(?:,\s*[A-Z][\w.'-]*(?: [\w.'-]+){0,3}){0,2}"
# "Aug 26", "April 4, 1997", "Dec 12, 2005, 2005" (a wire's repeated year), "1996-08-30".
_DATELINE_DAY = rf"(?:(?i:{MONTH})\.? \d{{1,2}}(?:, \d{{4}}(?:, \d{{4}})?)?|\d{{4}}-\d{{2}}-\d{{2}})"
DATELINE = re.compile(
    rf"((?:[A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){{0,3}}{_DATELINE_REGION}(?:,? {_DATELINE_DAY})?"
    rf"|[A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){{0,3}}{_DATELINE_REGION},? {_DATELINE_DAY}"
    rf"|(?i:{MONTH})\.? \d{{1,2}}, \d{{4}}))"                      # a digest's dateline: the date alone
    r",?\s*(?:\((" + AGENCIES + r"|Reuters)\))?\s*[:\-–—]+(?:\s+|$)"   # "LONDON (Reuters) -": a credit
)
# What a header date line may print besides its date: a "Date" label, weekday, time, timezone.
DATE_LINE_FILLER = re.compile(r"(?i)\b(mon|tues|wednes|thurs|fri|satur|sun)day\b|\b\d{1,2}:\d{2}(:\d{2})?\s*([ap]\.?m\.?)?"
                              r"|\b(date[ds]?|at|on|gmt|utc|ist|et|est|edt|bst|cet|msk|[ap]\.?m\.?)\b|[\s,|:\-–—.()]")
HEADER_LINES = 6           # a title or date line sits among the first few lines
TITLE_MAX_WORDS = 25
SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")

# A dateline printed on a line of its own: "ROME 1996-12-06", "AL-AIN , United Arab Emirates 1996-12-06".
DATELINE_LINE = re.compile(
    r"([A-Z][A-Za-z.'-]*[A-Z.'-](?:[ -][A-Z][A-Za-z.'-]+){0,3}(?:\s*,\s*[A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+){0,3})?"
    r",?\s+(?:\d{4}-\d{2}-\d{2}|[A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?))"
)
# Corpus repetition: a line of at most this many words, printed in at least this many different
# stories of one source folder (and this share of them), is boilerplate. The share keeps table
# labels ("Year", "Nine mths") that recur in a few per cent of a financial wire's stories. Longer lines repeated
# across stories are usually background paragraphs an agency reuses: story, not furniture.
REPEAT_MAX_WORDS = 25
REPEAT_MIN_STORIES = 3
REPEAT_MIN_SHARE = 0.1
_NOT_WORD = re.compile(r"[\W_]+")
# A short line holding a figure: a table row, a score, a result ("Ayr 6 Berwick 0", "Attendance : 3,900").
DATA_ROW_MAX_WORDS = 12
_FIGURE = re.compile(r"\d")

# Shapes of a data line without figures: a fixture ("Chelsea v Birmingham"), a name with its
# country or club in brackets ("Paul Honiss (New Zealand)").
DATA_SHAPE = re.compile(r"\S\s+(?:v|vs\.?)\s+[A-Z]|[A-Z][\w.'-]+\s+\([A-Z][\w .'-]+\)$")

# The rule under a table's header row, as page extraction prints tables ("|---|---|---|"): markup.
TABLE_RULE = re.compile(r"\|?(?:\s*:?-{3,}:?\s*\|)+(?:\s*:?-{3,}:?\s*)?")

# Hard wrapping: e-mail and wire copy (Reuters-21578) break lines at a fixed width of 50-100
# columns, so a line break inside a paragraph is not a paragraph break. A text is wrapped when its
# longest line is that wide and other lines come near it; a line runs on into the next when the
# next line's first word would not have fitted on it (within WRAP_SLACK columns of the width:
# 93% of Reuters-21578's continuation lines), unless something says the break is meant.
WRAP_WIDTHS = range(50, 101)
WRAP_FILL = 0.7
WRAP_SLACK = 6
LIST_ITEM = re.compile(r"([-*•–—]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s")
COLUMN_GAP = re.compile(r"\S(\t| {3,})\S")     # table columns; two spaces often follow a full stop
# A line ending in a figure or a bracket followed by one opening with a capital or a figure: the
# next row of a results table or fixture list ("... ( at Lord 's , London )" / "May 27-29 v Kent").
ROW_END = re.compile(r"(\d[\d.,%]*|\))$")
ROW_START = re.compile(r"[A-Z0-9]")
ROW_LEAD = re.compile(r"\d[\d.,-]*\s+[A-Z]")    # "67 Mark Calcavecchia , ...": a score opens the row
FIGURE_END = re.compile(r"\d(?:[\d,%]|\.\d)*$")
INITIALS_END = re.compile(r"\b(?:[A-Z]\.)+$")    # "the U.S." / "Charles F." ends no sentence at a wrap
# Markup inside a story line (tasks' _without_markup): what sits between angle brackets, with the space before.
ANGLE_BRACKETS = re.compile(r" ?<(?P<closing>/?)(?P<content>[^<>\n]{1,60})>"
                            r"|(?P<stray><(?=[A-Z][^<>]*$)|(?<=[\w.])>)")
# An opening tag is an HTML element's name (lxml's list of them): "<config files>" in a tutorial is text.
HTML_TAG = re.compile(r"(?P<name>[a-z][a-z0-9]*)(?:\s[^<>]*)?/?")
HTML_ELEMENTS = frozenset(html_defs.tags)
TICKER = re.compile(r"[A-Z][A-Za-z0-9]{0,7}(?:\.[A-Z]{1,2})?")    # <GM>, <RtrSY>, <VOWG.F>; not <Amoco>


# Markdown inside a line (.md inputs, texts a converter wrote): a link keeps its words and loses its
# address ("[CSTO](https://csto.org)"), emphasis loses its marks ("**Vladimir Putin**"), a picture goes
# ("![Putin and Tokayev](photo.jpg)"). A mark must hug its words: "5 * 3", "n****rs", "21*" are text.
MARKDOWN_INLINE = re.compile(r"(?P<image>!\[[^\]\n]{0,300}\]\([^)\s]{1,2000}(?:\s+\"[^\"\n]*\")?\))"
                             r"|(?P<link>\[(?=[^\]\n]*[^\W_])[^\]\n]{1,300}\])\((?P<address>[^)\s]{1,2000}(?:\s+\"[^\"\n]*\")?)\)"
                             r"|(?<![\w*])(?P<strong>\*\*|__)(?=[^\s*_])[^\n]{1,300}?(?<=[^\s*_])(?P=strong)(?![\w*])"
                             r"|(?<![\w*])\*(?=[^\s*])[^*\n]{1,300}?(?<=[^\s*])\*(?![\w*])")
MARKDOWN_IMAGE_LINE = re.compile(r"(?:!\[[^\]\n]{0,300}\]\([^)\s]{1,2000}(?:\s+\"[^\"\n]*\")?\)\s*)+")
MARKDOWN_QUOTE_MARK = re.compile(r"(?:>\s?)+(?=\S)")

# Rules whose removed text is not lost but kept in a field (title, byline, dateline, credits, the
# publication date), or is markup around kept text; every other rule drops the text as furniture.
FIELD_RULES = frozenset({"title", "repeated title", "byline", "dateline", "credit", "agency sign-off", "contact",
                         "date prefix", "date line", "published line", "markdown heading mark", "markup"})


# Rules that set a line aside as site furniture: evidence that short lines beside it are furniture too.
FURNITURE_EVIDENCE = frozenset(JUNK_LINE_PATTERNS) | {"share button", "teaser", "credit", "repeated line"}


@dataclass
class RemovedSpan:
    """Characters [start, end) of the raw text taken out of the story, and the rule that took them."""

    start: int
    end: int
    rule: str


@dataclass
class _Piece:
    """Text kept from one raw line, and where it starts in the raw text (raw[start:start+len(text)] == text)."""

    number: int
    start: int
    text: str


@dataclass
class CleanArticle:
    """The cleaned form of one raw text."""

    clean_text: str
    title: str | None = None
    byline: str | None = None
    dateline: str | None = None
    credits: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    date_candidates: list[DateCandidate] = field(default_factory=list)
    removed: list[RemovedSpan] = field(default_factory=list)
    text_map: list[tuple[int, int, int]] = field(default_factory=list)  # (clean_start, raw_start, length)

    def raw_offset(self, clean_offset: int) -> int:
        """Where the character at clean_offset of clean_text sits in the raw text."""
        for clean_start, raw_start, length in self.text_map:
            if clean_start <= clean_offset < clean_start + length:
                return raw_start + clean_offset - clean_start
        raise ValueError(f"offset {clean_offset} is a paragraph break or outside clean_text")

    def _remove(self, start: int, end: int, rule: str) -> None:
        self.removed.append(RemovedSpan(start, end, rule))


def line_fingerprint(line: str) -> str:
    """A line's identity for the repetition layer: its words, lower case, punctuation and spacing ignored."""
    return _NOT_WORD.sub(" ", line.lower()).strip()


def clean_article(raw_text: str, title_hint: str | None = None, date_hint: str | None = None,
                  repeated_lines: frozenset[str] = frozenset(), date_evidence: Iterable[dict] = ()) -> CleanArticle:
    """Split a raw text into story lines and fields; see the module docstring.

    date_hint is a record's own date field; date_evidence the dates the input states beside its
    text (page metadata, its URL), each with its origin.
    """
    text = raw_text.replace("\u00a0", " ")   # same length: offsets into it are offsets into the raw text
    article = CleanArticle(clean_text="", title=title_hint)
    if date_hint:
        article.date_candidates.append(DateCandidate(date_hint, "record date"))
    article.date_candidates += [DateCandidate(found["text"], found["origin"]) for found in date_evidence or ()]
    story: list[_Piece] = []
    raw_lines = text.split("\n")
    furniture = _repeated_furniture(raw_lines, repeated_lines)
    wrapping = _wrapping(raw_lines)
    set_aside: dict[int, str] = {}   # line number -> the rule that set it aside
    line_start = 0
    for number, raw_line in enumerate(raw_lines, start=1):
        line = raw_line.strip()
        piece = _Piece(number, line_start + len(raw_line) - len(raw_line.lstrip()), line)
        line_start += len(raw_line) + 1
        if not line:
            continue
        in_header = _in_header(story)
        kept = _classify_line(piece, in_header, article, number in furniture,
                              _inside_wrapped_paragraph(number, raw_lines, wrapping))
        if kept is None:
            set_aside[number] = article.removed[-1].rule
        elif story and story[-1].text == kept.text:   # a title printed twice is one title
            article._remove(kept.start, kept.start + len(kept.text), "repeated title")
        else:
            story.append(kept)
    story = _take_title(story, article)
    story = _drop_furniture_among_credits(story, article, set_aside, len(raw_lines))
    story = _drop_closing_promotion(story, article)
    story = _take_dateline_and_signoff(story, article)
    for piece in story:
        article.date_candidates += [DateCandidate(d, "body", piece.number) for d in find_dates_with_time(piece.text)]
    _join_story(story, article, raw_lines, wrapping)
    if article.title:
        article.title = without_markup(article.title)
    return article


def _join_story(story: list[_Piece], article: CleanArticle, raw_lines: list[str], wrapping: _Wrapping) -> None:
    """Join the kept pieces into clean_text, map each piece to its raw offset: a hard-wrapped line
    runs on into the next with a space, every other line break is a paragraph break."""
    parts: list[str] = []
    clean_start = 0
    for previous, piece in zip([None] + story[:-1], story):
        if previous is not None:
            separator = " " if _runs_on(previous, piece, raw_lines, wrapping) else "\n\n"
            parts.append(separator)
            clean_start += len(separator)
        for start, text in _without_markup(piece, article):
            article.text_map.append((clean_start, start, len(text)))
            parts.append(text)
            clean_start += len(text)
    article.clean_text = "".join(parts)


def _without_markup(piece: _Piece, article: CleanArticle | None = None) -> list[tuple[int, str]]:
    """The piece's text in segments (raw start, text) less its markup, each removal recorded on `article`:
    HTML tags in plain text, wire ticker symbols ("Reuters Holdings Plc <RtrSY>, said"), the brackets
    wire copy puts around a company's name ("<Westland Plc>": the name stays), and Markdown's links,
    emphasis and pictures (MARKDOWN_INLINE)."""
    cuts: list[tuple[int, int, str]] = []
    for match in ANGLE_BRACKETS.finditer(piece.text):
        content, opening = match.group("content"), match.start("closing") - 1
        if match.group("stray"):   # a company's bracket whose other half is on the line before or after
            cuts.append((*match.span("stray"), "markup"))
        elif match.group("closing") or (tag := HTML_TAG.fullmatch(content)) and tag["name"] in HTML_ELEMENTS:
            cuts.append((opening, match.end(), "markup"))   # the space before a tag stays
        elif TICKER.fullmatch(content) and (sum(c.isupper() for c in content) >= 2 or len(content) <= 2):
            cuts.append((match.start(), match.end(), "ticker symbol"))
        elif content[:1].isupper():
            cuts += [(opening, opening + 1, "markup"), (match.end() - 1, match.end(), "markup")]
    for match in MARKDOWN_INLINE.finditer(piece.text):
        if match.group("image"):
            cuts.append((match.start(), match.end(), "picture"))
        elif match.group("link"):
            cuts += [(match.start(), match.start() + 1, "markup"), (match.end("link") - 1, match.end(), "markup")]
        else:
            marks = len(match.group("strong") or "*")
            cuts += [(match.start(), match.start() + marks, "markup"), (match.end() - marks, match.end(), "markup")]
    segments, kept_from = [], 0
    for start, end, rule in sorted(cuts):
        if start < kept_from:
            continue   # inside a cut already made ("<b>" within a link's words)
        if start > kept_from:
            segments.append((piece.start + kept_from, piece.text[kept_from:start]))
        if article is not None:
            article._remove(piece.start + start, piece.start + end, rule)
        kept_from = end
    if kept_from < len(piece.text):
        segments.append((piece.start + kept_from, piece.text[kept_from:]))
    return segments


def without_markup(text: str) -> str:
    """A field's text (a title) less the markup _without_markup takes out of the story."""
    return "".join(segment for _, segment in _without_markup(_Piece(0, 0, text)))


@dataclass(frozen=True)
class _Wrapping:
    """How a raw text breaks its lines: the column it wraps at (None: not wrapped) and its indents."""

    width: int | None
    base_indent: int
    # An indent opens each paragraph (wire copy): a sentence end before an unindented line is then a wrap.
    indented_paragraphs: bool


def _wrapping(raw_lines: list[str]) -> _Wrapping:
    """How the raw text wraps, read once for its every line."""
    indents = [len(line) - len(line.lstrip()) for line in raw_lines if line.strip()]
    base_indent = min(indents, default=0)
    return _Wrapping(_wrap_width(raw_lines), base_indent, sum(indent > base_indent for indent in indents) >= 2)


def _inside_wrapped_paragraph(number: int, raw_lines: list[str], wrapping: _Wrapping) -> bool:
    """Whether raw line `number` (from 1) is a piece of a hard-wrapped paragraph: it runs on into the
    next line, or the line before runs on into it, and the sentence goes on in lower case across the
    break. Such a line is no label, button or credit of its own, whatever its words ("... The order" /
    "backlog fell eight pct ..."; "Best Buy said sales ... based on 23" / "retail facilities ...")."""
    if wrapping.width is None:
        return False
    pieces = {n: _Piece(n, 0, raw_lines[n - 1].strip()) for n in (number - 1, number, number + 1)
              if 1 <= n <= len(raw_lines) and raw_lines[n - 1].strip()}

    def continues(first: int) -> bool:   # line `first` runs on into line first + 1, mid-sentence
        return first in pieces and first + 1 in pieces and pieces[first + 1].text[0].islower() \
            and _runs_on(pieces[first], pieces[first + 1], raw_lines, wrapping)

    return number in pieces and (continues(number) or continues(number - 1))


def _wrap_width(raw_lines: list[str]) -> int | None:
    """The column a hard-wrapped text breaks its lines at, or None when its lines are not wrapped."""
    lengths = [len(line.rstrip()) for line in raw_lines if line.strip()]
    width = max(lengths, default=0)
    if width not in WRAP_WIDTHS or sum(length >= WRAP_FILL * width for length in lengths) < 2:
        return None
    return width


def _runs_on(line: _Piece, next_line: _Piece, raw_lines: list[str], wrapping: _Wrapping) -> bool:
    """Whether the break between two kept lines is a wrap inside one paragraph."""
    width, base_indent, indented_paragraphs = wrapping.width, wrapping.base_indent, wrapping.indented_paragraphs
    if width is None or next_line.number != line.number + 1:
        return False   # not a wrapped text, or a blank or removed line between them
    raw, next_raw = raw_lines[line.number - 1], raw_lines[next_line.number - 1]
    next_indent = len(next_raw) - len(next_raw.lstrip())
    next_word = next_line.text.split(maxsplit=1)[0]
    return (len(raw.rstrip()) + 1 + len(next_word) > width - WRAP_SLACK
            and next_indent <= base_indent                                   # an indent opens a paragraph or a row
            and (indented_paragraphs or not _ends_sentence(line.text) or INITIALS_END.search(line.text))
            and not line.text.endswith(":")                                  # a colon opens a list
            and not line.text.isupper()                                      # a headline or a label
            and not LIST_ITEM.match(next_line.text)
            and not COLUMN_GAP.search(line.text) and not COLUMN_GAP.search(next_line.text)
            and not (ROW_END.search(line.text) and ROW_START.match(next_line.text))
            and not ROW_LEAD.match(next_line.text)
            and not (FIGURE_END.search(next_line.text) and len(next_raw.rstrip()) <= width / 2))   # a short row


def _classify_line(piece: _Piece, in_header: bool, article: CleanArticle, furniture: bool,
                   inside_paragraph: bool = False) -> _Piece | None:
    """The story text of one line, or None when the line is set aside (recorded in article).
    `inside_paragraph`: the line is a piece of a hard-wrapped paragraph, never furniture by its shape."""
    line, start, number = piece.text, piece.start, piece.number
    end = start + len(line)
    prefix = DATE_PREFIX.match(line) if in_header else None
    if prefix:
        article.date_candidates.append(DateCandidate(prefix.group(1), "date prefix", number))
        article._remove(start, start + prefix.end(), "date prefix")
        line, start = line[prefix.end():], start + prefix.end()
    if line.startswith("#"):   # a Markdown heading
        heading = line.lstrip("#").strip()
        article._remove(start, end - len(heading), "markdown heading mark")
        line, start = heading, end - len(heading)
    unwrapped = _markdown_unwrapped(line, start, end, article)
    if unwrapped is None:
        return None
    line, start, end = unwrapped
    rule = _set_aside_rule(line, number, in_header, article, furniture, inside_paragraph)
    if rule:
        article._remove(start, end, rule)
        return None
    caption_credit = CAPTION_CREDIT.search(line)
    if caption_credit:
        article.credits.append(next(group for group in caption_credit.groups() if group).strip())
        article._remove(start + caption_credit.start(), end, "credit")
        line = line[:caption_credit.start()]
    return _Piece(number, start, line)


def _markdown_unwrapped(line: str, start: int, end: int, article: CleanArticle) -> tuple[str, int, int] | None:
    """The line (text, raw start, raw end) less the Markdown that wraps all of it, each mark recorded:
    a quote's ">", one link ("[Read more](https://...)": its words are judged), one emphasis ("*By Jane
    Doe*": a byline inside). None for a line of pictures only, set aside as `picture`."""
    if quote_mark := MARKDOWN_QUOTE_MARK.match(line):
        article._remove(start, start + quote_mark.end(), "markup")
        line, start = line[quote_mark.end():], start + quote_mark.end()
    if MARKDOWN_IMAGE_LINE.fullmatch(line):
        article._remove(start, end, "picture")
        return None
    whole_link = MARKDOWN_INLINE.fullmatch(line)
    if whole_link and whole_link.group("link"):
        words_end = whole_link.end("link") - 1
        article._remove(start, start + 1, "markup")
        article._remove(start + words_end, end, "markup")
        line, start, end = line[1:words_end], start + 1, start + words_end
    for marks in ("**", "__", "*"):
        if len(line) > 2 * len(marks) and line.startswith(marks) and line.endswith(marks) \
                and not line[len(marks)].isspace() and marks not in line[len(marks):-len(marks)]:
            article._remove(start, start + len(marks), "markup")
            article._remove(end - len(marks), end, "markup")
            return line[len(marks):-len(marks)], start + len(marks), end - len(marks)
    return line, start, end


def _set_aside_rule(line: str, number: int, in_header: bool, article: CleanArticle, furniture: bool,
                    inside_paragraph: bool = False) -> str | None:
    """The rule that sets a whole line aside (taking its date or credit into article), or None to keep it.
    A piece of a hard-wrapped paragraph is judged as no line of its own: no label, button, credit or
    repeated line by its shape."""
    if TABLE_RULE.fullmatch(line):
        return "markup"
    # (a pipe escaped inside a cell, "\|", is no content either)
    cells = [cell.strip(" \\") for cell in line.strip("|").split("|")] if line.startswith("|") else []
    if cells and not any(cells):   # a layout table's empty row
        return "markup"
    if len([cell for cell in cells if cell]) == 1:   # a layout table's one filled cell ("| Advertisements |  |")
        junk = junk_rule(next(cell for cell in cells if cell))
        if junk:
            return junk
    junk = None if inside_paragraph else junk_rule(line)
    if junk:
        return junk
    if _is_contact(line):
        article.contacts.append(line.removeprefix("--").strip())
        return "contact"
    credit = None if inside_paragraph else _credit_line(line)
    if credit:
        article.credits.append(credit)
        return "credit"
    published = PUBLISHED_LINE.match(line)
    if published and find_dates_with_time(line[published.end():]):
        # Below the header a "Posted ..." line may be a reader's comment: evidence only there.
        # An "Updated ..." line dates a change, not the publication.
        origin = "updated line" if re.match(r"(?i)(last )?updated", line) else "published line"
        article.date_candidates += [DateCandidate(text, origin if in_header else "body", number)
                                    for text in find_dates_with_time(line[published.end():])]
        return "published line"
    if in_header and _is_date_line(line):
        article.date_candidates += [DateCandidate(text, "header line", number) for text in find_dates_with_time(line)]
        return "date line"
    byline = BYLINE.fullmatch(line) if in_header else None
    if byline and article.byline is None:
        article.byline = byline.group(1)
        return "byline"
    if furniture and not inside_paragraph and not AGENCY_SIGNOFF.search(line):
        return "repeated line"
    return None


def junk_rule(line: str) -> str | None:
    """The rule naming a line as page furniture by its shape alone (a label, a counter, a row of share
    buttons, a call to buy), or None."""
    for rule, pattern in JUNK_LINE:
        if pattern.fullmatch(line):
            return rule
    if _is_share_row(line):
        return "share button"
    if TEASER_LINE.fullmatch(line) and not _ends_sentence(line) and len(line.split()) <= TITLE_MAX_WORDS:
        return "teaser"
    if _is_call_to_action(line):
        return "advertisement"
    return None


def _is_share_row(line: str) -> bool:
    words = [word.lower() for word in _BUTTON_WORD.findall(line)]
    return (0 < len(words) <= SHARE_ROW_MAX_WORDS and all(w in SHARE_ACTIONS or w in SHARE_FILLER for w in words)
            and any(w in SHARE_ACTIONS for w in words) and not SENTENCE_END.search(line.rstrip("!")))


def _is_call_to_action(line: str) -> bool:
    """A short imperative line that sells: see CALL_TO_ACTION. Quoted or full-stopped lines are story."""
    words = len(line.split())
    if words > CALL_TO_ACTION_MAX_WORDS or re.search(r"[.?…][\"”’')\]]*$", line) or re.search(r"[\"“”]", line):
        return False
    # A tag line before the call: "Cover from Earthquake & Floods. Buy Home Insurance".
    call = CALL_TO_ACTION.fullmatch(line) or CALL_TO_ACTION.fullmatch(re.split(r"[.!]\s+(?=[A-Z])", line)[-1])
    return bool(call) and (bool(OFFER_WORD.search(call.group("rest")))
                           or len(call.group(0).split()) <= BUTTON_MAX_WORDS and (
                               bool(BUTTON_REST.fullmatch(call.group("rest"))) or bool(SELLING_VERB.match(call.group(0)))))


def _credit_line(line: str) -> str | None:
    """The credit a whole line prints ("(AP Photo/Eric Gay)", "Based on materials from TASS"), or None."""
    if len(line.split()) > CREDIT_LINE_MAX_WORDS:
        return None
    credit = CREDIT_LINE.fullmatch(line)
    return credit.group(1).strip() if credit else None


def _is_contact(line: str) -> bool:
    return bool(CONTACT_LINE.fullmatch(line)) and (
        bool(EMAIL.search(line)) or any(sum(ch.isdigit() for ch in phone) >= 7 for phone in PHONE.findall(line)))


def _repeated_furniture(raw_lines: list[str], repeated_lines: frozenset[str]) -> set[int]:
    """Numbers of the lines the repetition layer sets aside: lines repeated across the source's
    stories, less a heading ending in a colon over a line of this story's own ("Scorers :")."""
    if not repeated_lines:
        return set()
    lines = [(number, line.strip()) for number, line in enumerate(raw_lines, start=1) if line.strip()]
    repeated = [line_fingerprint(line) in repeated_lines for _, line in lines]
    return {number for position, (number, line) in enumerate(lines) if repeated[position]
            and not (line.endswith(":") and position + 1 < len(lines) and not repeated[position + 1])}


def _is_date_line(line: str) -> bool:
    """A line that prints a full date and nothing else but weekday, time, timezone and punctuation."""
    spans = date_time_spans(line)
    if not spans:
        return False
    rest = "".join(line[end:next_start] for (_, end), (next_start, _) in zip(spans, spans[1:] + [(len(line), 0)]))
    return not DATE_LINE_FILLER.sub("", line[:spans[0][0]] + rest)


def _in_header(story: list[_Piece]) -> bool:
    """Whether the next line still sits in the header: no paragraph kept yet but, maybe, a headline."""
    if not story:
        return True
    if any(DATELINE.match(piece.text) for piece in story[1:]):
        return False   # the body has begun: a date in a hard-wrapped line of it is no header date
    # Once a paragraph is kept the header is over, whatever short lines follow ("Comments", "Share").
    return len(story) < HEADER_LINES and not any(
        _is_paragraph(piece.text) and not (i == 0 and _is_headline(piece.text)) for i, piece in enumerate(story))


def _is_headline(text: str) -> bool:
    """A short line in capitals is a headline even when it ends in a dot ("... TRADE DEAL WITH U.S.")."""
    return not _is_paragraph(text) or text.isupper() and len(text.split()) <= TITLE_MAX_WORDS


def _is_paragraph(text: str) -> bool:
    return len(text.split()) > TITLE_MAX_WORDS or bool(SENTENCE_END.search(text))


def _ends_sentence(text: str) -> bool:
    """Whether a line ends a sentence, an agency sign-off ("... a briefing. -REUTERS") included."""
    signoff = AGENCY_SIGNOFF.search(text)
    return signoff is not None and (signoff.group(2) is not None or _ends_sentence(text[:signoff.start()])) \
        or bool(SENTENCE_END.search(text))


def _take_title(story: list[_Piece], article: CleanArticle) -> list[_Piece]:
    """Move the headline (a short first line before the body) into the title field."""
    if article.title:
        for piece in story:
            if piece.text == article.title:
                article._remove(piece.start, piece.start + len(piece.text), "title")
        return [piece for piece in story if piece.text != article.title]
    if len(story) > 1 and _is_headline(story[0].text) and story[0].number <= HEADER_LINES + 2 \
            and not DATELINE_LINE.fullmatch(story[0].text) and not _opens_with_dated_dateline(story[0].text):
        article.title = story[0].text
        article._remove(story[0].start, story[0].start + len(story[0].text), "title")
        return story[1:]
    return story


def _opens_with_dated_dateline(text: str) -> bool:
    """Whether a line opens with a dateline that carries a date ("Mar 14, 2006 - Market news ..."): the
    story's first paragraph, never its headline, even when nothing above it is left to be the title."""
    dateline = DATELINE.match(text)
    return bool(dateline and (find_dates_with_time(dateline.group(1)) or find_yearless_dates(dateline.group(1))))


def _drop_furniture_among_credits(story: list[_Piece], article: CleanArticle, set_aside: dict[int, str],
                                  line_count: int) -> list[_Piece]:
    """A short line without a figure after the story's last sentence, followed by nothing but lines
    known patterns set aside (photo credits, share buttons, copyright), is part of that furniture
    block (a site's tag line among its credits). Data, contacts and sign-offs are no such evidence."""
    last_sentence = max((i for i, piece in enumerate(story) if _ends_sentence(piece.text)), default=None)
    if last_sentence is None:
        return story
    tail = story[last_sentence + 1:]
    # One line only: two or more short lines after the last sentence are a list of the story's own
    # (a fixture list, the officials), and so is a line under a label ending in a colon.
    if len(tail) != 1 or story[last_sentence].text.endswith(":") or any(
            _FIGURE.search(p.text) or len(p.text.split()) > DATA_ROW_MAX_WORDS or DATA_SHAPE.search(p.text)
            or AGENCY_SIGNOFF.search(p.text) for p in tail):   # a sign-off is a credit, taken later
        return story
    kept_numbers = {p.number for p in tail}
    after = [number for number in range(tail[0].number + 1, line_count + 1)
             if number in set_aside or number in kept_numbers]
    evidence = [number for number in after if set_aside.get(number) in FURNITURE_EVIDENCE]
    if not evidence or any(number not in kept_numbers and set_aside[number] not in FURNITURE_EVIDENCE
                           for number in after) or max(kept_numbers) > max(evidence):
        return story
    for piece in tail:
        article._remove(piece.start, piece.start + len(piece.text), "furniture among credits")
    return story[:last_sentence + 1]


def _drop_closing_promotion(story: list[_Piece], article: CleanArticle) -> list[_Piece]:
    """The run of short lines closing the text, from its first teaser, sign-off or call to click on
    (TEASER), once the story has had a paragraph: what a page prints after its story ends. With it,
    the labels ending in a colon just before it, or closing the text, that head nothing left, and an
    author box (its label, then a bio) among the last lines."""
    run = len(story)
    def promotes(text: str) -> bool:
        return len(text.split()) <= TEASER_MAX_WORDS and bool(TEASER.fullmatch(text) or HOUSE_PLUG.fullmatch(text)
                                                              or LEAD_IN.fullmatch(text))

    while run > 1 and (promotes(story[run - 1].text) or len(story[run - 1].text.split()) <= TAIL_LINE_MAX_WORDS
                       and not _ends_sentence(story[run - 1].text)):
        run -= 1
    first = next((i for i in range(run, len(story)) if promotes(story[i].text)), len(story))
    box = next((i for i in range(max(1, len(story) - AUTHOR_BOX_LINES - 1), first)
                if AUTHOR_BOX_LABEL.fullmatch(story[i].text)), None)
    if box is not None:
        first = box   # the author box and whatever closes the page after it
    # Labels left with nothing under them ("Weiterführende Links:", "Empfehlungen von Matthias:",
    # "Lue myös:"): the links they headed were navigation, gone already. Not a wire's line in capitals
    # closing a table ("COMPETITIVE PRE-SALE CONTRIBUTED BY J.J. KENNY K-SHEETS :", CoNLL-2003).
    while first > 1 and story[first - 1].text.endswith(":") and len(story[first - 1].text.split()) <= DANGLING_LABEL_WORDS \
            and not story[first - 1].text.isupper():
        first -= 1
    if first == len(story) or not any(_is_paragraph(piece.text) for piece in story[:first]):
        return story
    for piece in story[first:]:
        article._remove(piece.start, piece.start + len(piece.text), "closing promotion")
    return story[:first]


def _take_dateline_and_signoff(story: list[_Piece], article: CleanArticle) -> list[_Piece]:
    """Move "MOSCOW, Aug 26:", "ROME 1996-12-06" and "-REUTERS" from the text into the dateline and credits."""
    story = list(story)
    for i, piece, alone, dateline in _datelines(story):
        if dateline:
            article.dateline = dateline.group(1).strip()
            if not alone and dateline.group(2):
                article.credits.append(dateline.group(2))
            found = find_dates_with_time(article.dateline) or find_yearless_dates(article.dateline)
            article.date_candidates += [DateCandidate(d, "dateline", piece.number) for d in found[:1]]
            article._remove(piece.start, piece.start + dateline.end(), "dateline")
            rest = piece.text[dateline.end():]
            story[i:i + 1] = [_Piece(piece.number, piece.start + dateline.end(), rest)] if rest else []
            break
    else:
        story = _take_split_dateline(story, article)
    while story:
        piece = story[-1]
        signoff = AGENCY_SIGNOFF.search(piece.text)
        if not signoff:
            break
        article.credits.append((signoff.group(1) or signoff.group(2)).strip())
        remainder = piece.text[:signoff.start()].rstrip()
        article._remove(piece.start + len(remainder), piece.start + len(piece.text), "agency sign-off")
        story[-1:] = [_Piece(piece.number, piece.start, remainder)] if remainder else []
    return story


def _take_split_dateline(story: list[_Piece], article: CleanArticle) -> list[_Piece]:
    """A dateline printed over two lines, the place then the date alone ("FARMINGTON HILLS , Mich ." /
    "1996-08-30"), moved into the dateline field."""
    for i, (place, date) in enumerate(zip(story[:3], story[1:4])):
        joined = f"{place.text.rstrip(' .')} {date.text}"
        if len(place.text.split()) <= 6 and _is_date_line(date.text) and DATELINE_LINE.fullmatch(joined):
            article.dateline = joined
            found = find_dates_with_time(date.text)
            article.date_candidates += [DateCandidate(d, "dateline", date.number) for d in found[:1]]
            for piece in (place, date):
                article._remove(piece.start, piece.start + len(piece.text), "dateline")
            return story[:i] + story[i + 2:]
    return story


def _datelines(story: list[_Piece]):
    """(index, piece, printed alone?, match) of the dateline among the first lines: the first that
    carries a date, else the first without one ("LONDON (Reuters) -"). A headline in capitals
    ("IPO FILING -- ...", "PRESS DIGEST - ...") reads like a dateless dateline: the dated line under it wins."""
    found = []
    for i, piece in enumerate(story[:3]):
        alone = DATELINE_LINE.fullmatch(piece.text)
        dateline = alone or DATELINE.match(piece.text)
        if dateline:
            found.append((i, piece, alone, dateline))
    dated = [f for f in found if find_dates_with_time(f[3].group(1)) or find_yearless_dates(f[3].group(1))]
    return (dated or found)[:1]


def repeated_lines_by_source(documents: Iterable[dict]) -> dict[str, frozenset[str]]:
    """Per source folder, the fingerprints of short lines printed in several different stories of it,
    less table labels: lines that sit beside a data row in at least half the stories printing them
    ("Year" over a results table, "Division two" over its scores) are story data, not furniture.

    `documents` (source_path, raw_text) may be a whole run's, read file by file. Copies of one story
    (syndicated or re-scraped) count once: a story is known by its longest line.
    """
    stories_with_line: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    beside_data: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    stories: dict[str, set[str]] = defaultdict(set)
    for doc in documents:
        source = _source_of(doc["source_path"])
        lines = [stripped for line in doc["raw_text"].split("\n") if (stripped := line.strip())]
        if not lines:
            continue
        story_key = line_fingerprint(max(lines, key=len))
        stories[source].add(story_key)
        with_line = stories_with_line[source]
        data_rows = [_is_data_row(line) for line in lines]
        for position, line in enumerate(lines):
            if len(line.split()) <= REPEAT_MAX_WORDS:
                if fingerprint := line_fingerprint(line):
                    with_line[fingerprint].add(story_key)
                    if any(data_rows[i] for i in (position - 1, position + 1) if 0 <= i < len(lines)):
                        beside_data[source][fingerprint].add(story_key)
    repeated = {}
    for source, lines in stories_with_line.items():
        needed = max(REPEAT_MIN_STORIES, math.ceil(REPEAT_MIN_SHARE * len(stories[source])))
        repeated[source] = frozenset(line for line, keys in lines.items()
                                     if len(keys) >= needed and 2 * len(beside_data[source][line]) < len(keys))
    return repeated


def _is_data_row(line: str) -> bool:
    """A short line holding a figure that no other rule takes (a date, credit, counter, contact or
    sign-off): a table row, a score, a result."""
    return (len(line.split()) <= DATA_ROW_MAX_WORDS and bool(_FIGURE.search(line)) and not SENTENCE_END.search(line)
            and not junk_rule(line)
            and not (_credit_line(line) or _is_contact(line) or AGENCY_SIGNOFF.search(line))
            and not find_dates_with_time(line))


def stage_repeated_lines(documents_in: list[str], repeated_out: str) -> dict:
    """repeated_lines_by_source over staged documents files, written to `repeated_out` (source,
    fingerprint), so a worker process can run it; returns the seconds it took."""
    started = time.perf_counter()
    rows = (row for path in documents_in
            for row in pq.read_table(path, columns=["source_path", "raw_text"]).to_pylist())
    repeated = repeated_lines_by_source(rows)
    pq.write_table(pa.table({"source": [s for s, lines in repeated.items() for _ in lines],
                             "fingerprint": [f for lines in repeated.values() for f in lines]},
                            schema=pa.schema([("source", pa.string()), ("fingerprint", pa.string())])), repeated_out)
    return {"seconds": time.perf_counter() - started}


def _source_of(source_path: str) -> str:
    """The source an input belongs to for the repetition layer: its folder (one site per folder)."""
    return str(PurePosixPath(source_path).parent)


REMOVED_SPAN = pa.struct([("start_char", pa.int32()), ("end_char", pa.int32()), ("rule", pa.string())])
TEXT_MAP_PIECE = pa.struct([("clean_start", pa.int32()), ("raw_start", pa.int32()), ("length", pa.int32())])
ARTICLE_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("source_path", pa.string()), ("record_index", pa.int32()),
    ("source_format", pa.string()), ("encoding", pa.string()), ("title", pa.string()),
    ("byline", pa.string()), ("dateline", pa.string()), ("credits", pa.string()), ("contact", pa.string()),
    ("clean_text", pa.string()), ("published_date", pa.date32()), ("date_source", pa.string()),
    ("content_hash", pa.string()), ("word_count", pa.int32()), ("input_order", pa.int64()),
    # Loaded into publication_details, removed_spans and clean_text_map (sql/load/insert_*.sql).
    ("published_time", pa.time64("us")), ("published_timezone", pa.string()), ("date_confidence", pa.float64()),
    ("removed_spans", pa.list_(REMOVED_SPAN)), ("text_map", pa.list_(TEXT_MAP_PIECE)),
])


def clean_documents(documents: pa.Table, run_date: dt.date,
                    repeated: dict[str, frozenset[str]] | None = None) -> pa.Table:
    """Clean every document of a batch; articles with empty text stay, for the clean suite to set aside.

    `repeated` is the run's repeated lines per source (the pipeline counts them over the whole
    run); without it they are counted in this batch alone.
    """
    docs = documents.to_pylist()
    if repeated is None:
        repeated = repeated_lines_by_source(docs)
    cleaned = [clean_article(doc["raw_text"], doc["title_hint"], doc["date_hint"],
                             repeated.get(_source_of(doc["source_path"]), frozenset()), doc.get("date_evidence"))
               for doc in docs]
    orders = house_date_orders([(_source_of(doc["source_path"]), a.date_candidates) for doc, a in zip(docs, cleaned)])
    return pa.Table.from_pylist([_article_row(doc, article, resolve_publication(
        article.date_candidates, run_date, orders.get(_source_of(doc["source_path"])))) for doc, article in zip(docs, cleaned)],
        schema=ARTICLE_SCHEMA)


def _article_row(doc: dict, article: CleanArticle, published: PublicationDate | None) -> dict:
    return {
        "article_id": doc["article_id"], "source_path": doc["source_path"],
        "record_index": doc["record_index"], "source_format": doc["source_format"],
        "encoding": doc["encoding"], "title": article.title, "byline": article.byline,
        "dateline": article.dateline, "credits": "; ".join(article.credits) or None,
        "contact": "; ".join(article.contacts) or None,
        "clean_text": article.clean_text,
        "published_date": published.date if published else None,
        "date_source": published.source if published else None,
        "content_hash": hashlib.blake2b(article.clean_text.encode("utf-8"), digest_size=8).hexdigest(),
        "word_count": len(article.clean_text.split()), "input_order": doc["input_order"],
        "published_time": published.time if published else None,
        "published_timezone": published.timezone if published else None,
        "date_confidence": published.confidence if published else None,
        "removed_spans": [{"start_char": s.start, "end_char": s.end, "rule": s.rule} for s in article.removed],
        "text_map": [{"clean_start": c, "raw_start": r, "length": n} for c, r, n in article.text_map],
    }
