"""Text as people enter it, in one place.

`text_normalise` is the one normaliser of every text that enters: by a form (every GET and
POST field and the path, through `core.middleware.request_text_normalise`), the Open311 API
(its own body parser), the Excel/CSV import (`imports.reading`) and the services' own checks
(`line_clean`, `text_clean`, a machine's reason). It removes

- control characters other than tab and newlines: invisible, and PostgreSQL refuses NUL;
- lone surrogates (a JSON "\\ud800"), which no database encoding can store;
- bidirectional controls (U+202A–202E embeddings and overrides, U+2066–2069 isolates, the
  marks U+200E, U+200F, U+061C): an override shows `维修\u202egpj.exe` as `维修exe.jpg`;
- zero-width and invisible characters (U+200B–200D, U+2060–2064, U+FEFF, U+180E, the tag
  characters U+E0000–E007F): they hide words from search, masking and duplicate detection;

turns U+2028/U+2029 (line and paragraph separators) into newlines, and composes the text to
Unicode NFC, so the same words are stored the same way. A zero-width joiner inside an emoji
sequence goes too (👨‍👩‍👧 shows as three faces): a price worth paying.

Then `line_clean` / `text_clean` check a form's title, content, name or place, with a Chinese
message naming the field. Pure Python: the triage library uses it too."""

import re
import unicodedata
from typing import Final

from minxin.core.errors import ValidationFailed

# What goes: C0 controls but tab, LF and CR; DEL and the C1 controls; surrogates; bidirectional
# controls; zero-width and invisible characters.
UNSEEN: Final = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\ud800-\udfff"
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\u180e\u200b-\u200d\u2060-\u2064\ufeff"
    "\U000e0000-\U000e007f]"
)
_SEPARATORS: Final = str.maketrans({"\u2028": "\n", "\u2029": "\n"})


def text_normalise(value: str | None) -> str:
    """The one normaliser: what cannot be seen or stored removed, NFC (module docstring)."""
    text = UNSEEN.sub("", value or "").translate(_SEPARATORS)
    return text if text.isascii() else unicodedata.normalize("NFC", text)


# The name the import, Open311 and triage code knew it by.
control_free = text_normalise


def line_clean(
    value: str | None, *, label: str, max_length: int, required: bool = True, short: str = ""
) -> str:
    """One line: runs of white space folded to one space. `short` names the field in the
    length message when it reads better shorter there (标题 for 诉求标题)."""
    return _checked(" ".join(text_normalise(value).split()), label, max_length, required, short)


def text_clean(
    value: str | None, *, label: str, max_length: int, required: bool = True, short: str = ""
) -> str:
    """A text of any lines: white space stripped at both ends only."""
    return _checked(text_normalise(value).strip(), label, max_length, required, short)


def _checked(text: str, label: str, max_length: int, required: bool, short: str) -> str:
    if required and not text:
        raise ValidationFailed(f"请填写{label}")
    if len(text) > max_length:
        raise ValidationFailed(f"{short or label}不能超过{max_length}字")
    return text
