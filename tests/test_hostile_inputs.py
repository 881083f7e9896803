"""Hostile inputs: every kind of dirty file ends as an article or in quarantine with its reason."""

import os
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.pipeline import news_pipeline
from newsflow.warehouse import open_read_only
from tasks.ingest import _read_at_most, content_id, discover_inputs, read_inputs

STORY = ("23 August 2021\nThe £5 “deal” was signed in Moscow by Vladimir Putin and "
         "Kassym-Jomart Tokayev on Monday, officials said.\n")
CLEAN_STORY = STORY.split("\n", 1)[1].strip()


def _read(root: Path, paths: list[str]):
    return read_inputs(root, paths, set(), first_order=0)


def _reasons(result) -> list[tuple]:
    return [(q["source_path"], q["record_index"], q["reason"]) for q in result.quarantined]


@pytest.mark.parametrize("encoding, name", [
    ("cp1252", "cp1252"), ("latin-1", None), ("utf-16", "utf-16"), ("utf-16-le", "utf-16"),
    ("utf-16-be", "utf-16"), ("utf-8-sig", "utf-8-sig")])
def test_legacy_and_utf16_text_decodes_with_pound_and_curly_quotes(tmp_path, encoding, name):
    text = STORY if encoding != "latin-1" else STORY.replace("“", '"').replace("”", '"')
    (tmp_path / "story.txt").write_bytes(text.encode(encoding))
    [document] = _read(tmp_path, ["story.txt"]).documents
    assert document["raw_text"] == text
    if name:
        assert document["encoding"] == name
    else:  # Latin-1 bytes are read as windows-1252, its superset for every printable character
        assert document["encoding"] == "cp1252"


def test_nul_bytes_and_random_bytes_are_quarantined_as_binary(tmp_path):
    (tmp_path / "nul.txt").write_bytes(b"Putin met\x00 Tokayev")
    (tmp_path / "noise.md").write_bytes(bytes(range(256)) * 16)
    result = _read(tmp_path, ["noise.md", "nul.txt"])
    assert result.documents == []
    assert _reasons(result) == [("noise.md", None, "binary or undecodable content, not text"),
                                ("nul.txt", None, "binary or undecodable content, not text")]


def test_empty_and_whitespace_files_are_quarantined_as_empty(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "spaces.md").write_text(" \t\n\r\n  ")
    (tmp_path / "blank.jsonl").write_text("\n\n  \n")
    (tmp_path / "none.json").write_text("[]")
    result = _read(tmp_path, ["blank.jsonl", "empty.txt", "none.json", "spaces.md"])
    assert _reasons(result) == [("blank.jsonl", None, "empty file: no text to read"),
                                ("empty.txt", None, "empty file: no text to read"),
                                ("none.json", None, "JSON file holds no article records"),
                                ("spaces.md", None, "empty file: no text to read")]
    assert result.records_seen == 4


def test_each_bad_json_record_is_quarantined_and_good_ones_kept(tmp_path):
    lines = ['{"text": "Putin met Tokayev."}', '{"text": "\\ud800 half a character"}', "[" * 50_000,
             '{"text": "x", "n": ' + "1" * 5000 + "}", '[{"text": "a list on one line"}]', '"just a string"',
             '{"text": 42}', '{"text": "Second story."}']
    (tmp_path / "feed.jsonl").write_text("\n".join(lines))
    result = _read(tmp_path, ["feed.jsonl"])
    assert [(d["record_index"], d["raw_text"]) for d in result.documents] == [(0, "Putin met Tokayev."),
                                                                              (7, "Second story.")]
    assert [(r, reason) for _, r, reason in _reasons(result)] == [
        (1, "invalid JSON on line 2: an escape names half a Unicode character"),
        (2, "invalid JSON on line 3: nested too deeply"),
        (3, "invalid JSON on line 4: a number too long to read"),
        (4, "JSON record has no string 'text' field"),
        (5, "JSON record has no string 'text' field"),
        (6, "JSON record has no string 'text' field")]
    assert result.records_seen == 8


def test_a_20_mb_file_is_quarantined_from_its_size_without_being_read(tmp_path):
    with open(tmp_path / "dump.jsonl", "wb") as handle:
        handle.write(b'{"text": "story"}\n' * (20 * 1024 * 1024 // 18 + 1))
    tracemalloc.start()
    result = _read(tmp_path, ["dump.jsonl"])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert _reasons(result) == [("dump.jsonl", None, "file is 21.0 MB, over the 5 MB limit for one article")]
    assert peak < 1_000_000  # a stat, not a read


def test_a_file_that_grew_since_its_stat_is_read_no_further_than_the_limit(tmp_path):
    (tmp_path / "growing.txt").write_text("x" * 5000)
    assert _read_at_most(tmp_path / "growing.txt", 4999) is None
    assert _read_at_most(tmp_path / "growing.txt", 5000) == b"x" * 5000


def test_files_that_vanish_or_are_replaced_by_a_pipe_are_quarantined(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block the run forever
    result = _read(tmp_path, ["gone.txt", "pipe.txt"])
    assert _reasons(result) == [("gone.txt", None, "could not be read: No such file or directory"),
                                ("pipe.txt", None, "not a regular file (a pipe, socket or device): not read")]


def test_a_file_changed_between_runs_gets_a_new_id(tmp_path):
    (tmp_path / "a.txt").write_text("First version.")
    first = _read(tmp_path, ["a.txt"]).documents[0]["article_id"]
    (tmp_path / "a.txt").write_text("Second version.")
    second = _read(tmp_path, ["a.txt"]).documents[0]["article_id"]
    assert (first, second) == (content_id("a.txt", None, "First version."), content_id("a.txt", None, "Second version."))


def test_symlink_loops_and_links_out_of_the_source(tmp_path):
    source = tmp_path / "source"
    (source / "deep" / "er" / "still" / "deeper").mkdir(parents=True)
    (source / "deep" / "er" / "still" / "deeper" / "story.txt").write_text(STORY)
    (tmp_path / "secret.txt").write_text("outside")
    os.symlink(source / "loop2.txt", source / "loop1.txt")
    os.symlink(source / "loop1.txt", source / "loop2.txt")
    os.symlink(tmp_path / "secret.txt", source / "leak.txt")
    os.symlink(tmp_path, source / "deep" / "up")  # a folder link out: never descended
    os.symlink(source, source / "deep" / "loop")  # a folder loop: never descended
    paths = discover_inputs(source)
    assert paths == ["deep/er/still/deeper/story.txt", "loop1.txt", "loop2.txt"]
    result = _read(source.resolve(), paths)
    assert [d["source_path"] for d in result.documents] == ["deep/er/still/deeper/story.txt"]
    assert _reasons(result) == [("loop1.txt", None, "could not be read: Too many levels of symbolic links"),
                                ("loop2.txt", None, "could not be read: Too many levels of symbolic links")]


def test_a_link_swapped_to_point_outside_after_listing_is_not_followed(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "story.txt").write_text(STORY)
    os.symlink(source / "story.txt", source / "alias.txt")
    paths = discover_inputs(source)
    (tmp_path / "secret.txt").write_text("outside")
    os.remove(source / "alias.txt")
    os.symlink(tmp_path / "secret.txt", source / "alias.txt")
    result = _read(source.resolve(), paths)
    assert _reasons(result) == [("alias.txt", None, "could not be read: it links outside the source folder")]
    assert all("outside" not in d["raw_text"] for d in result.documents)


def test_non_ascii_and_non_utf8_file_names(tmp_path):
    (tmp_path / "Zürich – café.txt").write_text(STORY)
    with open(os.path.join(os.fsencode(tmp_path), b"latin1-\xe9.txt"), "w") as handle:
        handle.write(STORY)
    paths = discover_inputs(tmp_path)
    assert paths == ["Zürich – café.txt", "latin1-\\xe9.txt"]
    result = _read(tmp_path.resolve(), paths)
    assert [(d["source_path"], d["raw_text"]) for d in result.documents] == [
        ("Zürich – café.txt", STORY), ("latin1-\\xe9.txt", STORY)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(contents=st.lists(st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)),
                         min_size=1, max_size=6),
       suffixes=st.lists(st.sampled_from([".txt", ".md", ".json", ".jsonl", ".html", ".pdf", ""]),
                         min_size=6, max_size=6))
def test_any_bytes_are_read_or_quarantined_never_lost(tmp_path_factory, contents, suffixes):
    source = tmp_path_factory.mktemp("random")
    for number, (data, suffix) in enumerate(zip(contents, suffixes)):
        (source / f"{number}{suffix}").write_bytes(data)
    paths = discover_inputs(source)
    result = _read(source.resolve(), paths)
    assert result.records_seen == len(result.documents) + len(result.quarantined)
    # Every file is somewhere: among the documents or the quarantine, with a reason.
    assert {d["source_path"] for d in result.documents} | {q["source_path"] for q in result.quarantined} == set(paths)
    assert all(q["reason"] for q in result.quarantined)
    result.documents_table(), result.quarantine_table()  # storable as Parquet columns (valid UTF-8)


def _pipeline_rows(warehouse: Path) -> tuple[list, list, dict]:
    with open_read_only(warehouse) as con:
        articles = con.execute("select source_path, record_index, published_date, clean_text from articles "
                               "order by 1, 2").fetchall()
        quarantine = con.execute("select source_path, record_index, stage, reason from quarantine "
                                 "order by 1, 2").fetchall()
        [run] = con.execute("select files_seen, inputs_seen, articles_loaded, quarantined, unchanged_skips "
                            "from runs").fetchall()
    return articles, quarantine, dict(zip(("files", "inputs", "articles", "quarantined", "skips"), run))


def test_a_hostile_folder_loads_what_is_news_and_quarantines_the_rest(tmp_path, prefect_harness):
    import datetime as dt

    source = tmp_path / "source"
    (source / "a" / "b" / "c" / "d").mkdir(parents=True)
    (source / "cp1252.txt").write_bytes(STORY.encode("cp1252"))
    (source / "utf16.txt").write_bytes(STORY.replace("Monday", "Sunday").encode("utf-16"))
    (source / "a" / "b" / "c" / "d" / "deep.md").write_text(STORY.replace("Monday", "Tuesday"))
    (source / "future.txt").write_text("23 August 2099\nPutin met Tokayev in Moscow on Monday.\n")
    (source / "impossible.txt").write_text("31 February 2021\nPutin met Tokayev in Astana on Monday.\n")
    (source / "boilerplate.txt").write_text("Share Here\nAdvertisement\nNo Comment.\n")
    (source / "page.html").write_text(
        "<html><head><script>var tracking = 1;</script></head><body><nav><a href='/'>Home</a> | "
        "<a href='/world'>World</a></nav><article><p>Leaders of the Collective Security Treaty Organization "
        "met by video link on Monday to discuss Afghanistan and the border.</p></article></body></html>")
    (source / "feed.jsonl").write_text('{"text": "Putin met Tokayev in Moscow."}\n{broken\n')
    (source / "nul.txt").write_bytes(b"Putin\x00met")
    (source / "empty.txt").write_text("")
    os.symlink(source / "loop.txt", source / "loop.txt")
    news_pipeline(source=str(source), warehouse=str(tmp_path / "warehouse"), workers=1)
    articles, quarantine, run = _pipeline_rows(tmp_path / "warehouse")
    cleaned = CLEAN_STORY
    assert articles == [
        ("a/b/c/d/deep.md", None, dt.date(2021, 8, 23), cleaned.replace("Monday", "Tuesday")),
        ("cp1252.txt", None, dt.date(2021, 8, 23), cleaned),
        ("feed.jsonl", 0, None, "Putin met Tokayev in Moscow."),
        # A date after the run's day or no day at all is no publication date: the article stays, undated.
        ("future.txt", None, None, "Putin met Tokayev in Moscow on Monday."),
        ("impossible.txt", None, None, "Putin met Tokayev in Astana on Monday."),
        ("page.html", None, None, "Leaders of the Collective Security Treaty Organization met by video link "
                                  "on Monday to discuss Afghanistan and the border."),
        ("utf16.txt", None, dt.date(2021, 8, 23), cleaned.replace("Monday", "Sunday")),
    ]
    assert quarantine == [
        ("boilerplate.txt", None, "clean",
         "clean check: no story text left after removing boilerplate (expect_column_values_to_match_regex)"),
        ("empty.txt", None, "ingest", "empty file: no text to read"),
        ("feed.jsonl", 1, "ingest",
         "invalid JSON on line 2: Expecting property name enclosed in double quotes at column 2"),
        ("loop.txt", None, "ingest", "could not be read: Too many levels of symbolic links"),
        ("nul.txt", None, "ingest", "binary or undecodable content, not text"),
    ]
    assert run == {"files": 11, "inputs": 12, "articles": 7, "quarantined": 5, "skips": 0}


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(contents=st.lists(st.one_of(st.binary(min_size=1, max_size=300),
                                   st.text(min_size=1, max_size=300).map(str.encode)), min_size=1, max_size=5))
def test_random_files_never_crash_a_run_and_are_all_accounted_for(tmp_path_factory, prefect_harness, contents):
    root = tmp_path_factory.mktemp("run")
    source = root / "source"
    source.mkdir()
    suffixes = (".txt", ".md", ".html", ".jsonl", ".json")
    for number, data in enumerate(contents):
        (source / f"{number}{suffixes[number % len(suffixes)]}").write_bytes(data)
    summary = news_pipeline(source=str(source), warehouse=str(root / "warehouse"), workers=1)
    assert summary["status"] == "completed"
    assert summary["inputs_seen"] == summary["articles_loaded"] + summary["quarantined"] + summary["unchanged_skips"]
    with open_read_only(root / "warehouse") as con:
        placed = {r[0] for r in con.execute("select source_path from articles union select source_path from quarantine")
                  .fetchall()}
    assert placed == {p.name for p in source.iterdir()}
