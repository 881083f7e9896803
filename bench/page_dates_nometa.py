"""Web page dates on mediacloud-2020-pages with and without the pages' metadata, by halves.

    .venv/bin/python -m bench.page_dates_nometa [--docs DIR] [--gold FILE] [--cache DIR]

Held-out pages mostly lack metadata, so the dev figure with metadata (.989 / .933) says little
about them. Each page is read the way the pipeline reads it (trafilatura's text, page_date_evidence,
the cleaner's header and dateline candidates, resolve_publication) twice: as saved, and with its
metadata stripped (every <meta>, JSON-LD, microdata attributes, canonical and og:url links), so
that only the printed page is left. Scored as score.py's web_dates (right within a day; coverage
over pages with a gold date), over all pages and over each half of the pages sorted by file name:
rules are chosen on the first half, the second half is the check.

trafilatura's text of each page is cached under --cache (it does not depend on tasks/page_dates.py),
so a rerun after a change to the date rules takes seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SET = ROOT.parent / "shared" / "devsets" / "mediacloud-2020-pages"
RUN_DATE = dt.date(2026, 12, 6)


def strip_metadata(html: str) -> str:
    """The page without what a crawler reads as metadata: what is left is what the page prints."""
    from lxml import etree
    from lxml.html import fromstring, tostring

    try:
        tree = fromstring(html)
    except (etree.ParserError, ValueError):
        return html
    for element in tree.xpath('//meta | //script[@type="application/ld+json"] | '
                              '//link[@rel="canonical"] | //link[@rel="shortlink"]'):
        element.drop_tree()
    for element in tree.xpath("//*[@itemprop or @itemscope or @itemtype]"):
        for attribute in ("itemprop", "itemscope", "itemtype", "content"):
            element.attrib.pop(attribute, None)
    return tostring(tree, encoding="unicode")


def _score_module():
    spec = importlib.util.spec_from_file_location("devset_score", SET.parent / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def predict(html: str, text_and_title: tuple[str, str | None]) -> tuple[dt.date | None, str | None]:
    """The page's publication date as the pipeline resolves it (one page: no house date order)."""
    from tasks.clean import clean_article
    from tasks.dates import resolve_publication
    from tasks.page_dates import page_date_evidence

    evidence = [{"text": found.text, "origin": found.origin} for found in page_date_evidence(html)]
    text, title = text_and_title
    article = clean_article(text, title, None, frozenset(), evidence)
    found = resolve_publication(article.date_candidates, RUN_DATE)
    return (found.date, found.source) if found else (None, None)


def main_text(html: str, cache: Path, key: str) -> tuple[str, str | None]:
    path = cache / f"{key}.json"
    if path.exists():
        return tuple(json.loads(path.read_text()))
    from tasks.page_text import main_text

    text, title, _ = main_text(html)
    path.write_text(json.dumps([text, title]))
    return text, title


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=SET / "docs")
    parser.add_argument("--gold", type=Path, default=SET / "publication_dates.jsonl")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/page_dates_nometa_cache"))
    parser.add_argument("--errors", action="store_true", help="print every wrong or missed page")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    from tasks.ingest import decode

    gold = sorted((json.loads(line) for line in args.gold.read_text().splitlines() if line.strip()),
                  key=lambda row: row["file"])
    score = _score_module().web_date_score
    halves = {"first half": gold[:len(gold) // 2], "second half": gold[len(gold) // 2:], "all": gold}
    for variant in ("with metadata", "metadata stripped"):
        predicted, sources = {}, {}
        for row in gold:
            html = decode((args.docs / row["file"]).read_bytes())[0]
            if variant == "metadata stripped":
                html = strip_metadata(html)
            key = row["file"] + (".nometa" if variant == "metadata stripped" else "")
            day, source = predict(html, main_text(html, args.cache, key))
            predicted[row["file"]], sources[row["file"]] = (day.isoformat() if day else None), source
        for name, rows in halves.items():
            figures = score(rows, predicted)
            print(f"{variant:18} {name:11} precision {figures['precision_1day']:.3f} coverage "
                  f"{figures['coverage_1day']:.3f} (right {figures['right']}, wrong {figures['wrong']}, "
                  f"dated {figures['dated']}, pages {figures['pages']})")
        if args.errors:
            for half, rows in halves.items():
                if half == "all":
                    continue
                for row in rows:
                    got = predicted[row["file"]]
                    right = bool(got and row["date"]) and abs(
                        (dt.date.fromisoformat(got) - dt.date.fromisoformat(row["date"])).days) <= 1
                    if not right and (got or row["date"]):
                        print(f"  {half} {row['file']} gold {row['date']} got {got} from {sources[row['file']]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
