"""A draft's text cut into articles, pure: 第X条 starts an article (its first line may go on
with the text), 第X章 / 第X节 names the chapter of the articles below it, text before the
first article is the preamble. A text without 第X条 is cut at blank lines into parts."""

import re
from dataclasses import dataclass
from typing import Final

_NUM: Final = "[一二三四五六七八九十百千零〇两0-9０-９]+"
ARTICLE: Final = re.compile(rf"^\s*(第{_NUM}条)\s*(.*)$")
CHAPTER: Final = re.compile(rf"^\s*(第{_NUM}[章节].*)$")


@dataclass(frozen=True)
class ArticleDraft:
    heading: str
    text: str
    chapter: str = ""


@dataclass(frozen=True)
class Split:
    preamble: str
    articles: list[ArticleDraft]


def split_articles(body: str) -> Split:
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not any(ARTICLE.match(line) for line in lines):
        parts = [p.strip() for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
        return Split(
            "", [ArticleDraft(f"第{n}部分", part) for n, part in enumerate(parts, start=1)]
        )
    preamble: list[str] = []
    articles: list[ArticleDraft] = []
    chapter = ""
    heading: str | None = None
    text: list[str] = []

    def close() -> None:
        if heading is not None:
            articles.append(ArticleDraft(heading, "\n".join(text).strip(), chapter_of_heading))

    chapter_of_heading = ""
    for line in lines:
        found = ARTICLE.match(line)
        chapter_found = CHAPTER.match(line) if not found else None
        if found:
            close()
            heading, text, chapter_of_heading = found.group(1), [found.group(2)], chapter
        elif chapter_found:
            close()
            heading, text = None, []
            chapter = " ".join(chapter_found.group(1).split())
        elif heading is None:
            preamble.append(line)
        else:
            text.append(line.strip())
    close()
    return Split("\n".join(preamble).strip(), articles)
