"""Files built in the background: the appeal ledger (台账) and the bulletin (通报).

A view records an Export and enqueues `export_build_task` once its transaction commits; the
task writes the file under MEDIA_ROOT/exports/ (served only by `metrics:export_download`,
to the requester) and notifies the requester with the link.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO, Any, Final

from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.cases.selectors import AppealFilters, appeal_list_for
from minxin.core.errors import ValidationFailed
from minxin.core.privacy import mask_name, mask_phone
from minxin.core.replica import reporting_reads
from minxin.core.sheets import (
    PDF_FONT,
    PERCENT,
    SCORE,
    SIGNED_SCORE,
    Formatted,
    pdf_font,
    pdf_table_style,
    pdf_text,
    sheet_row,
)
from minxin.core.tasks import enqueue_on_commit
from minxin.notify.services import notifications_send

from .metrics import RATES, RateRow, rates_for
from .models import Export, ExportKind, ExportStatus
from .scorecards import ScoreRow, scorecard_for
from .selectors import districts_for

logger = logging.getLogger(__name__)

LEDGER_COLUMNS: Final = (
    "受理编号",
    "受理时间",
    "渠道",
    "类型",
    "标题",
    "分类",
    "区域",
    "主办单位",
    "状态",
    "办结时限",
    "办结时间",
    "满意度",
    "诉求人",
    "联系电话",
)
CHUNK_SIZE: Final = 2000
# Quotas: exports a user may have waiting or being built at once, the rows of one ledger (an
# Excel sheet holds 1,048,576; a ledger is for reading, a bulk copy is another tool's job), and
# how long a built file is kept before it is deleted (the row stays, marked expired).
MAX_EXPORTS_IN_PROGRESS: Final = 3
LEDGER_MAX_ROWS: Final = 200_000
EXPORT_KEEP_DAYS: Final = 7
BULLETIN_TOP: Final = 3

# ---------------------------------------------------------------------------------------------
# Parameters: the ledger's filters and the bulletin's period, kept as JSON on the Export.
# ---------------------------------------------------------------------------------------------

FILTER_KEYS: Final = (
    "q",
    "status",
    "unit",
    "category",
    "region",
    "channel",
    "overdue",
    "received_from",
    "received_to",
    "jurisdiction",  # 辖区, the city's staff's filter
)


def ledger_params(cleaned_data: Mapping[str, Any]) -> dict[str, Any]:
    """AppealFilterForm's cleaned data as JSON: model choices by pk, dates as ISO strings."""
    params: dict[str, Any] = {}
    for key in FILTER_KEYS:
        value = cleaned_data.get(key)
        if value in (None, "", False):
            continue
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, date):
            value = value.isoformat()
        params[key] = value
    return params


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def ledger_filters(params: Mapping[str, Any]) -> AppealFilters:
    return AppealFilters(
        q=str(params.get("q") or ""),
        status=str(params.get("status") or ""),
        unit_id=params.get("unit") or None,
        category_id=params.get("category") or None,
        region_id=params.get("region") or None,
        channel=str(params.get("channel") or ""),
        overdue=bool(params.get("overdue")),
        received_from=_date(params.get("received_from")),
        received_to=_date(params.get("received_to")),
        jurisdiction_id=params.get("jurisdiction") or None,
    )


def _period(params: Mapping[str, Any]) -> tuple[date, date]:
    return date.fromisoformat(params["start"]), date.fromisoformat(params["end"])


def _district(export: Export) -> int | None:
    """The district of a bulletin, decided again for its requester when it is built: a
    district's staff get their own whatever the parameters say (`districts_for`)."""
    asked = export.params.get("district")
    return districts_for(user=export.requested_by, asked=str(asked or "")).chosen


# ---------------------------------------------------------------------------------------------
# Request and build
# ---------------------------------------------------------------------------------------------


def export_request(*, user: User, kind: ExportKind, params: Mapping[str, Any]) -> Export:
    """Record the export and build it in the background once the caller's transaction commits;
    refused while the user already has MAX_EXPORTS_IN_PROGRESS waiting or being built, and for a
    ledger longer than LEDGER_MAX_ROWS."""
    busy = Export.objects.filter(
        requested_by=user, status__in=[ExportStatus.PENDING, ExportStatus.RUNNING]
    ).count()
    if busy >= MAX_EXPORTS_IN_PROGRESS:
        raise ValidationFailed(f"您已有{busy}个导出正在生成，请等它们完成后再申请")
    if kind == ExportKind.LEDGER:
        rows = appeal_list_for(user=user, filters=ledger_filters(params)).count()
        if rows > LEDGER_MAX_ROWS:
            raise ValidationFailed(
                f"筛选结果共{rows:,}条，台账最多导出{LEDGER_MAX_ROWS:,}条，请缩小筛选范围（如受理日期）"
            )
    export = Export.objects.create(kind=kind, requested_by=user, params=dict(params))

    def enqueue() -> None:
        from .tasks import export_build_task

        export_build_task.enqueue(export.pk)

    enqueue_on_commit(enqueue)
    return export


def export_build(export_id: int) -> Export:
    """Build the file of a pending export, then tell the requester (done or failed)."""
    export = Export.objects.select_related("requested_by").get(pk=export_id)
    if export.status not in (ExportStatus.PENDING, ExportStatus.FAILED):
        return export  # already built or being built: a re-run of the task does nothing
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING)
    try:
        with tempfile.TemporaryFile() as out:
            # The reads of a report may go to the replica (core/replica.py).
            with reporting_reads():
                name, rows = _BUILDERS[ExportKind(export.kind)](export, out)
            out.seek(0)
            with transaction.atomic():
                export.file.save(name, File(out), save=False)
                export.row_count = rows
                export.status = ExportStatus.DONE
                export.error = ""
                export.finished_at = timezone.now()
                export.save()
                notifications_send(
                    recipients=[export.requested_by],
                    title=f"{export.get_kind_display()}已生成",
                    body=f"共 {rows} 行，点击下载。",
                    link=reverse("metrics:export_download", args=[export.pk]),
                    kind="export_ready",
                )
    except Exception as exc:
        logger.exception("export %s failed", export.pk)
        with transaction.atomic():
            export.status = ExportStatus.FAILED
            export.error = f"{type(exc).__name__}: {exc}"[:2000]
            export.finished_at = timezone.now()
            export.save(update_fields=["status", "error", "finished_at"])
            notifications_send(
                recipients=[export.requested_by],
                title=f"{export.get_kind_display()}生成失败",
                body="请稍后重试，或联系管理员。",
                link=reverse("metrics:exports"),
                kind="export_failed",
            )
    return export


# ---------------------------------------------------------------------------------------------
# Ledger
# ---------------------------------------------------------------------------------------------


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def ledger_row(appeal: Appeal) -> list[Any]:
    """One appeal's cells; its times as datetimes, written as Excel dates by `sheet_row`."""
    return [
        appeal.tracking_number,
        appeal.received_at,
        appeal.get_channel_display(),
        appeal.get_kind_display(),
        appeal.title,
        appeal.category.name if appeal.category else "",
        appeal.region.name if appeal.region else "",
        appeal.lead_unit.name if appeal.lead_unit else "",
        appeal.get_status_display(),
        appeal.resolve_due,
        appeal.resolved_at,
        appeal.get_satisfaction_display() if appeal.satisfaction else "",
        "匿名" if appeal.is_anonymous else mask_name(appeal.appellant_name),
        mask_phone(appeal.appellant_phone),
    ]


def _ledger_rows(export: Export) -> Iterator[list[Any]]:
    appeals = appeal_list_for(user=export.requested_by, filters=ledger_filters(export.params))
    for appeal in appeals.iterator(chunk_size=CHUNK_SIZE):
        yield ledger_row(appeal)


def _build_ledger(export: Export, out: IO[bytes]) -> tuple[str, int]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("诉求台账")
    sheet.append(list(LEDGER_COLUMNS))
    rows = 0
    for row in _ledger_rows(export):
        sheet.append(sheet_row(sheet, row))
        rows += 1
    book.save(out)
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    return f"ledger-{stamp}.xlsx", rows


# ---------------------------------------------------------------------------------------------
# Bulletin
# ---------------------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@dataclass(frozen=True)
class Bulletin:
    start: date
    end: date
    district: RateRow
    ranked: list[ScoreRow]  # every unit with a score, best first
    best: list[ScoreRow]
    worst: list[ScoreRow]  # worst first; never one of `best`

    @property
    def title(self) -> str:
        return f"民心 诉求办理通报 {self.start.isoformat()}至{self.end.isoformat()}"

    def district_rates(self) -> list[tuple[str, str, int, int]]:
        counts = self.district.counts
        return [
            (
                d.label,
                _pct(self.district.rate(name)),
                getattr(counts, d.numerator),
                getattr(counts, d.denominator),
            )
            for name, d in RATES.items()
        ]


@reporting_reads()
def bulletin_for(*, start: date, end: date, district: int | None = None) -> Bulletin:
    """One district's bulletin (`district`, a jurisdiction) or every district's (None)."""
    ranked = [
        r for r in scorecard_for(start=start, end=end, district=district) if r.rank is not None
    ]
    best = ranked[:BULLETIN_TOP]
    worst = list(reversed(ranked[max(BULLETIN_TOP, len(ranked) - BULLETIN_TOP) :]))
    rates = rates_for(start=start, end=end, group_by=None, district=district)[0]
    return Bulletin(start=start, end=end, district=rates, ranked=ranked, best=best, worst=worst)


def unit_figures(row: ScoreRow) -> list[str]:
    """Rank, unit, score, change, then each rate."""
    delta = "" if row.score_delta is None else f"{row.score_delta:+.2f}"
    return [
        str(row.rank or ""),
        row.label,
        "" if row.score is None else f"{row.score:.2f}",
        delta,
        *(_pct(row.rates.rate(name)) for name in RATES),
    ]


def unit_cells(row: ScoreRow) -> list[Any]:
    """`unit_figures` for a spreadsheet: the rank and the score as numbers, the rates as
    fractions shown as percentages; an empty cell where there is no figure."""
    return [
        row.rank,
        row.label,
        Formatted(row.score, SCORE),
        Formatted(row.score_delta, SIGNED_SCORE),
        *(Formatted(row.rates.rate(name), PERCENT) for name in RATES),
    ]


UNIT_HEADER: Final = ("排名", "单位", "综合得分", "较上期", *(d.label for d in RATES.values()))


def _build_bulletin_xlsx(export: Export, out: IO[bytes]) -> tuple[str, int]:
    from openpyxl import Workbook

    start, end = _period(export.params)
    bulletin = bulletin_for(start=start, end=end, district=_district(export))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("通报")
    sheet.append([bulletin.title])
    sheet.append([])
    sheet.append(["全区指标", "比率", "分子", "分母"])
    counts = bulletin.district.counts
    for name, d in RATES.items():
        sheet.append(
            sheet_row(
                sheet,
                [
                    d.label,
                    Formatted(bulletin.district.rate(name), PERCENT),
                    getattr(counts, d.numerator),
                    getattr(counts, d.denominator),
                ],
            )
        )
    for heading, rows in (("表现最好的单位", bulletin.best), ("表现最差的单位", bulletin.worst)):
        sheet.append([])
        sheet.append([heading])
        sheet.append(list(UNIT_HEADER))
        for r in rows:
            sheet.append(sheet_row(sheet, unit_cells(r)))
    ranking = book.create_sheet("单位排名")
    ranking.append(list(UNIT_HEADER))
    for r in bulletin.ranked:
        ranking.append(sheet_row(ranking, unit_cells(r)))
    book.save(out)
    return f"bulletin-{start.isoformat()}-{end.isoformat()}.xlsx", len(bulletin.ranked)


def _build_bulletin_pdf(export: Export, out: IO[bytes]) -> tuple[str, int]:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    pdf_font()
    start, end = _period(export.params)
    bulletin = bulletin_for(start=start, end=end, district=_district(export))
    title = ParagraphStyle("title", fontName=PDF_FONT, fontSize=18, leading=24, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=PDF_FONT, fontSize=13, leading=18, spaceBefore=8)
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=10, leading=15)
    style = pdf_table_style()

    def names(rows: list[ScoreRow]) -> str:
        return pdf_text("、".join(f"{r.label}（{r.score:.2f}分）" for r in rows) or "无")

    story: list[Any] = [
        Paragraph(bulletin.title, title),
        Paragraph(f"生成时间：{_when(timezone.now())}", body),
        Paragraph("一、全区指标", heading),
        Table(
            [["指标", "比率", "分子", "分母"], *bulletin.district_rates()],
            style=style,
            hAlign="LEFT",
        ),
        Paragraph("二、表现最好与最差的单位", heading),
        Paragraph(f"表现最好：{names(bulletin.best)}", body),
        Paragraph(f"表现最差：{names(bulletin.worst)}", body),
        Paragraph("三、单位排名", heading),
        Spacer(1, 2 * mm),
    ]
    if bulletin.ranked:
        story.append(
            Table(
                [list(UNIT_HEADER), *(unit_figures(r) for r in bulletin.ranked)],
                style=style,
                repeatRows=1,
                hAlign="LEFT",
            )
        )
    else:
        story.append(Paragraph("本期没有可考核的单位。", body))
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        title=bulletin.title,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    doc.build(story)
    return f"bulletin-{start.isoformat()}-{end.isoformat()}.pdf", len(bulletin.ranked)


_BUILDERS: Final = {
    ExportKind.LEDGER: _build_ledger,
    ExportKind.BULLETIN_XLSX: _build_bulletin_xlsx,
    ExportKind.BULLETIN_PDF: _build_bulletin_pdf,
}


def exports_expire(*, now: datetime | None = None) -> int:
    """Delete the files of exports built more than EXPORT_KEEP_DAYS ago and mark them expired
    (the request stays listed); the number expired."""
    cutoff = (now or timezone.now()) - timedelta(days=EXPORT_KEEP_DAYS)
    expired = 0
    for export in Export.objects.filter(status=ExportStatus.DONE, finished_at__lt=cutoff)[:500]:
        if export.file:
            export.file.delete(save=False)
        export.status = ExportStatus.EXPIRED
        export.save(update_fields=["file", "status"])
        expired += 1
    return expired
