"""The 民心工程 import's template: a sheet with the columns the import reads (`projects.FIELDS`)
and an example project, and a sheet of notes on what each column takes."""

from __future__ import annotations

from typing import Final

from minxin.core.sheets import row_safe
from minxin.directory.models import Unit
from minxin.projects.models import ProjectKind

from .projects import FIELDS

# The template's second sheet: what each column takes (the import reads the first sheet only).
TEMPLATE_NOTES: Final = (
    ("项目名称", "必填。同一项目占多行时，后续行可留空（合并单元格亦可）"),
    ("类别", f"可选：{'、'.join(ProjectKind.labels)}"),
    ("牵头单位", "必填，填系统中的单位全称；配合单位可填多个，用顿号或逗号分隔"),
    ("地点/街道", "可选，填街道或社区名称"),
    ("计划开工 / 计划完成", "必填，日期如 2026-03-01，也可写 2026年3月 或 2026年"),
    ("指标名称 / 目标值 / 计量单位", "一行一个指标；目标值为正数，计量单位如 平方米、户、台、个"),
    (
        "年度分解",
        "跨年项目的分年目标，如 2026:6；2027:6（各年之和不超过目标值）；"
        "也可每年一列，列名如“2026年目标”",
    ),
    ("责任单位", "可选，该指标的责任单位（填系统中的单位全称），不填即牵头单位"),
    ("坐标", "可选，“纬度, 经度 地点名称”，一格多个点位时每行一个，如 28.2153, 112.9212 景蓉小区"),
    ("节点名称 / 节点计划完成", "一行一个节点；节点日期不得晚于项目计划完成"),
)


def projects_template() -> bytes:
    """A sheet with the columns the import reads, in order, and one example project over
    two rows (the second leaves the project's columns blank, as merged cells read): a
    two-year project with one target cut into years and a point on the map; then a sheet of
    notes on what each column takes."""
    import io

    from openpyxl import Workbook

    unit = Unit.objects.filter(is_active=True).order_by("kind", "name").first()
    lead = unit.name if unit else "某某街道办事处"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("民心工程")
    order = [f for f in FIELDS if f.key != "milestone_end"] + [
        f for f in FIELDS if f.key == "milestone_end"
    ]
    sheet.append([f.label for f in order])
    first = {
        "name": "景蓉小区加装电梯",
        "kind": "加装电梯",
        "lead_unit": lead,
        "start_date": "2026-03-01",
        "end_date": "2027-12-31",
        "budget": "360",
        "summary": "为景蓉小区12个单元加装电梯，分两年完成",
        "target_name": "加装电梯",
        "target_value": "12",
        "measure": "台",
        "target_years": "2026:6；2027:6",
        "points": "28.2153, 112.9212 景蓉小区",
        "milestone_name": "意见征询",
        "milestone_end": "2026-04-30",
    }
    second = {
        "target_name": "惠及居民",
        "target_value": "300",
        "measure": "户",
        "milestone_name": "施工安装",
        "milestone_end": "2027-11-30",
    }
    for values in (first, second):
        sheet.append(row_safe(values.get(f.key, "") for f in order))
    notes = book.create_sheet("填写说明")
    notes.append(["列", "填写说明"])
    for column, note in TEMPLATE_NOTES:
        notes.append(row_safe([column, note]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
