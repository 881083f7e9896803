"""`newsflow report` in a real browser: Debian's chromium opens the page offline (the test's own small
articles and the seeds), finds the five largest stories' headlines, sees every chart drawn and no console
error, and the screenshot is not blank. Part of `make test`; `make e2e` runs the browser tests alone."""

import io
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import SEEDS, newsflow

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(os.environ.get("NEWSFLOW_E2E_DIR", "e2e-results"))

# Five events besides the seeds' one, each told once or twice, on their own days.
ARTICLES = {
    "flood_1.txt": ("River Severn floods Shrewsbury as rain continues", "12 February 2020",
                    "The River Severn burst its banks in Shrewsbury on Wednesday after days of heavy rain. The "
                    "Environment Agency issued severe flood warnings for Shropshire and said water levels at the "
                    "Welsh Bridge gauge were the highest since 2000."),
    "flood_2.txt": ("Shrewsbury homes evacuated as Severn peaks", "13 February 2020",
                    "Dozens of homes in Shrewsbury were evacuated as the River Severn peaked on Thursday. The "
                    "Environment Agency said the Welsh Bridge gauge reached 5.2 metres and warned Shropshire "
                    "residents that more rain was expected."),
    "chess_1.txt": ("Magnus Carlsen wins the Norway Chess tournament in Stavanger", "10 June 2022",
                    "Magnus Carlsen won the Norway Chess tournament in Stavanger on Friday, beating Wesley So in "
                    "the final round. The Norwegian world champion finished a point ahead of Viswanathan Anand."),
    "chess_2.txt": ("Carlsen takes Norway Chess title with a round to spare", "10 June 2022",
                    "World champion Magnus Carlsen clinched the Norway Chess title in Stavanger, beating Wesley So. "
                    "Viswanathan Anand finished second, a point behind Carlsen."),
    "volcano.txt": ("Etna erupts, closing Catania airport", "21 May 2023",
                    "Mount Etna erupted on Sunday, sending ash over eastern Sicily and closing Catania airport. "
                    "Italy's National Institute of Geophysics and Volcanology said lava flowed down the south-east "
                    "crater."),
    "rail.txt": ("Deutsche Bahn drivers strike for three days", "10 January 2024",
                 "Train drivers of the GDL union began a three-day strike at Deutsche Bahn on Wednesday. Claus "
                 "Weselsky, the union's leader, said the drivers wanted a 35-hour week."),
    "budget.txt": ("Portugal's parliament passes the 2021 budget", "26 November 2020",
                   "Portugal's parliament passed the 2021 budget on Thursday with the abstention of the Communist "
                   "Party. Prime Minister Antonio Costa said the budget would protect jobs through the pandemic."),
}


@pytest.fixture(scope="module")
def report_warehouse(tmp_path_factory):
    source = tmp_path_factory.mktemp("report") / "source"
    shutil.copytree(SEEDS, source)
    for name, (title, date, body) in ARTICLES.items():
        (source / name).write_text(f"{title}\n\n{date}\n\n{body}\n", encoding="utf-8")
    warehouse = source.parent / "warehouse"
    ran = newsflow("run", "--source", str(source), "--warehouse", str(warehouse), "--workers", "1")
    assert ran.returncode == 0, ran.stderr[-2000:]
    return warehouse


def test_the_report_page_shows_the_largest_stories_and_draws_every_chart_offline(report_warehouse, browser,
                                                                                 tmp_path):
    from PIL import Image

    page_file = tmp_path / "report.html"
    made = newsflow("report", "--warehouse", str(report_warehouse), "--out", str(page_file))
    assert made.returncode == 0, made.stderr
    assert made.stderr.startswith(f"newsflow: wrote {page_file} (") and "stories" in made.stderr
    largest = newsflow("query", "select headline from stories order by article_count desc, first_seen, story_id "
                       "limit 5", "--warehouse", str(report_warehouse), "--format", "csv")
    headlines = largest.stdout.splitlines()[1:]
    assert len(headlines) == 5, largest.stdout

    errors, requests = [], []
    page = browser.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri(), wait_until="load")
    page.locator("#chart-stories svg").first.wait_for(timeout=30_000)
    page.locator("#chart-entities svg").first.wait_for(timeout=30_000)
    page.locator("#chart-runs svg").first.wait_for(timeout=30_000)
    text = page.inner_text("body")
    for headline in headlines:
        assert " ".join(headline.strip('"').split()) in " ".join(text.split()), headline
    assert "Who said what" in text and "Vladimir Putin" in text      # the seeds' story: the largest
    assert errors == []
    assert all(url.startswith(("file:", "data:", "blob:", "about:")) for url in requests), requests
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = page.screenshot(full_page=True)
    (SCREENSHOTS / "report.png").write_bytes(shot)
    image = Image.open(io.BytesIO(shot)).convert("L")
    # Not blank: text and marks in many shades across a tall page.
    assert image.height > 2000 and len(image.getcolors(maxcolors=256) or range(256)) > 20
    assert image.getextrema()[0] < 80


def test_report_refuses_a_bad_date_a_missing_story_and_a_missing_warehouse(report_warehouse, tmp_path):
    bad_date = newsflow("report", "--warehouse", str(report_warehouse), "--since", "last week")
    assert bad_date.returncode == 2 and bad_date.stderr == "newsflow: --since 'last week' is not a date: give YYYY-MM-DD\n"
    no_story = newsflow("report", "--warehouse", str(report_warehouse), "--out", str(tmp_path / "r.html"),
                        "--story", "nope")
    assert no_story.returncode == 2 and "no story nope in the warehouse" in no_story.stderr
    assert not (tmp_path / "r.html").exists()
    missing = newsflow("report", "--warehouse", str(tmp_path / "none"), "--out", str(tmp_path / "r.html"))
    assert missing.returncode == 2 and missing.stderr.startswith("newsflow: no warehouse at")
    wrong = newsflow("report", "--warehouse", str(report_warehouse), "--out", str(tmp_path / "r.pdf"))
    assert wrong.returncode == 2 and wrong.stderr == f"newsflow: --out {tmp_path / 'r.pdf'}: name an .html file\n"


def test_a_period_narrows_the_stories_to_their_publication_dates(report_warehouse, tmp_path):
    out = tmp_path / "chess.html"
    made = newsflow("report", "--warehouse", str(report_warehouse), "--out", str(out), "--since", "2022-06-01",
                    "--until", "2022-06-30")
    assert made.returncode == 0, made.stderr
    assert made.stderr.endswith(": 1 story, publication dates 2022-06-01 to 2022-06-30\n"), made.stderr
    page = out.read_text()
    assert "Magnus Carlsen" in page and "River Severn" not in page


def test_the_pages_stories_and_the_run_summarys_are_the_stories_views_rows(report_warehouse):
    """The page and the run summary compute their stories for the few they show, not through the view (which
    scores every story): they must give what the view gives."""
    from newsflow.report import SHOWN_STORY_COLUMNS, read_report
    from newsflow.summary import read_run_summary
    from newsflow.warehouse import Warehouse, open_read_only

    columns = ", ".join(SHOWN_STORY_COLUMNS)
    with open_read_only(report_warehouse) as con:
        report = read_report(con)
        assert len(report.stories) == 6   # the seeds' story and the five above
        for row in report.stories:
            [in_view] = con.execute(f"select {columns} from stories where story_id = $id", {"id": row["story_id"]}).fetchall()
            assert tuple(row[column] for column in SHOWN_STORY_COLUMNS) == in_view
        assert report.story == {column: report.stories[0][column] for column in SHOWN_STORY_COLUMNS}
        by_view = con.execute("select story_id, article_count from stories order by article_count desc, first_seen, "
                              "story_id").fetchall()
        assert [(row["story_id"], row["article_count"]) for row in report.stories] == by_view
        run_id = con.execute("select run_id from runs").fetchone()[0]
        begun = con.execute("select s.story_id, s.first_seen, s.last_seen, s.article_count, a.title, a.source_path "
                            "from stories as s join articles as a on a.article_id = s.first_article_id "
                            "order by s.article_count desc, s.first_seen nulls last, a.source_path").fetchall()
    summary = read_run_summary(Warehouse(report_warehouse), run_id)
    assert (summary["stories"], summary["stories_begun"]) == (6, 6)
    assert [tuple(row.values()) for row in summary["new_stories"]] == \
        [(s, str(first), str(last), n, title, path) for s, first, last, n, title, path in begun]


def test_a_story_asked_for_is_shown_with_the_figures_of_the_largest(report_warehouse):
    from newsflow.report import SHOWN_STORY_COLUMNS, read_report
    from newsflow.warehouse import open_read_only

    with open_read_only(report_warehouse) as con:
        largest = read_report(con)
        second = largest.stories[1]
        asked = read_report(con, story=second["story_id"])
    assert asked.story == {column: second[column] for column in SHOWN_STORY_COLUMNS}
    assert list(asked.story) == list(largest.story)
