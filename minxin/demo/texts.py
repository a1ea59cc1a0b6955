"""The TipDM 2020 messages and category catalogue, read from the project's copy in data/."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from minxin.cases.models import CONTENT_MAX, TITLE_MAX

MESSAGE_FILES = (
    "labelled_sample.csv",
    "board_with_replies.csv",
    "board_with_likes.csv",
    "unlabelled.csv",
)


@dataclass(frozen=True)
class Message:
    title: str
    content: str
    label: str = ""  # top-level category, labelled_sample.csv only
    reply: str = ""  # the government's reply, board_with_replies.csv only


def data_dir() -> Path:
    return Path(settings.BASE_DIR) / "data" / "tipdm2020c"


def _read(name: str) -> list[dict[str, str]]:
    with (data_dir() / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def taxonomy_load() -> list[tuple[str, str, str]]:
    """(level1, level2, level3) rows of the three-level catalogue, in file order."""
    return [
        (r["level1"].strip(), r["level2"].strip(), r["level3"].strip())
        for r in _read("taxonomy.csv")
    ]


# Excel writes a carriage return inside a cell as the escape _x000D_ (and any control character
# as _xHHHH_); the board's export kept them as text, so the public pages showed "_x000D_".
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def excel_unescaped(text: str) -> str:
    """The text with Excel's _xHHHH_ escapes turned back into their characters and every line
    ending a plain newline."""
    text = _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _clean(text: str, limit: int) -> str:
    # The board's export keeps the page's indentation: tabs and newlines before the text.
    return excel_unescaped(text).strip()[:limit]


def messages_load() -> list[Message]:
    """Every usable message of the four files, in file order."""
    messages: list[Message] = []
    for name in MESSAGE_FILES:
        for row in _read(name):
            title = " ".join(excel_unescaped(row["title"]).split())[:TITLE_MAX]
            content = _clean(row["content"], CONTENT_MAX)
            if not title or not content:
                continue
            messages.append(
                Message(
                    title=title,
                    content=content,
                    label=row.get("label", "").strip(),
                    reply=_clean(row.get("reply", ""), CONTENT_MAX),
                )
            )
    return messages
