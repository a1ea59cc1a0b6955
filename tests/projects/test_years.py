"""A multi-year target cut into years (a "135" plan): the parts typed on the new-project form
as offices write them, checked against the total and the project's years, and on the project
page each year's part beside what was reached within that year (the last cumulative value by
the year's end less the last by the year before's)."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from minxin.core.errors import ValidationFailed
from minxin.projects.forms import years_of
from minxin.projects.models import Project, TargetYear
from minxin.projects.schedule import achieved_by_year
from minxin.projects.services import ProgressDraft, TargetDraft, progress_report, project_act
from tests.projects.builders import programme_new, project_new

D = Decimal


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("2026:4；2027:8", {2026: D(4), 2027: D(8)}),
        ("2026年4, 2027年 8.5", {2026: D(4), 2027: D("8.50")}),
        ("2026：100000 2027：130000、2028：130000", {2026: D(1e5), 2027: D(13e4), 2028: D(13e4)}),
        ("  ", {}),
    ],
)
def test_the_parts_are_read_as_offices_write_them(typed, parts):
    assert years_of(typed, "电梯") == parts


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026 四台", "年度分解格式有误"),
        ("明年:8", "年度分解格式有误"),
        ("2026:4；2026:5", "2026年目标填了两次"),
        ("2026:-4", "不能为负数"),
    ],
)
def test_parts_that_cannot_be_read_are_refused_with_the_reason(typed, message):
    with pytest.raises(ValidationFailed, match=message):
        years_of(typed, "电梯")


def test_achieved_by_year_takes_the_last_cumulative_value_of_each_year():
    reports = [(2026, D(3)), (2026, D(5)), (2027, D(9)), (2027, D(8)), (2029, D(20))]
    assert achieved_by_year(reports, [2025, 2026, 2027, 2028, 2029]) == {
        2025: 0,
        2026: 5,
        2027: 3,  # 8 by the end of 2027 (corrected down from 9) less 5
        2028: 0,
        2029: 12,
    }


def three_years(district, **overrides):
    """A three-year lift programme started last year, 30 lifts cut 6 / 12 / 12."""
    today = timezone.localdate()
    return project_new(
        district,
        start_date=date(today.year - 1, 3, 1),
        end_date=date(today.year + 1, 12, 31),
        targets=(
            TargetDraft(
                name="加装电梯",
                value=D(30),
                measure="台",
                unit_id=None,
                years={today.year - 1: D(6), today.year: D(12), today.year + 1: D(12)},
            ),
        ),
        milestones=(),
        **overrides,
    )


def test_the_project_page_shows_each_years_part_and_what_was_reached_in_it(client, district):
    year = timezone.localdate().year
    project = three_years(district)
    project_act(
        project_id=project.pk, action="start", actor=district.user("handler"), expected_version=None
    )
    lifts = project.targets.get()
    last_year = timezone.make_aware(datetime(year - 1, 11, 20, 10))
    with time_machine.travel(last_year, tick=False):
        progress_report(
            actor=district.user("handler"), draft=ProgressDraft(target_id=lifts.pk, value=D(7))
        )
    progress_report(
        actor=district.user("handler"), draft=ProgressDraft(target_id=lifts.pk, value=D(10))
    )

    client.force_login(district.user("supervisor"))
    html = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()

    assert f"{year - 1}年 目标 6，当年完成 7（" in html  # 116.7 %
    assert f"{year}年 目标 12，当年完成 3（" in html and "25.0%" in html
    assert f'{year + 1}年 目标 12 <span class="muted">（未到）</span>' in html


def test_the_form_takes_the_parts_and_keeps_every_row_when_refused(client, district):
    today = timezone.localdate()
    programme = programme_new()
    client.force_login(district.user("supervisor"))
    data = {
        "programme": programme.pk,
        "name": "老旧小区三年改造",
        "kind": "estate",
        "lead_unit": district.street_units[0].pk,
        "assisting_units": [district.departments[1].pk],
        "regions": [district.communities[0].pk],
        "start_date": today.replace(month=1, day=1).isoformat(),
        "end_date": date(today.year + 2, 12, 31).isoformat(),
        "planned": "on",
        "target_name_0": "改造面积",
        "target_value_0": "360000",
        "target_measure_0": "平方米",
        "target_years_0": f"{today.year}:100000；{today.year + 1}:130000；{today.year + 2}:130000",
        "target_name_1": "加装电梯",
        "target_value_1": "60",
        "target_measure_1": "台",
        "target_unit_1": district.departments[1].pk,
        "milestone_name_0": "方案设计",
        "milestone_days_0": "60",
    }
    url = reverse("projects:project_new")
    # Outside the project's years: refused, and every row comes back as it was typed.
    bad = {**data, "target_years_1": f"{today.year + 3}:20"}
    response = client.post(url, bad)
    html = response.content.decode()
    assert response.status_code == 400
    assert f"指标「加装电梯」的{today.year + 3}年目标不在项目工期" in html
    assert 'value="改造面积"' in html and 'value="360000"' in html and 'value="方案设计"' in html
    assert f'value="{today.year + 3}:20"' in html
    assert f'<option value="{district.departments[1].pk}" selected>' in html
    assert f'<option value="{district.communities[0].pk}" selected>' in html
    assert not Project.objects.exists()
    # More than the total: refused too.
    over = {**data, "target_years_1": f"{today.year}:40；{today.year + 1}:40"}
    assert "年度目标之和超过了总目标" in client.post(url, over).content.decode()

    assert client.post(url, data).status_code == 302
    parts = TargetYear.objects.filter(target__name="改造面积").order_by("year")
    assert [(p.year, p.value) for p in parts] == [
        (today.year, D(100000)),
        (today.year + 1, D(130000)),
        (today.year + 2, D(130000)),
    ]
    assert not TargetYear.objects.filter(target__name="加装电梯").exists()


def test_a_target_not_cut_into_years_shows_no_parts(client, district):
    project = project_new(district)  # across the new year, its targets not cut
    client.force_login(district.user("supervisor"))
    html = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    targets = html.split('<table class="list pj-targets">')[1].split("</table>")[0]
    assert "加装电梯" in targets and "pj-years" not in targets


def a_year_of_lifts(district):
    """This year's programme: the three-year lifts (12 due this year, 3 reached in it after 7
    last year), a lift project within this year (5, 4 reached) and one across the new year
    whose target is not cut into years (12, 6 reached: its year is unknown, left out)."""
    year = timezone.localdate().year
    programme = programme_new()
    three = three_years(district, programme=programme)
    within = project_new(
        district,
        programme,
        name="银杉路加装电梯",
        start_date=date(year, 1, 5),
        end_date=date(year, 12, 31),
        targets=(TargetDraft(name="加装电梯", value=D(5), measure="台", unit_id=None),),
        milestones=(),
    )
    across = project_new(
        district,
        programme,
        name="景蓉小区加装电梯",
        targets=(TargetDraft(name="加装电梯", value=D(12), measure="台", unit_id=None),),
    )
    handler = district.user("handler")
    lifts = {p: p.targets.get() for p in (three, within, across)}
    # The three-year one started last year and reported there (reports follow 开工).
    with time_machine.travel(timezone.make_aware(datetime(year - 1, 11, 20, 10)), tick=False):
        project_act(project_id=three.pk, action="start", actor=handler, expected_version=None)
        progress_report(actor=handler, draft=ProgressDraft(target_id=lifts[three].pk, value=D(7)))
    for project in (within, across):
        project_act(project_id=project.pk, action="start", actor=handler, expected_version=None)
    for project, value in ((three, 10), (within, 4), (across, 6)):
        draft = ProgressDraft(target_id=lifts[project].pk, value=D(value))
        progress_report(actor=handler, draft=draft)
    return programme


def test_the_programme_page_shows_this_years_parts_against_what_was_reached_in_it(client, district):
    year = timezone.localdate().year
    programme = a_year_of_lifts(district)
    client.force_login(district.user("supervisor"))
    html = client.get(reverse("projects:programme_detail", args=[programme.pk])).content.decode()
    table = html.split('<table class="list pj-achievements">')[1].split("</table>")[0]
    assert f"<th>{year}年目标</th>" in table and f"<th>{year}年完成</th>" in table
    # The whole: 30 + 5 + 12 = 47, 10 + 4 + 6 = 20 reached; this year: 12 + 5 = 17, 3 + 4 = 7.
    assert ">47 台<" in table and ">20 台<" in table
    assert "data-year-value>17 台<" in table
    assert "7 台（41.2%）" in table


def test_the_programme_report_has_this_years_parts_in_excel_and_pdf(client, district):
    from openpyxl import load_workbook

    from tests.projects.test_report import _pdf_text

    year = timezone.localdate().year
    programme = a_year_of_lifts(district)
    client.force_login(district.user("leader"))
    response = client.get(reverse("projects:programme_report_xlsx", args=[programme.pk]))
    summary = list(
        load_workbook(io.BytesIO(response.content))["完成情况"].iter_rows(values_only=True)
    )
    assert summary[5] == (
        "指标名称", "计量单位", "项目数", "目标", "完成", "完成率（%）",
        f"{year}年目标", f"{year}年完成", f"{year}年完成率（%）",
    )  # fmt: skip
    assert summary[6] == ("加装电梯", "台", 3, 47, 20, 42.6, 17, 7, 41.2)

    pdf = client.get(reverse("projects:programme_report_pdf", args=[programme.pk]))
    text = _pdf_text(pdf.content)
    assert f"{year}年目标" in text and f"{year}年完成率（%）" in text
    assert "加装电梯台3472042.617741.2" in text.replace(" ", "")


def test_a_year_with_no_parts_shows_a_dash(client, district):
    programme = programme_new(year=timezone.localdate().year + 5)
    project_new(district, programme)  # nothing due in that year
    client.force_login(district.user("supervisor"))
    html = client.get(reverse("projects:programme_detail", args=[programme.pk])).content.decode()
    table = html.split('<table class="list pj-achievements">')[1].split("</table>")[0]
    assert 'class="muted">—</td>' in table and "data-year-value" not in table


def test_last_years_programme_counts_what_was_reached_by_its_end_not_since(client, district):
    """Reported since the year ended: the last value by its end is looked up (7 of 6 lifts
    last year), this year's 10 does not count there."""
    year = timezone.localdate().year
    programme = programme_new(year=year - 1)
    three = three_years(district, programme=programme)
    handler = district.user("handler")
    lifts = three.targets.get()
    with time_machine.travel(timezone.make_aware(datetime(year - 1, 11, 20, 10)), tick=False):
        project_act(project_id=three.pk, action="start", actor=handler, expected_version=None)
        progress_report(actor=handler, draft=ProgressDraft(target_id=lifts.pk, value=D(7)))
    progress_report(actor=handler, draft=ProgressDraft(target_id=lifts.pk, value=D(10)))
    client.force_login(district.user("supervisor"))
    html = client.get(reverse("projects:programme_detail", args=[programme.pk])).content.decode()
    table = html.split('<table class="list pj-achievements">')[1].split("</table>")[0]
    assert f"<th>{year - 1}年目标</th>" in table
    assert "data-year-value>6 台<" in table and "7 台（116.7%）" in table
