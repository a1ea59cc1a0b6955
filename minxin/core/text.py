"""Text as people enter it, in one place: control characters dropped (invisible, and
PostgreSQL refuses NUL), and every form's title, content, name or place checked with a Chinese
message naming the field."""

import re
from typing import Final

from minxin.core.errors import ValidationFailed

# Control characters other than tab and newlines.
CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_free(value: str | None) -> str:
    return CONTROL.sub("", value or "")


def line_clean(
    value: str | None, *, label: str, max_length: int, required: bool = True, short: str = ""
) -> str:
    """One line: runs of white space folded to one space. `short` names the field in the
    length message when it reads better shorter there (标题 for 诉求标题)."""
    return _checked(" ".join(control_free(value).split()), label, max_length, required, short)


def text_clean(
    value: str | None, *, label: str, max_length: int, required: bool = True, short: str = ""
) -> str:
    """A text of any lines: white space stripped at both ends only."""
    return _checked(control_free(value).strip(), label, max_length, required, short)


def _checked(text: str, label: str, max_length: int, required: bool, short: str) -> str:
    if required and not text:
        raise ValidationFailed(f"请填写{label}")
    if len(text) > max_length:
        raise ValidationFailed(f"{short or label}不能超过{max_length}字")
    return text
