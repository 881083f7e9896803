"""Reuters-21578 stories as one .txt file per article, the way a scraper would save wire copy.

Each file holds the story's title, its dateline and its body. For sizes beyond the 19,043
stories with a body, synthetic articles are made by joining the paragraphs of two real stories
(never committed: the corpus is written under bench/corpus/, which git ignores).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR = Path("/work/shared/corpora/reuters21578")
STORY = re.compile(r"<REUTERS(?P<attrs>[^>]*)>(?P<body>.*?)</REUTERS>", re.S)
FIELD = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.S) for name in ("DATE", "TITLE", "DATELINE", "BODY")}


@dataclass(frozen=True)
class Story:
    new_id: int
    date: str          # as printed in <DATE>, e.g. 26-FEB-1987 15:01:01.79
    title: str
    dateline: str
    body: str

    def as_text(self) -> str:
        return f"{self.title}\n{self.dateline} {self.body}\n"


def _field(name: str, text: str) -> str:
    found = FIELD[name].search(text)
    return html.unescape(found.group(1)).strip() if found else ""


def stories(corpus_dir: Path = CORPUS_DIR) -> list[Story]:
    """Every story with a body, in NEWID order."""
    found = []
    for path in sorted(corpus_dir.glob("reut2-*.sgm")):
        text = path.read_bytes().decode("utf-8", errors="replace")   # reut2-017.sgm is not valid UTF-8
        for match in STORY.finditer(text):
            body = _field("BODY", match.group("body"))
            if not body:
                continue
            new_id = int(re.search(r'NEWID="(\d+)"', match.group("attrs")).group(1))
            # Control characters (&#3; ends every body) are wire furniture, not text.
            body = re.sub(r"[\x00-\x08\x0b-\x1f]", "", body)
            found.append(Story(new_id, _field("DATE", match.group("body")), _field("TITLE", match.group("body")),
                               _field("DATELINE", match.group("body")), body))
    return sorted(found, key=lambda s: s.new_id)


def synthetic(real: list[Story], count: int) -> list[Story]:
    """`count` extra articles, each the first half of one real story and the second half of another."""
    made = []
    for i in range(count):
        a, b = real[i % len(real)], real[(i * 7919 + 13) % len(real)]
        head, tail = a.body.split("\n"), b.body.split("\n")
        body = "\n".join(head[:len(head) // 2 + 1] + tail[len(tail) // 2:])
        made.append(Story(100_000 + i, a.date, f"{a.title} / {b.title}", a.dateline, body))
    return made


def write_corpus(target: Path, articles: list[Story]) -> int:
    """Write one file per article; returns the number of whitespace-separated words written."""
    target.mkdir(parents=True, exist_ok=True)
    words = 0
    for story in articles:
        text = story.as_text()
        (target / f"{story.new_id:06d}.txt").write_text(text, encoding="utf-8")
        words += len(text.split())
    return words
