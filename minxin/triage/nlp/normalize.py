"""Text normalisation shared by every suggester: one canonical form of what the citizen wrote."""

import html
import re
import unicodedata
from typing import Final

from minxin.core.text import control_free

from .t2s import to_simplified

# Tags, comments and the contents of script/style blocks; entities are unescaped afterwards.
_SCRIPT_RE: Final = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE: Final = re.compile(r"<!--.*?-->|<[a-zA-Z/!][^<>]{0,500}>", re.DOTALL)
_SPACE_RE: Final = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


def strip_html(text: str) -> str:
    """Remove tags (and script/style bodies) and unescape entities (&nbsp; &lt; &#x4e2d; ...)."""
    if "<" in text:
        text = _SCRIPT_RE.sub(" ", text)
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (Ａ１２，) → half-width, ideographic space → space; Chinese punctuation
    such as ，。！ is kept as punctuation by NFKC (full-width comma becomes ',')."""
    return unicodedata.normalize("NFKC", text)


def normalize_text(text: str | None) -> str:
    """The canonical form: HTML stripped, NFKC (full-width → half-width), traditional →
    simplified for common characters, control characters dropped, whitespace collapsed."""
    if not text:
        return ""
    text = strip_html(text)
    text = to_halfwidth(text)
    text = to_simplified(text)
    text = control_free(text)
    return _SPACE_RE.sub(" ", text).strip()


def is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"
