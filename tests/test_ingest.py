import json
import os

import pytest

from tasks.ingest import SourceNotFound, content_id, decode, discover_inputs, read_inputs, source_root
from tasks.page_text import _is_placeholder, _with_lines_inside_the_story, _with_the_declared_body, _without_link_runs


def _read(root, paths, known=frozenset()):
    return read_inputs(root, paths, set(known), first_order=100)


def test_discovery_is_recursive_sorted_and_relative(tmp_path):
    (tmp_path / "b" / "deep").mkdir(parents=True)
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b" / "deep" / "c.md").write_text("x")
    (tmp_path / "b" / "notes.pdf").write_bytes(b"%PDF")
    assert discover_inputs(tmp_path) == ["a.txt", "b/deep/c.md", "b/notes.pdf"]


def test_a_single_file_is_relative_to_its_folder(tmp_path):
    (tmp_path / "one.txt").write_text("x")
    assert discover_inputs(tmp_path / "one.txt") == ["one.txt"]
    assert source_root(tmp_path / "one.txt") == tmp_path.resolve()


def test_missing_source_is_a_clear_error(tmp_path):
    with pytest.raises(SourceNotFound, match="does not exist"):
        discover_inputs(tmp_path / "nope")


def test_symlinks_out_of_the_source_and_folder_loops_are_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    source = tmp_path / "source"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "story.txt").write_text("story")
    os.symlink(outside, source / "leak.txt")
    os.symlink(source / "sub" / "story.txt", source / "alias.txt")
    os.symlink(source, source / "sub" / "loop")
    assert discover_inputs(source) == ["alias.txt", "sub/story.txt"]


def test_decodes_common_encodings():
    text = "The £5 “deal” was signed in Zürich."
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert decode(text.encode("utf-16")) == (text, "utf-16")
    assert decode(("\ufeff" + text).encode("utf-8")) == (text, "utf-8-sig")
    decoded, encoding = decode(text.encode("cp1252"))
    assert decoded == text
    assert encoding in {"cp1252", "windows-1252"}


def test_binary_bytes_are_not_text():
    assert decode(bytes(range(256)) * 4) is None
    assert decode(b"text with a NUL\x00 in the middle") is None


def test_a_byte_order_mark_before_bytes_of_another_kind_is_not_text():
    # Found by the hostile-inputs test: a UTF-16 mark over an odd number of bytes, or over NULs.
    assert decode(b"\xfe\xff\x00\x00\x00") is None
    assert decode(b"\xff\xfe\x00\x00") is None
    assert decode(b"\xef\xbb\xbfcaf\xe9") is None
    assert decode("\ufeffThe mayor resigned.".encode("utf-16-be")) == ("The mayor resigned.", "utf-16")


def test_windows_newlines_are_normalised():
    assert decode(b"one\r\ntwo\rthree") == ("one\ntwo\nthree", "utf-8")


def test_content_id_is_stable_and_depends_on_place_and_text():
    assert content_id("a.txt", None, "story") == content_id("a.txt", None, "story")
    assert len(content_id("a.txt", None, "story")) == 16
    assert content_id("a.txt", None, "story") != content_id("b.txt", None, "story")
    assert content_id("a.jsonl", 0, "story") != content_id("a.jsonl", 1, "story")


def test_text_files_become_documents(tmp_path):
    (tmp_path / "a.txt").write_text("A story.\n", encoding="utf-8")
    result = _read(tmp_path, ["a.txt"])
    assert result.quarantined == []
    assert result.documents == [{
        "source_path": "a.txt", "source_format": "txt", "encoding": "utf-8", "record_index": None,
        "raw_text": "A story.\n", "article_id": content_id("a.txt", None, "A story.\n"),
        "title_hint": None, "date_hint": None, "date_evidence": [], "input_order": 100}]


def test_every_bad_input_is_quarantined_with_a_reason(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n\n")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    result = _read(tmp_path, ["binary.txt", "empty.txt", "gone.txt", "scan.pdf"])
    assert result.documents == []
    assert [(q["source_path"], q["reason"]) for q in result.quarantined] == [
        ("binary.txt", "binary or undecodable content, not text"),
        ("empty.txt", "empty file: no text to read"),
        ("gone.txt", "could not be read: No such file or directory"),
        ("scan.pdf", "unsupported file type '.pdf': newsflow reads .txt, .md, .json, .jsonl and .html"),
    ]
    assert result.records_seen == 4


def test_jsonl_keeps_good_records_and_quarantines_bad_ones(tmp_path):
    lines = [json.dumps({"text": "First story.", "title": "One", "date": "2021-08-23"}),
             "{not json",
             json.dumps({"body": "no text field"}),
             "",
             json.dumps({"text": "Second story."})]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines))
    result = _read(tmp_path, ["feed.jsonl"])
    assert [(d["record_index"], d["raw_text"], d["title_hint"], d["date_hint"]) for d in result.documents] == [
        (0, "First story.", "One", "2021-08-23"), (4, "Second story.", None, None)]
    assert [(q["record_index"], q["reason"]) for q in result.quarantined] == [
        (1, "invalid JSON on line 2: Expecting property name enclosed in double quotes at column 2"),
        (2, "JSON record has no string 'text' field")]
    assert result.records_seen == 4


def test_json_file_may_hold_one_article_or_a_list(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps({"text": "Only story."}))
    (tmp_path / "many.json").write_text(json.dumps([{"text": "A."}, {"text": ""}]))
    result = _read(tmp_path, ["many.json", "one.json"])
    assert [(d["source_path"], d["record_index"]) for d in result.documents] == [("many.json", 0), ("one.json", None)]
    assert [(q["record_index"], q["reason"]) for q in result.quarantined] == [(1, "JSON record has an empty 'text' field")]


def test_a_json_record_whose_text_is_html_gives_its_text_a_line_per_block(tmp_path):
    # What a scraper often saves: the article's HTML in the record's text field.
    records = [{"text": '<p>MOSCOW, Aug 23 (Reuters) - President Vladimir Putin met Kassym-Jomart Tokayev.</p>'
                        '<p>They discussed the <b>CSTO</b> summit.<br>Talks go on.</p><script>var x = 1;</script>'
                        '<table><tr><td>North</td><td>4,120</td></tr></table>'},
               {"text": "<div><script>track()</script></div>"}]
    (tmp_path / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    result = _read(tmp_path, ["feed.jsonl"])
    assert [d["raw_text"] for d in result.documents] == [
        "MOSCOW, Aug 23 (Reuters) - President Vladimir Putin met Kassym-Jomart Tokayev.\n"
        "They discussed the CSTO summit.\nTalks go on.\nNorth | 4,120 |"]
    # The id is the record's as given, so a re-run of the same feed skips it.
    assert result.documents[0]["article_id"] == content_id("feed.jsonl", 0, records[0]["text"])
    assert [(q["record_index"], q["reason"]) for q in result.quarantined] == [
        (1, "JSON record's 'text' is HTML with no text in it")]


def test_html_main_text_without_scripts_or_navigation(tmp_path):
    html = """<html><head><title>Summit held</title>
    <meta property="article:published_time" content="2021-08-23T10:00:00Z"></head>
    <body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
    <script>var tracking = 1;</script>
    <article><h1>Summit held</h1>
    <p>Leaders of the Collective Security Treaty Organization met by video link on Monday to discuss Afghanistan.</p>
    <p>The talks were chaired by the president of Tajikistan, officials said in a statement afterwards.</p>
    </article><footer>Copyright 2021</footer></body></html>"""
    (tmp_path / "page.html").write_text(html)
    [document] = _read(tmp_path, ["page.html"]).documents
    assert "Collective Security Treaty Organization met by video link" in document["raw_text"]
    assert "tracking" not in document["raw_text"] and "Home" not in document["raw_text"]
    assert document["title_hint"] == "Summit held"
    assert document["date_hint"] is None
    assert document["date_evidence"] == [{"text": "2021-08-23T10:00:00Z", "origin": "meta:article:published_time"}]


def test_a_json_record_url_is_date_evidence(tmp_path):
    records = [{"text": "Story one.", "url": "https://news.example/world/2021/08/23/summit-held/"},
               {"text": "Story two.", "url": "https://news.example/world/summit-held-2021/"},
               {"text": "Story three."}]
    (tmp_path / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    documents = _read(tmp_path, ["feed.jsonl"]).documents
    assert [d["date_evidence"] for d in documents] == [[{"text": "2021-08-23", "origin": "url"}], [], []]


def test_unchanged_inputs_are_skipped(tmp_path):
    (tmp_path / "a.txt").write_text("Story A.")
    (tmp_path / "b.txt").write_text("Story B.")
    result = _read(tmp_path, ["a.txt", "b.txt"], known={content_id("a.txt", None, "Story A.")})
    assert [d["source_path"] for d in result.documents] == ["b.txt"]
    assert (result.skipped, result.records_seen) == (1, 2)


def test_too_large_files_are_quarantined_without_reading(tmp_path, monkeypatch):
    monkeypatch.setattr("tasks.ingest.MAX_INPUT_BYTES", 10)
    (tmp_path / "big.txt").write_text("x" * 11)
    [quarantined] = _read(tmp_path, ["big.txt"]).quarantined
    assert quarantined["reason"] == "file is 0.0 MB, over the 0 MB limit for one article"


def test_html_keeps_the_story_table_and_a_linked_phrase(tmp_path):
    # Another site's page (issue 25): a results table is story, and so is a sentence with a link.
    html = """<html><head><title>County votes to keep the library</title></head><body>
    <article><h1>County votes to keep the library</h1>
    <p>The county board voted on Tuesday to keep the Elm Street library open for at least five more years,
    after a campaign by residents that gathered more than four thousand signatures in a month.</p>
    <p>The full minutes are on the <a href="/minutes">board's website</a>, the clerk said after the vote.</p>
    <table><tr><th>District</th><th>Yes</th><th>No</th></tr>
    <tr><td>North</td><td>4,120</td><td>3,877</td></tr><tr><td>South</td><td>2,950</td><td>3,301</td></tr></table>
    <p>Library staff said opening hours would not change, and that a new reading room would open in June.</p>
    </article></body></html>"""
    (tmp_path / "page.html").write_text(html)
    [document] = _read(tmp_path, ["page.html"]).documents
    text = document["raw_text"]
    assert "board's website" in text and "reading room would open in June" in text
    assert "4,120" in text and "South" in text


def test_html_text_and_title_are_in_nfc(tmp_path):
    # adac.de (trafilatura-eval) spells "geprüft" as u + a combining diaeresis: a search for the word,
    # typed as anyone types it, must find it, as it does in trafilatura's own extract().
    decomposed = "gepru\u0308ft"
    html = f"""<html><head><title>Kindersitze {decomposed}</title></head><body><article>
    <h1>Kindersitze {decomposed}</h1>
    <p>Achtzehn Kindersitze wurden im aktuellen Test auf Sicherheit, Bedienung und Schadstoffe {decomposed},
    und vier Modelle fielen wegen zu hoher Schadstoffwerte in den Bezugsstoffen durch.</p>
    <p>Besonders bei Babyschalen sollte {decomposed} werden, ob die Gurtlänge im Fahrzeug ausreicht.</p>
    </article></body></html>"""
    (tmp_path / "page.html").write_text(html)
    [document] = _read(tmp_path, ["page.html"]).documents
    assert "Besonders bei Babyschalen sollte geprüft werden" in document["raw_text"]
    assert "\u0308" not in document["raw_text"] and document["title_hint"] == "Kindersitze geprüft"


_STORY = ("The county will hold a virtual hearing next month on permits for its flood mitigation projects. "
          "Residents may speak for three minutes each, the clerk said on Friday.",
          "The permits assess concerns about historic buildings on Main Street. They are the last step "
          "before the county can begin to remove ten properties it bought after the floods.",
          "Officials said the hearing had been planned for the spring but was delayed by the pandemic, "
          "and that written comments will be accepted until the end of the month.")


def _page_declaring(body: str, shown: str) -> str:
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Flood permits",
                     "articleBody": body})
    return (f'<html><head><title>Flood permits</title><script type="application/ld+json">{ld}</script></head>'
            f"<body><article><h1>Flood permits</h1>{shown}</article></body></html>")


def test_a_story_drawn_by_script_is_read_from_the_body_the_page_declares(tmp_path):
    # scmp.com (trafilatura-eval): the page's HTML holds a photo caption; its JSON-LD holds the story,
    # its paragraphs glued ("...each, the clerk said on Friday.The permits ...") and its quotes escaped.
    body = "".join(_STORY).replace("the clerk", "the county&#x2019;s clerk")
    caption = ("<p>Main Street in Ellicott City after the flood of 2018, when the river rose six metres in two hours "
               "and swept cars from the street into the Patapsco. The county bought ten of the buildings in the years "
               "after the flood to make room for the water. Photo: AP</p>")
    (tmp_path / "page.html").write_text(_page_declaring(body, caption))
    [document] = _read(tmp_path, ["page.html"]).documents
    assert document["raw_text"] == "\n".join(_STORY).replace("the clerk", "the county\u2019s clerk")


def test_the_page_text_stands_when_it_holds_the_declared_body_less_short_lines_the_body_lacks(tmp_path):
    # mediacloud 1693504805: a sign-up form's labels among the story; the declared body has none of them.
    # A table row stays (declared bodies leave tables out), and so does a long line the body lacks.
    shown = (f"<p>{_STORY[0]}</p><p>Want to get notified whenever we write about</p><p>City of Gideon</p>"
             f"<p>Sign-up</p><p>{_STORY[1]}</p><table><tr><td>North</td><td>4,120</td></tr></table>"
             "<p>The clerk's office is open from nine to five on weekdays for anyone who wants to read the plans.</p>"
             f"<p>{_STORY[2]}</p><p>More News</p>")
    (tmp_path / "whole.html").write_text(_page_declaring(" ".join(_STORY), shown))
    # A paywall's teaser: the first paragraph only, while the page shows a different, longer text.
    (tmp_path / "teaser.html").write_text(_page_declaring(_STORY[0][:120], f"<p>{_STORY[1]}</p><p>{_STORY[2]}</p>"))
    whole, teaser = _read(tmp_path, ["teaser.html", "whole.html"]).documents[::-1]
    assert whole["raw_text"] == "\n".join((_STORY[0], _STORY[1], "| North | 4,120 | ", "The clerk's office is open "
                                           "from nine to five on weekdays for anyone who wants to read the plans.",
                                           _STORY[2]))
    assert teaser["raw_text"] == "\n".join(("Flood permits",) + _STORY[1:])   # the title again: clean's to take


def test_a_story_split_over_blocks_is_taken_whole_with_its_page_paragraphs():
    # mediacloud 1685640081: the extractor kept the story's last block only; the declared body names
    # all of it, and the page's own lines (recall mode) keep its paragraphs and leave the menu out.
    shown = ('<ul class="menu"><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul>'
             f'<div class="intro"><p>{_STORY[0]}</p><p>{_STORY[1]}</p></div>'
             '<div class="ad"><p>Subscribe today for unlimited access to local news from your county.</p></div>'
             f'<div class="story-body"><p>{_STORY[2]}</p></div>')
    html = _page_declaring(" ".join(_STORY), shown)
    assert _with_the_declared_body(_STORY[2], html) == "\n".join(_STORY)
    # Without the declaration, the extractor's text stands.
    assert _with_the_declared_body(_STORY[2], html.replace("articleBody", "description")) == _STORY[2]


def test_placeholder_latin_is_no_story(tmp_path):
    # mediacloud 1518961308: a paywall blurs the story with generated Latin, which precise mode took for
    # the story; the free first paragraph is the page's text.
    lorem = ("Dolor ipsam et est cumque. Laboriosam sed delectus rerum sint qui natus tenetur ea. Tenetur debitis "
             "aspernatur sapiente iure. Esse voluptatem eos sequi quia. Repellat odio libero et aliquam dicta.",
             "Quod repellat ipsa iure et laborum exercitationem. Eos quod nulla voluptatem ut id. Voluptatem "
             "consequuntur id illum dolores. Pariatur magnam rerum at cum. Sed omnis animi eos dicta.")
    html = ("<html><head><title>Kindergottesdienst in Velpe</title></head><body><article>"
            "<h1>Kindergottesdienst in Velpe</h1><div class=\"intro\"><p>Westerkappeln. Der Grundsatz ist immer noch: "
            "Wir möchten den Kindern eine biblische Geschichte nahebringen, sagt Melanie Wehmeier.</p></div>"
            f"<div class=\"paywall\"><p>{lorem[0]}</p><p>{lorem[1]}</p></div></article></body></html>")
    (tmp_path / "page.html").write_text(html)
    [document] = _read(tmp_path, ["page.html"]).documents
    assert "Der Grundsatz ist immer noch" in document["raw_text"]
    assert "Laboriosam" not in document["raw_text"] and "Pariatur" not in document["raw_text"]


def test_latin_prose_is_no_placeholder():
    assert _is_placeholder("Quod repellat ipsa iure et laborum exercitationem. Eos quod nulla voluptatem ut id.")
    assert not _is_placeholder("Gallia est omnis divisa in partes tres, quarum unam incolunt Belgae, aliam Aquitani.")
    assert not _is_placeholder("Habemus papam! Franciscus, qui in sede Petri electus est, orbi benedictionem dedit.")


def test_runs_of_lines_that_are_each_a_whole_link_are_navigation():
    # What an extractor's recall mode keeps of a "More from" block: each line the text of one link.
    html = """<p>The board meets again in March. Minutes are on <a href="/m">the county site</a>.</p>
    <h3>More from Elm County</h3><div class="teasers"><div><a href="/a">Council delays bus lane decision again</a></div>
    <div><a href="/b">Five things to do this weekend</a></div></div><p><a href="/r">Read the full report</a></p>"""
    text = ("The board meets again in March. Minutes are on the county site.\nRead the full report\n"
            "More from Elm County\nCouncil delays bus lane decision again\nFive things to do this weekend")
    assert _without_link_runs(text, html) == ("The board meets again in March. Minutes are on the county site.\n"
                                              "Read the full report\nMore from Elm County")


def test_lines_the_default_mode_finds_inside_the_story_join_the_precise_text():
    # An interview page: precise mode kept the answers and dropped the question between them and
    # the last answer after them; the default mode also kept a teaser and a menu word among them,
    # the title before the story and a newsletter form (its heading, then its pitch) after it.
    precise = "I started as a tester in 2009.\nTaking the job abroad, and I would do it again."
    fuller = ("Meet the engineer who builds our runners\n"
              "I started as a tester in 2009.\n"
              "What's the biggest career risk you have ever taken?\n"
              "Contents\n"
              "Serena Williams picked up her first title in three years -- and her first since ...\n"
              "Taking the job abroad, and I would do it again.\n"
              "Next year I want to lead the team that tests our runners.\n"
              "Newsletter\n"
              "Sign up for our newsletter and get the best stories every week.")
    assert _with_lines_inside_the_story(precise, fuller) == (
        "I started as a tester in 2009.\nWhat's the biggest career risk you have ever taken?\n"
        "Taking the job abroad, and I would do it again.\nNext year I want to lead the team that tests our runners.")


def test_the_precise_text_stands_when_the_default_mode_lost_one_of_its_lines():
    precise = "The mayor resigned on Monday.\nHer deputy takes over until May."
    fuller = "The mayor resigned on Monday.\nA paragraph only the default mode found, of many words.\nShare this"
    assert _with_lines_inside_the_story(precise, fuller) == precise
    assert _with_lines_inside_the_story(precise, "") == precise


def test_a_page_of_nothing_but_links_is_not_lost():
    html = '<ul><li><a href="/a">View The Advertiser</a></li><li><a href="/b">View The Herald Sun</a></li></ul>'
    assert _without_link_runs("View The Advertiser\nView The Herald Sun", html) == "View The Advertiser\nView The Herald Sun"
