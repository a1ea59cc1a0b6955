"""The programme report (项目完成情况报告) as Excel and PDF: the programme page's figures
(`selectors.programme_overview`: each project's progress, time elapsed, gap and behind-plan
mark, the achievement table) with each project's targets, for the viewer's projects.

Built on request and handed out at once: for 2,000 projects and 20,000 targets the read,
the Excel and the PDF take about 2 s each on a loaded 2-core machine (bench/project_import.py),
about what the export queue's worker round trip and poll would add anyway."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.errors import NotFound
from minxin.core.sheets import pdf_font, pdf_table_style, pdf_text, row_safe, sheet_row

from .models import Target
from .permissions import sees_every_project
from .schedule import target_share
from .selectors import Achievement, Overview, ProjectRow, programme_overview, projects_for
from .workflow import ProjectStatus

# Reportlab re-wraps a table's remaining rows each time it splits it across pages: tables of
# about a page's worth of lines (a project takes a line per target) keep that linear.
PDF_LINES_PER_TABLE: Final = 36


@dataclass(frozen=True)
class TargetLine:
    name: str
    measure: str
    value: Decimal
    achieved: Decimal

    @property
    def share(self) -> float:
        return target_share(self.achieved, self.value)

    def text(self) -> str:
        return (
            f"{self.name}：{_number(self.achieved)}/{_number(self.value)}{self.measure}"
            f"（{self.share:.1f}%）"
        )


@dataclass(frozen=True)
class ProgrammeReport:
    overview: Overview
    targets: dict[int, list[TargetLine]]  # project → its targets, in order
    made_at: datetime

    @property
    def title(self) -> str:
        p = self.overview.programme
        return f"{p.year} {p.name} 项目完成情况报告"

    def statuses(self) -> str:
        counts = self.overview.by_status
        return "、".join(f"{s.label}{counts[s.value]}个" for s in ProjectStatus if counts[s.value])

    def headline(self) -> str:
        """旧区改造面积 750,000 平方米、3.5 万户 — 136%, 125% of target, in words."""
        parts = [
            f"{a.name}完成{_number(a.achieved)}{a.measure}，为目标{_number(a.value)}{a.measure}"
            f"的{a.share:.1f}%"
            for a in self.overview.achievements
        ]
        return "；".join(parts) or "尚无指标"


def _number(value: Decimal) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def programme_report(
    viewer: User, programme_id: int, *, today: date | None = None
) -> ProgrammeReport:
    """The report of the viewer's projects in a programme; a programme the viewer has no
    project in (a handler's unit) is as missing as one that does not exist."""
    overview = programme_overview(viewer, programme_id, today=today)
    if not overview.rows and not sees_every_project(viewer):
        raise NotFound("未找到该计划")
    targets: dict[int, list[TargetLine]] = defaultdict(list)
    rows = (
        Target.objects.filter(project__in=projects_for(viewer).filter(programme_id=programme_id))
        .order_by("project", "position", "id")
        .values_list("project_id", "name", "measure", "value", "achieved")
    )
    for project_id, name, measure, value, achieved in rows.iterator(chunk_size=5000):
        targets[project_id].append(TargetLine(name, measure, value, achieved))
    return ProgrammeReport(overview=overview, targets=dict(targets), made_at=timezone.now())


# --- Excel ------------------------------------------------------------------------------

PROJECT_HEADER: Final = (
    "序号",
    "项目名称",
    "牵头单位",
    "状态",
    "计划完成",
    "指标完成情况",
    "总体进度（%）",
    "时间进度（%）",
    "差距（百分点）",
    "落后于计划",
    "逾期节点",
)
TARGET_HEADER: Final = (
    "项目名称",
    "牵头单位",
    "指标名称",
    "计量单位",
    "目标值",
    "累计完成",
    "完成率（%）",
)
ACHIEVEMENT_HEADER: Final = ("指标名称", "计量单位", "项目数", "目标", "完成", "完成率（%）")


def achievement_header(year: int) -> list[str]:
    """The achievement table's columns: the whole, then the programme's year of it."""
    return [*ACHIEVEMENT_HEADER, f"{year}年目标", f"{year}年完成", f"{year}年完成率（%）"]


def achievement_cells(a: Achievement) -> list[Any]:
    year = [a.year.value, a.year.achieved, round(a.year.share, 1)] if a.year else ["", "", ""]
    return [a.name, a.measure, a.projects, a.value, a.achieved, round(a.share, 1), *year]


def _project_cells(number: int, row: ProjectRow, targets: list[TargetLine]) -> list[Any]:
    return [
        number,
        row.name,
        row.lead_unit,
        row.status_label,
        row.end_date,
        "\n".join(t.text() for t in targets),
        row.progress,
        row.elapsed,
        row.gap,
        "落后" if row.behind else "",
        row.late_milestones or "",
    ]


def report_xlsx(report: ProgrammeReport) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    summary = book.create_sheet("完成情况")
    o = report.overview
    summary.append(row_safe([report.title]))
    summary.append([f"生成时间：{timezone.localtime(report.made_at):%Y-%m-%d %H:%M}"])
    summary.append([f"项目 {len(o.rows)} 个：{report.statuses()}；落后于计划 {o.behind} 个"])
    summary.append(row_safe([report.headline()]))
    summary.append([])
    summary.append(achievement_header(o.year))
    for a in o.achievements:
        summary.append(row_safe(achievement_cells(a)))
    projects = book.create_sheet("项目")
    projects.append(list(PROJECT_HEADER))
    for number, row in enumerate(o.rows, 1):
        projects.append(
            sheet_row(projects, _project_cells(number, row, report.targets.get(row.pk, [])))
        )
    lines = book.create_sheet("指标")
    lines.append(list(TARGET_HEADER))
    for row in o.rows:
        for t in report.targets.get(row.pk, []):
            lines.append(
                row_safe([row.name, row.lead_unit, t.name, t.measure, t.value, t.achieved, t.share])
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------


def _chunks(rows: list[Any], weights: list[int], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    lines = 0
    for row, weight in zip(rows, weights, strict=True):
        if chunk and lines + weight > size:
            yield chunk
            chunk, lines = [], 0
        chunk.append(row)
        lines += weight
    if chunk:
        yield chunk


def _achievements_table(o: Overview) -> Any:
    """The targets against what was achieved (of the programme's year too), as a PDF table."""
    from reportlab.platypus import Table

    rows = [
        [_number(c) if isinstance(c, Decimal) else c for c in achievement_cells(a)]
        for a in o.achievements
    ]
    return Table(
        [achievement_header(o.year), *rows],
        style=pdf_table_style(),
        repeatRows=1,
        hAlign="LEFT",
    )


def report_pdf(report: ProgrammeReport) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    font = pdf_font()
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=font, fontSize=13, leading=18, spaceBefore=8)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    o = report.overview

    def fits(texts: list[str], width_mm: int) -> Any:
        """Plain lines when they fit the column (cheap to lay out), else a wrapping
        paragraph: a full-width (CJK) character is the font size wide, 8 pt."""
        if all(len(t) * 8 <= width_mm * mm for t in texts):
            return "\n".join(texts)
        return Paragraph("<br/>".join(pdf_text(t) for t in texts), cell)

    story: list[Any] = [
        Paragraph(pdf_text(report.title), title),
        Paragraph(f"生成时间：{timezone.localtime(report.made_at):%Y-%m-%d %H:%M}", body),
        Paragraph("一、总体情况", heading),
        Paragraph(
            pdf_text(f"共 {len(o.rows)} 个项目：{report.statuses()}；落后于计划 {o.behind} 个。"),
            body,
        ),
        Paragraph(pdf_text(report.headline() + "。"), body),
        Paragraph("二、目标完成情况", heading),
    ]
    if o.achievements:
        story.append(_achievements_table(o))
    story.append(Paragraph("三、项目完成情况（落后于计划的在前）", heading))
    header = [
        "序号",
        "项目名称",
        "牵头单位",
        "状态",
        "指标完成情况",
        "进度%",
        "时间%",
        "差距",
        "落后",
    ]
    lines = [
        [
            number,
            fits([row.name], 60),
            fits([row.lead_unit], 38),
            row.status_label,
            fits([t.text() for t in report.targets.get(row.pk, [])], 93),
            f"{row.progress:.1f}",
            f"{row.elapsed:.1f}",
            f"{row.gap:+.1f}",
            "落后" if row.behind else "",
        ]
        for number, row in enumerate(o.rows, 1)
    ]
    widths = [x * mm for x in (12, 62, 40, 18, 95, 14, 14, 14, 12)]
    behind = colors.HexColor("#fde8e8")
    weights = [max(1, len(report.targets.get(row.pk, []))) for row in o.rows]
    for chunk in _chunks(lines, weights, PDF_LINES_PER_TABLE):
        marks = [
            ("BACKGROUND", (0, i), (-1, i), behind) for i, line in enumerate(chunk, 1) if line[-1]
        ]
        story.append(
            Table([header, *chunk], colWidths=widths, style=pdf_table_style(*marks), repeatRows=1)
        )
    if not lines:
        story.append(Paragraph("该计划尚无项目。", body))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        title=report.title,
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
    )
    doc.build(story)
    return out.getvalue()


def report_file_name(report: ProgrammeReport, suffix: str) -> str:
    p = report.overview.programme
    return f"{p.year}{p.name}-完成情况-{timezone.localdate():%Y%m%d}.{suffix}"
