"""Ledger and bulletin exports: built in the background, scoped to the requester, masked."""

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from minxin.cases.workflow import AppealStatus
from minxin.metrics.exports import LEDGER_COLUMNS, bulletin_for
from minxin.metrics.metrics import RATES
from minxin.metrics.models import Export, ExportKind, ExportStatus
from minxin.notify.models import Notification
from tests.builders import District, appeal_in, appeal_new

LEDGER = reverse("metrics:ledger_export")
BULLETIN = reverse("metrics:bulletin")
BULLETIN_EXPORT = reverse("metrics:bulletin_export")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def client_for(d: District, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def sheet_rows(export: Export, sheet: int = 0) -> list[tuple[Any, ...]]:
    with export.file.open("rb") as f:
        book = load_workbook(io.BytesIO(f.read()), read_only=True)
    return [tuple(r) for r in book.worksheets[sheet].iter_rows(values_only=True)]


def ledger_for(client: Client, query: str, django_capture_on_commit_callbacks: Any) -> Export:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{LEDGER}?{query}" if query else LEDGER)
    assert response.status_code == 302
    export = Export.objects.latest("pk")
    assert export.status == ExportStatus.DONE, export.error
    return export


def test_the_ledger_holds_exactly_the_filtered_rows_masked(
    district: District, django_capture_on_commit_callbacks: Any
):
    dispatched = [appeal_in(district, AppealStatus.DISPATCHED) for _ in range(2)]
    appeal_in(district, AppealStatus.RESOLVED)
    appeal_new(district, title="另一件事")
    client = client_for(district, "supervisor")
    export = ledger_for(client, "status=dispatched", django_capture_on_commit_callbacks)

    rows = sheet_rows(export)
    assert rows[0] == LEDGER_COLUMNS
    assert sorted(r[0] for r in rows[1:]) == sorted(a.tracking_number for a in dispatched)
    assert export.row_count == 2
    header = list(LEDGER_COLUMNS)
    for row in rows[1:]:
        assert row[header.index("联系电话")] == "138****5678"
        assert row[header.index("诉求人")] == "张*"
        assert row[header.index("状态")] == "待接单"
        assert "13812345678" not in row

    link = reverse("metrics:export_download", args=[export.pk])
    note = Notification.objects.get(recipient=district.user("supervisor"), link=link)
    assert "台账" in note.title
    response = client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"  # type: ignore[attr-defined]


def test_the_confirm_page_carries_the_filters(district: District):
    response = client_for(district, "supervisor").get(f"{LEDGER}?status=dispatched&overdue=on")
    assert response.status_code == 200
    assert "status=dispatched&amp;overdue=on" in response.content.decode()


def test_a_handlers_ledger_holds_only_its_units_appeals(
    district: District, django_capture_on_commit_callbacks: Any
):
    mine = appeal_in(district, AppealStatus.DISPATCHED, assist=False)
    appeal_new(district, title="未派单的诉求")
    export = ledger_for(
        client_for(district, "handler_other"), "", django_capture_on_commit_callbacks
    )
    assert export.row_count == 0
    assert len(sheet_rows(export)) == 1
    export = ledger_for(client_for(district, "handler"), "", django_capture_on_commit_callbacks)
    assert [r[0] for r in sheet_rows(export)[1:]] == [mine.tracking_number]


def test_only_the_requester_may_download(
    district: District, django_capture_on_commit_callbacks: Any
):
    appeal_in(district, AppealStatus.DISPATCHED)
    export = ledger_for(client_for(district, "supervisor"), "", django_capture_on_commit_callbacks)
    link = reverse("metrics:export_download", args=[export.pk])
    assert client_for(district, "leader").get(link).status_code == 404
    assert client_for(district, "handler").get(link).status_code == 404
    assert client_for(district, "supervisor").get(link).status_code == 200


def test_the_exports_page_lists_only_ones_own(
    district: District, django_capture_on_commit_callbacks: Any
):
    ledger_for(client_for(district, "supervisor"), "", django_capture_on_commit_callbacks)
    exports = reverse("metrics:exports")
    assert "下载" in client_for(district, "supervisor").get(exports).content.decode()
    assert "下载" not in client_for(district, "leader").get(exports).content.decode()


@pytest.mark.parametrize(
    ("key", "status"), [("supervisor", 200), ("leader", 200), ("handler", 404)]
)
def test_the_bulletin_is_for_supervisors_and_leaders(district: District, key: str, status: int):
    assert client_for(district, key).get(BULLETIN).status_code == status


def test_handlers_cannot_export_the_bulletin(district: District):
    response = client_for(district, "handler").post(BULLETIN_EXPORT, {"format": "pdf"})
    assert response.status_code == 404
    assert not Export.objects.exists()


def _scored_history(d: District) -> None:
    for status in (AppealStatus.RATED, AppealStatus.FOLLOW_UP, AppealStatus.RESOLVED):
        appeal_in(d, status)


def bulletin_export(d: District, fmt: str, django_capture_on_commit_callbacks: Any) -> Export:
    end = timezone.localdate()
    start = end - timedelta(days=29)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(d, "supervisor").post(
            BULLETIN_EXPORT, {"format": fmt, "start": start.isoformat(), "end": end.isoformat()}
        )
    assert response.status_code == 302
    export = Export.objects.latest("pk")
    assert export.status == ExportStatus.DONE, export.error
    assert export.params == {"start": start.isoformat(), "end": end.isoformat()}
    return export


def test_the_bulletin_xlsx_names_the_best_unit(
    district: District, django_capture_on_commit_callbacks: Any
):
    _scored_history(district)
    export = bulletin_export(district, "xlsx", django_capture_on_commit_callbacks)
    assert export.kind == ExportKind.BULLETIN_XLSX
    end = timezone.localdate()
    best = bulletin_for(start=end - timedelta(days=29), end=end).best
    assert best and best[0].label == district.street_units[0].name
    cells = {c for row in sheet_rows(export) for c in row if c}
    assert best[0].label in cells
    assert any(str(c).startswith("民心 诉求办理通报") for c in cells)


def test_the_bulletin_pdf_is_a_pdf(district: District, django_capture_on_commit_callbacks: Any):
    _scored_history(district)
    export = bulletin_export(district, "pdf", django_capture_on_commit_callbacks)
    assert export.kind == ExportKind.BULLETIN_PDF
    with export.file.open("rb") as f:
        assert f.read(4) == b"%PDF"
    assert Notification.objects.filter(
        recipient=district.user("supervisor"), kind="export_ready"
    ).exists()


def test_the_bulletin_page_shows_the_ranked_units(district: District):
    _scored_history(district)
    content = client_for(district, "supervisor").get(BULLETIN).content.decode()
    assert district.street_units[0].name in content
    assert "全区指标" in content


def test_a_user_has_at_most_three_exports_in_progress(district: District):
    """Without the worker (the tasks are never enqueued here) they stay pending."""
    client = client_for(district, "supervisor")
    for _ in range(3):
        assert client.post(LEDGER).status_code == 302
    response = client.post(LEDGER, follow=True)
    assert "您已有3个导出正在生成" in response.content.decode()
    assert Export.objects.filter(requested_by=district.user("supervisor")).count() == 3
    # Another user's quota is their own.
    assert client_for(district, "leader").post(LEDGER).status_code == 302
    assert Export.objects.count() == 4


def test_a_ledger_longer_than_the_cap_is_refused(district: District, monkeypatch):
    from minxin.metrics import exports

    monkeypatch.setattr(exports, "LEDGER_MAX_ROWS", 1)
    appeal_new(district)
    appeal_new(district)
    response = client_for(district, "supervisor").post(LEDGER, follow=True)
    assert "台账最多导出1条" in response.content.decode()
    assert not Export.objects.exists()


def test_old_export_files_are_deleted_and_the_request_stays_listed(
    district: District, django_capture_on_commit_callbacks: Any
):
    from minxin.metrics.exports import exports_expire

    client = client_for(district, "supervisor")
    export = ledger_for(client, "", django_capture_on_commit_callbacks)
    path = Path(export.file.path)
    assert path.exists()
    assert exports_expire(now=timezone.now() + timedelta(days=6)) == 0
    assert exports_expire(now=timezone.now() + timedelta(days=8)) == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and not export.file and not path.exists()
    link = reverse("metrics:export_download", args=[export.pk])
    assert client.get(link).status_code == 404
    assert "已过期" in client.get(reverse("metrics:exports")).content.decode()


def _book(export: Export) -> Any:
    with export.file.open("rb") as f:
        return load_workbook(io.BytesIO(f.read()))


def test_the_ledger_stores_times_as_excel_dates_not_text(
    district: District, django_capture_on_commit_callbacks: Any
):
    """Issue 14: a ledger is sorted and filtered in Excel; its times are dates with a format,
    in local time (Excel has no time zones)."""
    appeal = appeal_in(district, AppealStatus.RESOLVED)
    export = ledger_for(client_for(district, "supervisor"), "", django_capture_on_commit_callbacks)
    sheet = _book(export).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == appeal.tracking_number)
    for column, at in (
        ("受理时间", appeal.received_at),
        ("办结时限", appeal.resolve_due),
        ("办结时间", appeal.resolved_at),
    ):
        cell = row[header.index(column)]
        assert at is not None
        assert cell.is_date and cell.data_type == "d", column
        assert cell.number_format == "yyyy-mm-dd hh:mm"
        local = timezone.localtime(at).replace(tzinfo=None)
        assert abs(cell.value - local) < timedelta(seconds=1)
    assert row[0].data_type == "s"  # the tracking number stays text


def test_the_bulletin_xlsx_stores_figures_as_numbers(
    district: District, django_capture_on_commit_callbacks: Any
):
    _scored_history(district)
    export = bulletin_export(district, "xlsx", django_capture_on_commit_callbacks)
    book = _book(export)
    end = timezone.localdate()
    bulletin = bulletin_for(start=end - timedelta(days=29), end=end)

    sheet = book["通报"]
    district_rows = list(sheet.iter_rows(min_row=4, max_row=3 + len(RATES)))
    assert [r[0].value for r in district_rows] == [d.label for d in RATES.values()]
    measured = 0
    for name, row in zip(RATES, district_rows, strict=True):
        ratio, numerator, denominator = row[1:4]
        expected = bulletin.district.rate(name)
        if expected is None:
            assert ratio.value is None
        else:
            measured += 1
            assert ratio.data_type == "n" and ratio.number_format == "0.0%"
            assert ratio.value == pytest.approx(expected)
        assert isinstance(numerator.value, int) and isinstance(denominator.value, int)
    assert measured

    ranking = list(book["单位排名"].iter_rows(min_row=2))
    assert len(ranking) == len(bulletin.ranked) > 0
    first = ranking[0]
    assert first[0].value == 1 and first[0].data_type == "n"
    assert first[1].value == bulletin.ranked[0].label
    assert first[2].data_type == "n" and first[2].number_format == "0.00"
    assert first[2].value == pytest.approx(bulletin.ranked[0].score)
    rates = [c for c in first[4:] if c.value is not None]
    assert rates and all(c.data_type == "n" and c.number_format == "0.0%" for c in rates)
    assert all(0 <= c.value <= 1 for c in rates)
