"""Page text: the story an HTML page prints, its title and its publication-date evidence.

trafilatura reads the page twice (precise mode, then its default mode), and this module decides
what of either is the story: the lines the default mode finds inside precise mode's story, the
sentences after it, the story the page declares in JSON-LD when the text holds little of it,
less placeholder Latin and runs of link lines. Also the text of an HTML fragment (a declared body,
a JSON record's text written as HTML). No work at import: trafilatura and lxml load on first use.
"""

from __future__ import annotations

import functools
import html as html_module
import re
import unicodedata


# Below this many characters, trafilatura's precise mode has likely missed the story: read again.
MIN_PRECISE_TEXT = 200
# Two or more lines in a row, each the whole text of one of the page's links, are a list of links
# (related stories, tags, a menu trafilatura kept): navigation, not story. A single linked line
# (a story's "Read the report") stays. Chosen on the first half of the trafilatura-eval dev set.
MIN_LINK_RUN = 2
# A line the default mode finds inside the precise text's story joins it when it is a sentence of
# this many words or more (a lone "Contents", a table rule, a product link stay out). The length
# was chosen on the first half of trafilatura-eval; that it must end as a sentence, by reading what
# the rule added to the mediacloud pages (it halves the furniture it lets in; trafilatura-eval ties).
MIN_INSIDE_WORDS = 5


# Placeholder Latin: the words of the passage every lorem-ipsum generator draws on (Cicero, De finibus
# 1.32-33, and the classic "Lorem ipsum" cut of it). A line of PLACEHOLDER_MIN_WORDS or more words,
# PLACEHOLDER_SHARE of them from it, is placeholder: generated lines score 1.0, real Latin prose (Caesar,
# the Lord's Prayer, a Vatican notice) 0.14-0.27.
LOREM_IPSUM = (
    "Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium, totam rem "
    "aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo. "
    "Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut odit aut fugit, sed quia consequuntur magni dolores "
    "eos qui ratione voluptatem sequi nesciunt. Neque porro quisquam est, qui dolorem ipsum quia dolor sit amet, "
    "consectetur, adipisci velit, sed quia non numquam eius modi tempora incidunt ut labore et dolore magnam aliquam "
    "quaerat voluptatem. Ut enim ad minima veniam, quis nostrum exercitationem ullam corporis suscipit laboriosam, "
    "nisi ut aliquid ex ea commodi consequatur? Quis autem vel eum iure reprehenderit qui in ea voluptate velit esse "
    "quam nihil molestiae consequatur, vel illum qui dolorem eum fugiat quo voluptas nulla pariatur? At vero eos et "
    "accusamus et iusto odio dignissimos ducimus qui blanditiis praesentium voluptatum deleniti atque corrupti quos "
    "dolores et quas molestias excepturi sint occaecati cupiditate non provident, similique sunt in culpa qui officia "
    "deserunt mollitia animi, id est laborum et dolorum fuga. Et harum quidem rerum facilis est et expedita "
    "distinctio. Nam libero tempore, cum soluta nobis est eligendi optio cumque nihil impedit quo minus id quod maxime "
    "placeat facere possimus, omnis voluptas assumenda est, omnis dolor repellendus. Temporibus autem quibusdam et aut "
    "officiis debitis aut rerum necessitatibus saepe eveniet ut et voluptates repudiandae sint et molestiae non "
    "recusandae. Itaque earum rerum hic tenetur a sapiente delectus, ut aut reiciendis voluptatibus maiores alias "
    "consequatur aut perferendis doloribus asperiores repellat. Lorem ipsum dolor sit amet, consectetur adipiscing "
    "elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
    "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in "
    "voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, "
    "sunt in culpa qui officia deserunt mollit anim id est laborum.")
PLACEHOLDER_MIN_WORDS = 8
PLACEHOLDER_SHARE = 0.8
# A declared body (JSON-LD articleBody) of fewer characters is a teaser or a paywall's first
# paragraph, never a reason to replace the text.
MIN_DECLARED_BODY = 500
# The text stands when it holds this share of the declared body's 4-word shingles. On the dev pages
# (trafilatura-eval and mediacloud: 22 declare a body of 500+ characters) the text holds .80 or more
# of it on 19, and .33 or less on the other 3.
MIN_BODY_HELD = 0.6
# A line of the page is part of the declared body when this share of it is in the body ...
MIN_LINE_IN_BODY = 0.8
# ... and the page's lines stand for the body when they hold this share of it.
MIN_BODY_IN_LINES = 0.9
# When the text holds this share of the declared body, a line of at most SHORT_LINE_WORDS words that
# is not in the body (a table row aside: bodies leave tables out) is the page's, not the story's.
SHORT_LINES_CHECKED = 0.8
SHORT_LINE_WORDS = 8
BODY_MARKUP = re.compile(r"(?i)<(?:p|div|br|table|li|h\d)\b")
BLOCK_ELEMENTS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption",
                  "section", "article", "header", "footer", "ul", "ol", "table", "pre", "dt", "dd", "hr")
# Paragraphs joined without a break when a CMS flattened the body: "flood mitigation projects.The county said".
GLUED_PARAGRAPHS = re.compile(r"(?<=[a-z\d][.!?])(?=[A-Z])|(?<=[a-z\d][.!?][\"”’])(?=[A-Z“\"])")


def main_text(html: str) -> tuple[str, str | None, list[dict]]:
    """Main text, title and publication-date evidence of an HTML page.

    The text is trafilatura's (scripts and navigation dropped; tables kept, as story data): precise
    mode, with the lines its default mode finds inside the story; the default mode alone when
    precise mode finds (almost) nothing; less runs of link lines; in Unicode NFC, title too. The
    dates are the page's own statements (tasks/page_dates.py), never htmldate's search over the body.
    """
    import trafilatura  # imported here: it pulls in lxml and htmldate, not needed for text inputs

    from tasks.page_dates import page_date_evidence

    options = {"with_metadata": True, "include_comments": False, "include_tables": True,
               "date_extraction_params": {"extensive_search": False, "original_date": True}}
    document = trafilatura.bare_extraction(html, favor_precision=True, **options)
    fuller = trafilatura.bare_extraction(html, **options)
    precise_text = _without_placeholder(document.text or "" if document is not None else "")
    fuller_text = _without_placeholder(fuller.text or "" if fuller is not None else "")
    if len(precise_text.strip()) < MIN_PRECISE_TEXT:
        if fuller is not None and len(fuller_text) > len(precise_text):
            document = fuller
        text = fuller_text if document is fuller else precise_text
    else:
        text = _with_lines_inside_the_story(precise_text, fuller_text)
    text = _with_the_declared_body(text, html)
    evidence = [{"text": found.text, "origin": found.origin} for found in page_date_evidence(html)]
    if document is None:
        return "", None, evidence
    # NFC, as trafilatura's own extract() returns its text: a page may spell "ü" as u + a combining
    # diaeresis, and then a search for "geprüft" (or a quote matched against the text) misses it.
    title = unicodedata.normalize("NFC", document.title) if document.title else document.title
    return unicodedata.normalize("NFC", _without_link_runs(text, html)), title, evidence


def _without_placeholder(text: str) -> str:
    """The text less its lines of placeholder Latin ("Dolor ipsam et est cumque. Laboriosam sed ..."):
    a paywall's blurred stand-in for the story, or a template's filler, which precise mode may take
    for the story itself (mediacloud 1518961308, where the story's free first paragraph is elsewhere)."""
    return "\n".join(line for line in text.split("\n") if not _is_placeholder(line))


def _is_placeholder(line: str) -> bool:
    words = re.findall(r"[^\W\d_]+", line.lower())
    return len(words) >= PLACEHOLDER_MIN_WORDS and \
        sum(word in _placeholder_words() for word in words) >= PLACEHOLDER_SHARE * len(words)


@functools.cache
def _placeholder_words() -> frozenset[str]:
    return frozenset(re.findall(r"[a-z]+", LOREM_IPSUM.lower()))


def _with_the_declared_body(text: str, html: str) -> str:
    """The text, or the story the page declares in its JSON-LD (schema.org articleBody) where the
    text holds little of it: the story is drawn by a script (scmp.com: precise mode found only a
    photo caption), or the extractor took one block of a story split over several (mediacloud
    1685640081 kept the last three of its paragraphs).

    The page's own lines are taken where they are the declared body (trafilatura's recall mode keeps
    the paragraphs and tables); the declared body itself, split at its glued paragraph ends, where
    the page's lines do not hold it.

    Where the text does hold the body, its short lines that the body lacks are the page's: a
    newsletter form's labels, the site's name, "More News", a photo caption.
    """
    if '"articleBody"' not in html:   # most pages: no second parse
        return text
    body = _declared_body(html)
    if len(body) < MIN_DECLARED_BODY:
        return text
    in_body = _Shingled(body)
    held = _Shingled(text).share_of(body)
    if held >= SHORT_LINES_CHECKED:
        return "\n".join(line for line in text.split("\n")
                         if not line.strip() or line.lstrip().startswith("|") or len(line.split()) > SHORT_LINE_WORDS
                         or in_body.share_of(line) >= MIN_LINE_IN_BODY)
    if held >= MIN_BODY_HELD:
        return text
    import trafilatura

    recall = trafilatura.extract(html, favor_recall=True, include_comments=False, include_tables=True) or ""
    lines = [line for line in recall.split("\n") if line.strip() and in_body.share_of(line) >= MIN_LINE_IN_BODY]
    if _Shingled("\n".join(lines)).share_of(body) >= MIN_BODY_IN_LINES:
        return "\n".join(lines)
    return GLUED_PARAGRAPHS.sub("\n", body)


def _declared_body(html: str) -> str:
    """The longest articleBody of the page's JSON-LD, as plain text ("" when none)."""
    import lxml.html
    from lxml.etree import ParserError

    from tasks.page_dates import json_ld_things

    try:
        tree = lxml.html.fromstring(html.encode("utf-8", "surrogatepass"))
    except (ParserError, ValueError):
        return ""
    bodies = [thing["articleBody"] for thing in json_ld_things(tree) if isinstance(thing.get("articleBody"), str)]
    body = html_module.unescape(max(bodies, key=len, default=""))   # "Amazon&#x2019;s": escaped inside the JSON
    if BODY_MARKUP.search(body):   # a body written as HTML
        return fragment_text(body)
    return "\n".join(" ".join(line.split()) for line in body.split("\n") if line.strip())


def fragment_text(markup: str) -> str:
    """The text of an HTML fragment (a declared body, a JSON record's text written as HTML): a line per
    block, a table row's cells joined by " | ", scripts, styles, forms and navigation left out."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (ParserError, ValueError):
        return ""
    for element in root.xpath(".//script|.//style|.//noscript|.//template|.//iframe|.//form|.//nav|.//button|.//svg"):
        element.drop_tree()
    for element in root.iter(*BLOCK_ELEMENTS):
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    for cell in root.iter("td", "th"):
        cell.tail = " | " + (cell.tail or "")
    return "\n".join(" ".join(line.split()) for line in root.text_content().split("\n") if line.strip())


class _Shingled:
    """A text's 4-word shingles, read once, to ask what share of another text it holds."""

    def __init__(self, text: str) -> None:
        words = re.findall(r"\w+", text.lower())
        self.words = " ".join(words)
        self.shingles = {tuple(words[i:i + 4]) for i in range(len(words) - 3)}

    def share_of(self, text: str) -> float:
        """The share of text's 4-word shingles found here (for a text under 4 words: all its words, in order)."""
        words = re.findall(r"\w+", text.lower())
        if len(words) < 4:
            return float(" ".join(words) in self.words) if words else 0.0
        shingles = {tuple(words[i:i + 4]) for i in range(len(words) - 3)}
        return len(shingles & self.shingles) / len(shingles)


def _with_lines_inside_the_story(precise: str, fuller: str) -> str:
    """The precise text, with the sentences (`_is_sentence`) that the default mode finds between
    its first and last line, and those that directly follow its last line.

    Precise mode drops whole paragraphs in the middle of a story (a question in an interview, a
    paragraph beside a picture); what the default mode adds there is mostly story, what it adds
    before or after is mostly furniture (newsletter forms, cookie notices, the title again), except
    sentences straight after the last line, before any heading or form: the story's end, which
    precise mode cut. On trafilatura-eval and the mediacloud pages these were 7 story lines and 4 of
    a house's plugs (2,063 characters, about three quarters story). The precise text as it is when
    the default text does not hold every one of its lines in order.
    """
    precise_lines = [line.strip() for line in precise.split("\n") if line.strip()]
    fuller_lines = [line.strip() for line in fuller.split("\n") if line.strip()]
    # Where each precise line sits in the fuller text, in order; any missing: keep the precise text.
    places, start = [], 0
    for line in precise_lines:
        try:
            start = fuller_lines.index(line, start)
        except ValueError:
            return precise
        places.append(start)
        start += 1
    if not places:
        return precise
    taken = set(places)
    inside = {i for i in range(places[0] + 1, places[-1])
              if i not in taken and _is_sentence(fuller_lines[i])}
    # The sentences that follow the last precise line without a break (no heading, form label or
    # link line between) continue the story: its last paragraphs, "X contributed to this report".
    after = places[-1] + 1
    while after < len(fuller_lines) and _is_sentence(fuller_lines[after]):
        inside.add(after)
        after += 1
    if not inside:
        return precise
    return "\n".join(line for i, line in enumerate(fuller_lines) if i in taken or i in inside)


def _is_sentence(line: str) -> bool:
    """A line of MIN_INSIDE_WORDS or more that ends as a sentence does (not a teaser's "…")."""
    return (len(line.split()) >= MIN_INSIDE_WORDS and line[-1] in ".!?:»\"”"
            and not line.endswith(("...", "…")))


def _without_link_runs(text: str, html: str) -> str:
    """The text less runs of MIN_LINK_RUN or more lines that are each wholly one link of the page,
    unless nothing else is left."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        # bytes: lxml refuses a str that carries an XML encoding declaration
        tree = lxml.html.fromstring(html.encode("utf-8", "surrogatepass"))
    except (ParserError, ValueError):
        return text
    links = {_spaced(anchor.text_content()) for anchor in tree.iter("a")} - {""}
    lines = text.split("\n")
    linked = [_spaced(line) in links for line in lines]
    in_run = [False] * len(lines)
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and linked[end]:
            end += 1
        if end - start >= MIN_LINK_RUN:
            in_run[start:end] = [True] * (end - start)
        start = end + 1 if end == start else end
    kept = "\n".join(line for line, drop in zip(lines, in_run) if not drop)
    # A page that is nothing but links keeps them: a page is never lost to this rule (its dates
    # and its record stay; the clean suite judges what is left).
    return kept if kept.strip() else text


def _spaced(text: str) -> str:
    return " ".join(text.split())
