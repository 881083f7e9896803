import datetime as dt

import pytest

from tasks.dates import DateCandidate, resolve_publication
from tasks.page_dates import PageDate, page_date_evidence, url_date

RUN_DATE = dt.date(2026, 11, 23)
BODY = "<p>" + " ".join(["The council met on Tuesday and voted on the budget for the coming year."] * 4) + "</p>"


def _page(head: str = "", header: str = "", body: str = BODY, after: str = "", lang: str = "en") -> str:
    return (f'<html lang="{lang}"><head><title>Council passes budget - The Gazette</title>{head}</head><body>'
            f'<nav><span class="today">Monday, March 2, 2020</span></nav>'
            f"<article><h1>Council passes budget</h1>{header}{body}</article>{after}</body></html>")


def _resolved(html: str):
    found = resolve_publication([DateCandidate(e.text, e.origin) for e in page_date_evidence(html)], RUN_DATE)
    return (found.date, found.source) if found else (None, None)


@pytest.mark.parametrize("head, header, expected", [
    ('<meta property="article:published_time" content="2020-01-13T17:04:34+03:00">', "",
     (dt.date(2020, 1, 13), "meta:article:published_time")),
    ('<meta name="DC.date.issued" content="2020-01-14">', "", (dt.date(2020, 1, 14), "meta:dc.date.issued")),
    ('<meta name="parsely-pub-date" content="2020-01-15T09:00:00Z">', "", (dt.date(2020, 1, 15), "meta:parsely-pub-date")),
    ('<meta name="sailthru.date" content="2020-01-16 10:00:00">', "", (dt.date(2020, 1, 16), "meta:sailthru.date")),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "dateModified": "2020-02-01T10:00:00Z",'
     ' "datePublished": "2020-01-17T08:00:00.000Z"}</script>', "", (dt.date(2020, 1, 17), "json-ld")),
    ('<link rel="canonical" href="https://news.example/politics/2020/01/18/council-passes-budget/">', "",
     (dt.date(2020, 1, 18), "url")),
    ("", '<div class="meta"><time datetime="2020-01-19T08:00:00+01:00">Sunday</time></div>',
     (dt.date(2020, 1, 19), "time element")),
    ("", "<p>Published: 20 January 2020, 10:35</p>", (dt.date(2020, 1, 20), "published line")),
    ("", '<div class="byline">January 21, 2020</div>', (dt.date(2020, 1, 21), "header line")),
    ("", '<span class="fecha">martes 21 de enero de 2020</span>', (dt.date(2020, 1, 21), "header line")),
])
def test_each_kind_of_page_evidence_gives_its_date_and_names_itself(head, header, expected):
    lang = "es" if "martes" in header else "en"
    assert _resolved(_page(head, header, lang=lang)) == expected


def test_a_modified_date_is_used_only_when_nothing_else_is_and_says_so():
    modified = '<meta property="article:modified_time" content="2020-02-03T10:00:00Z">'
    assert _resolved(_page(modified)) == (dt.date(2020, 2, 3), "meta:article:modified_time (modified)")
    published = '<meta property="article:published_time" content="2020-02-01T10:00:00Z">'
    assert _resolved(_page(modified + published)) == (dt.date(2020, 2, 1), "meta:article:published_time")


@pytest.mark.parametrize("header, body, after", [
    ("", "<p>Save big on tires: offer ends by November 8, 2018? Shop now.</p>" + BODY, ""),   # an ad line
    ("", "<p>The family has run the bakery since 2005.</p>" + BODY, ""),                        # a bare year
    ("", "<p>Prices rose in March 2019.</p>" + BODY, ""),                                       # a month and year
    ("", BODY + '<p>Read: <a href="https://news.example/2019/05/04/old-story/">Old story</a></p>', ""),  # a link
    ("", BODY, '<div class="comments"><p>Posted on June 1, 2020 by Sam</p><p>Great piece.</p></div>'),  # a comment
    ("", BODY, '<ul class="related"><li><a href="/x">Budget row</a> <span>May 5, 2019</span></li></ul>'),
    ("<p>Joined May 11, 2017</p>", BODY, ""),                         # a date that is not this article's
    ("", BODY, "<script>var published = '2019-03-03T10:00:00Z';</script>"),                  # a script
])
def test_dates_that_are_not_about_this_article_are_never_its_date(header, body, after):
    assert _resolved(_page(header=header, body=body, after=after)) == (None, None)


def test_the_site_masthead_date_is_not_the_article_date():
    assert [e for e in page_date_evidence(_page()) if e.origin != "url"] == []
    # A listing page whose only <h1> is the site's name, today's date under it (mediacloud 1687351353).
    listing = ('<html lang="en"><head><title>Business filings</title></head><body><div class="main">'
               '<h1 class="dlnmasthead">Daily Legal News</h1><div class="today">Wednesday, August 19, 2020</div>'
               f'<span>QUICKLINKS</span>{BODY}</div></body></html>')
    assert page_date_evidence(listing) == []


@pytest.mark.parametrize("header, lang, expected", [
    ("<p>03/04/2020</p>", "fr", dt.date(2020, 4, 3)),     # day-first outside English
    ("<p>03/04/2020</p>", "en-us", dt.date(2020, 3, 4)),  # month-first on a US page
    ("<p>03/04/2020</p>", "en", None),                    # either: never guess
])
def test_a_numeric_date_reads_by_the_page_language_or_not_at_all(header, lang, expected):
    assert _resolved(_page(header=header, lang=lang))[0] == expected


@pytest.mark.parametrize("url, expected", [
    ("https://a.example/news/2020/01/13/story.html", PageDate("2020-01-13", "url")),
    ("https://a.example/story-20200113", PageDate("2020-01-13", "url")),
    ("https://a.example/2020/01/story", None),            # a month is no day
    ("https://a.example/2020/story", None),
    ("https://a.example/story?ref=2019-05-04", None),     # the query is not the path
])
def test_url_date(url, expected):
    assert url_date(url) == expected


def test_agreeing_kinds_raise_confidence_and_disagreeing_lower_it():
    meta = '<meta property="article:published_time" content="2020-01-13T10:00:00Z">'
    agree = meta + '<link rel="canonical" href="https://a.example/2020/01/13/x">'
    disagree = meta + '<link rel="canonical" href="https://a.example/2019/01/13/x">'
    confidence = lambda html: resolve_publication([DateCandidate(e.text, e.origin) for e in page_date_evidence(html)],
                                                  RUN_DATE).confidence
    assert (confidence(_page(meta)), confidence(_page(agree)), confidence(_page(disagree))) == (0.9, 0.95, 0.7)


def test_a_permalink_printed_as_the_date_under_the_headline_dates_the_post():
    html = ('<html lang="en"><head><title>Harbour reopens</title></head><body><div class="widget Blog">'
            '<h1>Harbour reopens</h1><a href="https://blog.example/harbour.html">Sunday, July 5, 2020</a>'
            f'{BODY}<div class="comments"><a href="#c1">Monday, July 6, 2020</a><p>Nice.</p></div></div></body></html>')
    assert _resolved(html) == (dt.date(2020, 7, 5), "header line")


# Pages without metadata (most pages nobody tuned for): the date is only printed, beside the headline.
STANDFIRST = "<p>" + " ".join(["A standfirst sums the story up in one long sentence for readers"] * 3) + "</p>"


@pytest.mark.parametrize("article, lang, expected", [
    # An element named for the date just above the headline, outside its container.
    ('<div class="meta"><i class="date">11.02.2020, 17:29 Uhr</i></div><div class="head"><h1>Council passes budget</h1>'
     f'</div>{BODY}', "de", dt.date(2020, 2, 11)),
    # Chinese, Japanese and Korean dates; a Hungarian one with spaces.
    (f'<h1>Council passes budget</h1><div class="author">2020年03月12日 20:19:00</div>{BODY}', "zh", dt.date(2020, 3, 12)),
    (f'<h1>Council passes budget</h1><span class="info">2020. 06. 04. 11:27</span>{BODY}', "hu", dt.date(2020, 6, 4)),
    # A section, an author or a place before the date, ended by a separator.
    (f'<h1>Council passes budget</h1><div class="byline">| TNN | Apr 7, 2020, 15:43 IST</div>{BODY}', "en",
     dt.date(2020, 4, 7)),
    (f'<h1>Council passes budget</h1><div>Erhverv - 02. januar 2020 kl. 10:21</div>{BODY}', "da", dt.date(2020, 1, 2)),
    # A standfirst and a poll between the headline and the byline's date.
    (f'<h1>Council passes budget</h1>{STANDFIRST}<div class="poll"><h3>Your view?</h3></div>'
     f'<span>By Ann Lee</span><span>May 9, 2020</span>{BODY}', "en", dt.date(2020, 5, 9)),
    # An author and a dateline's place before the date; a day-first dotted date on a page of no declared language.
    (f'<h1>Council passes budget</h1><div>Ann Lee / New Delhi February 14, 2020</div>{BODY}', "en", dt.date(2020, 2, 14)),
    (f'<h1>Council passes budget</h1><span class="date">11.02.2020, 17:29 Uhr</span>{BODY}', "", dt.date(2020, 2, 11)),
    # A "related" box longer than the header zone between the headline and the date.
    ('<h1>Council passes budget</h1><div class="related">' + "<p>Other story</p>" * 14 + "</div>"
     f'<p class="author">23/06/2020 16h45</p>{BODY}', "pt-br", dt.date(2020, 6, 23)),
    # A weekday in the page's language before the date, in an element named for it.
    (f'<h1>Council passes budget</h1><time class="grey">Senin, 4 Mei 2020 04:25 WIB</time>{BODY}', "id-id",
     dt.date(2020, 5, 4)),
    # A date just above the headline, the article wrapped in a "widget" the headline shares.
    ('<div class="widget-article"><div class="article-info byline"><span class="article-datetime">2020. 06. 04. 11:27'
     f'</span></div><div class="article-title"><h1>Council passes budget</h1></div>{BODY}</div>', "hu",
     dt.date(2020, 6, 4)),
    # A photo gallery's long captions and share buttons between the headline and the byline's date: not the body.
    ('<h1>Council passes budget</h1><div class="sharing"><span>Click to share on Facebook</span>'
     '<span>Click to share on Twitter</span><span>Click to email this to a friend</span></div><div class="gallery">'
     + "<p class=\"slide-caption\">The mayor, seen here at the council's chamber on a rainy morning, spoke of the "
       "budget and of the coming year's roads, parks, schools and libraries to the reporters who waited.</p>" * 3
     + f'</div><div class="byline">By Ann Lee</div><div class="meta">Published: April 24, 2020 at 9:06 a.m.</div>{BODY}',
     "en-us", dt.date(2020, 4, 24)),
    # A headline and date printed after an HTML comment inside their elements.
    ('<h1><!-- ArticleTitle Start -->Council passes budget<!-- ArticleTitle End --></h1>'
     f'<cite><!-- Date -->(2020-01-21 11:12)</cite>{BODY}', "zh-tw", dt.date(2020, 1, 21)),
    # The date's element above a toolbar (font size, print, send) above the headline.
    ('<div class="news_pdate_c">21 May 2020 - 18:59</div><div class="toolbar">' + "<a>Font size</a><a>Print</a>"
     "<a>Send</a><a>Save</a><span>Code 7349926</span><span>Group</span><a>Yazd</a>"
     f'</div><h1>Council passes budget</h1>{BODY}', "en", dt.date(2020, 5, 21)),
    # A Persian page's Solar Hijri date, in Persian digits or ASCII ones, a weekday before it.
    (f'<h1>Council passes budget</h1><span>۲۹ بهمن ۱۳۹۸ - ۰۶:۵۵</span>{BODY}', "fa", dt.date(2020, 2, 18)),
    (f'<h1>Council passes budget</h1><span class="date">شنبه 1399/02/21</span>{BODY}', "fa-ir", dt.date(2020, 5, 10)),
    # ... with the Arabic yeh Persian pages often print ("تير", not "تیر").
    (f'<h1>Council passes budget</h1><span class="date-created">2 تير 1399 - 12:09:08 ب.ظ</span>{BODY}', "fa",
     dt.date(2020, 6, 22)),
    # An Arabic page that declares no language: a month by both its names, a "published" label and a weekday.
    (f'<h1>Council passes budget</h1><div class="article_created">تم نشره الجمعة 24 نيسان / أبريل 2020 09:22 مساءً'
     f'</div>{BODY}', "", dt.date(2020, 4, 24)),
    # A "Published on" label in its own element, the date after it, both some way above the headline
    # (bohemia.cu in mediacloud: share buttons, a comment count and the label, then the category).
    ('<div class="section"><span class="posted-label">Publicado el</span> 27 Marzo, 2020</div>'
     '<div class="section">por ACN</div><div class="section"><span>en</span><a>Nacionales</a></div>'
     f'<h1>Council passes budget</h1>{BODY}', "es-ES", dt.date(2020, 3, 27)),
    # A sticky bar's copy of the headline first, then the article's own with its standfirst and a related
    # link before the byline's date (mediacloud 1684898837).
    ('<div class="header-scroll"><h1 class="notice-title">Council passes budget</h1></div>'
     f'<h3>In the town hall</h3><h1>Council passes budget</h1>{STANDFIRST}<ul class="rel"><li><a>Earlier vote</a></li></ul>'
     f'<div class="article-info"><strong>The Gazette</strong><span class="article-date">16.08.2020 - 21:03h</span></div>'
     f'{BODY}', "es-ES", dt.date(2020, 8, 16)),
    # A date in the page language after a time ("…de 2020, 10h51").
    (f'<h1>Council passes budget</h1><span class="date">01 de Maio de 2020, 10h51</span>{BODY}', "pt-br",
     dt.date(2020, 5, 1)),
])
def test_a_date_printed_beside_the_headline_dates_a_page_without_metadata(article, lang, expected):
    html = (f'<html lang="{lang}"><head><title>Council passes budget</title></head><body>'
            f'<header><span class="site-date">Monday, March 2, 2020</span></header><article>{article}</article></body></html>')
    assert _resolved(html)[0] == expected


def test_without_a_headline_the_bylines_date_dates_the_page_and_a_teasers_does_not():
    teaser = '<ul class="more"><li><a href="/x">Older story</a><span class="date">May 5, 2019</span></li></ul>'
    byline = '<header class="article-header"><span class="byline"><time>2020-02-20 13:52:51 UTC</time></span></header>'
    page = lambda before: f'<html><head><title>Ways to travel</title></head><body>{before}<div>{BODY}</div></body></html>'
    assert _resolved(page(teaser + byline)) == (dt.date(2020, 2, 20), "time element")
    assert _resolved(page(teaser)) == (None, None)


@pytest.mark.parametrize("line", ["Member since - May 11, 2017", "Sam Roe | born | May 11, 1957"])
def test_words_before_a_date_that_make_it_another_things_date(line):
    html = (f'<html lang="en"><head><title>Council passes budget</title></head><body><article>'
            f'<h1>Council passes budget</h1><div class="byline">{line}</div>{BODY}</article></body></html>')
    assert _resolved(html) == (None, None)


@pytest.mark.parametrize("title, expected", [
    ("Nogizaka photo shoot（2020年2月15日）｜BIGLOBE News", (dt.date(2020, 2, 15), "page title")),
    ("Driver flips new car leaving the dealer - 23/06/2020 - Cars", (dt.date(2020, 6, 23), "page title")),
    ("What happened on June 4, 1989 - The Gazette", (None, None)),     # a date among the headline's words: its topic
])
def test_a_title_part_that_is_only_a_date_dates_a_page_with_no_other(title, expected):
    html = f'<html lang="pt-br"><head><title>{title}</title></head><body><div>{BODY}</div></body></html>'
    assert _resolved(html) == expected
