"""The office's 民心工程 sheet imported into a programme: mapping guessed from the Chinese
headers, a dry run that writes nothing and gives each bad row its reason, a run that creates
each good project whole through the projects' service (its events included), idempotent."""

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from minxin.imports import projects as project_import
from minxin.imports.mapping import mapping_guess
from minxin.imports.models import ImportJob, ImportKind, ImportRejection, ImportStatus
from minxin.imports.project_cells import date_parse
from minxin.imports.projects import FIELDS
from minxin.projects.models import (
    Milestone,
    Programme,
    Project,
    ProjectEvent,
    ProjectPoint,
    Target,
    TargetYear,
)
from minxin.projects.workflow import ProjectAction, ProjectStatus
from tests.builders import District
from tests.imports.files import rows_csv, rows_xlsx, upload

from .builders import programme_new

HEADER = [
    "项目名称",
    "类别",
    "牵头单位",
    "配合单位",
    "地点/街道",
    "计划开工",
    "计划完成",
    "预算（万元）",
    "指标名称",
    "目标值",
    "计量单位",
    "责任单位",
    "节点名称",
    "节点计划完成",
]
LEAD = "桂花坪街道办事处"
DEPT = "A3区城市管理局"


def row(name: str = "景蓉小区加装电梯", **cells: str) -> list[str]:
    values = {
        "项目名称": name,
        "类别": "加装电梯",
        "牵头单位": LEAD,
        "配合单位": DEPT,
        "地点/街道": "桂花坪街道",
        "计划开工": "2026-03-01",
        "计划完成": "2026-12-31",
        "预算（万元）": "360",
        "指标名称": "加装电梯",
        "目标值": "12",
        "计量单位": "台",
        "责任单位": "",
        "节点名称": "",
        "节点计划完成": "",
    }
    values.update(cells)
    return [values[h] for h in HEADER]


# A project over three rows (two targets, three milestones; the continuation rows blank in the
# project's columns, as merged cells read), and a second project of one row.
GOOD: list[list[str]] = [
    row(节点名称="意见征询", 节点计划完成="2026-04-30"),
    [
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "惠及居民",
        "300",
        "户",
        DEPT,
        "施工安装",
        "2026年11月",
    ],
    row(指标名称="", 目标值="", 计量单位="", 节点名称="设计审批", 节点计划完成="2026/6/30"),
    row(
        "银杉路早餐工程",
        类别="早餐工程",
        配合单位="",
        指标名称="早餐网点",
        目标值="8",
        计量单位="个",
        计划开工="2026年3月",
        计划完成="2026年10月",
    ),
]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def client_for(d: District, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def uploaded(client: Client, programme: Programme, rows: Sequence[Sequence[str]]) -> ImportJob:
    response = client.post(
        reverse("imports:projects_upload"),
        {"file": upload("民心工程.xlsx", rows_xlsx(rows, HEADER)), "programme": programme.pk},
    )
    assert response.status_code == 302, response.content.decode()
    return ImportJob.objects.latest("pk")


def checked(client: Client, job: ImportJob, capture: Any) -> ImportJob:
    data = {f"col_{key}": str(i) for key, i in job.mapping.items()}
    with capture(execute=True):
        response = client.post(reverse("imports:mapping", args=[job.pk]), data)
    assert response.status_code == 302, response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED, job.error
    return job


def run(client: Client, job: ImportJob, capture: Any) -> ImportJob:
    with capture(execute=True):
        assert client.post(reverse("imports:start", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.error
    return job


def reasons(job: ImportJob) -> dict[int, str]:
    return dict(ImportRejection.objects.filter(job=job).values_list("row_number", "reason"))


def test_the_mapping_is_guessed_from_the_chinese_headers() -> None:
    guess = mapping_guess(HEADER, FIELDS)
    assert {key: HEADER[i] for key, i in guess.items()} == {
        "name": "项目名称",
        "kind": "类别",
        "lead_unit": "牵头单位",
        "assisting_units": "配合单位",
        "place": "地点/街道",
        "start_date": "计划开工",
        "end_date": "计划完成",
        "budget": "预算（万元）",
        "target_name": "指标名称",
        "target_value": "目标值",
        "measure": "计量单位",
        "target_unit": "责任单位",
        "milestone_name": "节点名称",
        "milestone_end": "节点计划完成",
    }
    other = ["序号", "项目名称", "牵头单位", "计划开工时间", "计划完成时间", "节点计划完成时间"]
    guess = mapping_guess(other, FIELDS)
    assert guess["end_date"] == 4 and guess["milestone_end"] == 5 and guess["start_date"] == 3


@pytest.mark.parametrize(
    ("text", "last", "expected"),
    [
        ("2026-03-01 00:00:00", False, date(2026, 3, 1)),
        ("2026/3/1", False, date(2026, 3, 1)),
        ("2026.03.01", False, date(2026, 3, 1)),
        ("2026年3月1日", False, date(2026, 3, 1)),
        ("20260301", False, date(2026, 3, 1)),
        ("2026年2月", True, date(2026, 2, 28)),
        ("2026年2月", False, date(2026, 2, 1)),
        ("2026", True, date(2026, 12, 31)),
    ],
)
def test_dates_as_offices_type_them(text: str, last: bool, expected: date) -> None:
    assert date_parse(text, label="计划完成", last=last) == expected


def test_the_dry_run_counts_and_writes_nothing_then_the_run_creates_each_project_whole(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    programme = programme_new()
    client = client_for(district, "supervisor")
    job = uploaded(client, programme, GOOD)
    assert job.kind == ImportKind.PROJECTS and job.programme_id == programme.pk
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "节点计划完成" in page and "导入到计划" in page

    job = checked(client, job, django_capture_on_commit_callbacks)
    assert (job.total, job.valid, job.existing, job.rejected) == (4, 2, 0, 0)
    assert job.summary["targets"] == 3 and job.summary["milestones"] == 3
    assert not Project.objects.exists() and not ProjectEvent.objects.exists()
    assert (
        "将新增 <b>2</b> 个项目"
        in client.get(reverse("imports:job", args=[job.pk])).content.decode()
    )

    job = run(client, job, django_capture_on_commit_callbacks)
    assert (job.created, job.existing, job.rejected) == (2, 0, 0)
    done = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "新增 <b>2</b> 个项目" in done
    assert reverse("projects:programme_detail", args=[programme.pk]) in done
    elevator = Project.objects.get(name="景蓉小区加装电梯")
    assert elevator.programme == programme and elevator.status == ProjectStatus.PLANNED
    assert elevator.lead_unit == district.street_units[0]
    assert list(elevator.assisting_units.all()) == [district.departments[0]]
    assert list(elevator.regions.all()) == [district.streets[0]]
    assert elevator.budget == Decimal(360)
    assert (elevator.start_date, elevator.end_date) == (date(2026, 3, 1), date(2026, 12, 31))
    targets = list(
        Target.objects.filter(project=elevator).values_list("name", "value", "measure", "unit")
    )
    assert targets == [
        ("加装电梯", Decimal(12), "台", district.street_units[0].pk),
        ("惠及居民", Decimal(300), "户", district.departments[0].pk),
    ]
    # The task book's own dates are kept (not laid backwards from the end), in date order.
    milestones = list(
        Milestone.objects.filter(project=elevator).values_list(
            "name", "planned_start", "planned_end"
        )
    )
    assert milestones == [
        ("意见征询", date(2026, 3, 1), date(2026, 4, 30)),
        ("设计审批", date(2026, 5, 1), date(2026, 6, 30)),
        ("施工安装", date(2026, 7, 1), date(2026, 11, 30)),
    ]
    actions = list(ProjectEvent.objects.filter(project=elevator).values_list("action", flat=True))
    assert actions == [ProjectAction.CREATE, ProjectAction.ADOPT]
    breakfast = Project.objects.get(name="银杉路早餐工程")
    assert (breakfast.start_date, breakfast.end_date) == (date(2026, 3, 1), date(2026, 10, 31))


def test_running_the_same_file_again_adds_nothing(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    programme = programme_new()
    client = client_for(district, "supervisor")
    run(
        client,
        checked(client, uploaded(client, programme, GOOD), django_capture_on_commit_callbacks),
        django_capture_on_commit_callbacks,
    )
    events = ProjectEvent.objects.count()

    again = checked(client, uploaded(client, programme, GOOD), django_capture_on_commit_callbacks)
    assert (again.valid, again.existing, again.rejected) == (0, 2, 0)
    response = client.post(reverse("imports:start", args=[again.pk]))
    assert response.status_code == 400 and "没有可导入的新项目" in response.content.decode()
    assert Project.objects.count() == 2 and ProjectEvent.objects.count() == events

    # Another programme is another list: the same names go in there.
    other = programme_new(name="另一计划")
    job = run(
        client,
        checked(client, uploaded(client, other, GOOD), django_capture_on_commit_callbacks),
        django_capture_on_commit_callbacks,
    )
    assert job.created == 2 and Project.objects.count() == 4


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (row(计量单位=""), "指标「加装电梯」缺少计量单位"),
        (row(目标值="-5"), "指标「加装电梯」的目标值不能为负数"),
        (row(目标值="十二"), "指标「加装电梯」的目标值应为数字"),
        (row(目标值="0"), "指标「加装电梯」的目标值应大于0"),
        (row(节点名称="竣工验收", 节点计划完成="2027-01-31"), "晚于项目计划完成日期2026-12-31"),
        (row(节点名称="竣工验收", 节点计划完成="2026-02-01"), "早于项目计划开工日期2026-03-01"),
        (row(节点名称="竣工验收"), "节点「竣工验收」缺少计划完成日期"),
        (row(牵头单位="不存在的局"), "牵头单位“不存在的局”不是系统中的单位"),
        (row(配合单位=f"{DEPT}、不存在的局"), "配合单位“不存在的局”不是系统中的单位"),
        (row(责任单位="不存在的局"), "责任单位“不存在的局”不是系统中的单位"),
        (row(计划开工="2026-12-31", 计划完成="2026-03-01"), "计划完成日期早于计划开工日期"),
        (row(计划完成="明年"), "计划完成“明年”不是有效日期"),
        (row(类别="为民办实事"), "类别“为民办实事”无法识别"),
        (row(""), "缺少项目名称"),
    ],
)
def test_each_bad_row_is_refused_with_its_row_number_and_reason(
    district: District, django_capture_on_commit_callbacks: Any, bad: list[str], reason: str
) -> None:
    client = client_for(district, "supervisor")
    # A row without a name continues the project above it: alone, it comes first.
    rows, number = ([bad, GOOD[3]], 2) if not bad[0] else ([GOOD[3], bad], 3)
    job = checked(
        client, uploaded(client, programme_new(), rows), django_capture_on_commit_callbacks
    )
    assert job.valid == 1 and job.rejected == 1
    assert reason in reasons(job)[number]
    job = run(client, job, django_capture_on_commit_callbacks)
    assert job.created == 1
    assert list(Project.objects.values_list("name", flat=True)) == ["银杉路早餐工程"]


def test_one_bad_row_refuses_its_whole_project_and_every_row_says_why(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [*GOOD[:2], row(计量单位=""), GOOD[3]]
    client = client_for(district, "supervisor")
    job = checked(
        client, uploaded(client, programme_new(), rows), django_capture_on_commit_callbacks
    )
    found = reasons(job)
    assert set(found) == {2, 3, 4} and job.rejected == 3 and job.valid == 1
    assert "缺少计量单位" in found[4]
    assert found[2].startswith("同一项目的第4行有误") and "整个项目未导入" in found[3]
    csv_text = client.get(reverse("imports:rejections_csv", args=[job.pk])).content.decode(
        "utf-8-sig"
    )
    assert "缺少计量单位" in csv_text
    run(client, job, django_capture_on_commit_callbacks)
    assert not Project.objects.filter(name="景蓉小区加装电梯").exists()


def test_rows_of_one_project_that_disagree_are_refused(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [GOOD[0], row(牵头单位=DEPT, 指标名称="惠及居民", 目标值="3", 计量单位="户")]
    client = client_for(district, "supervisor")
    job = checked(
        client, uploaded(client, programme_new(), rows), django_capture_on_commit_callbacks
    )
    assert "牵头单位" in reasons(job)[3] and "不一致" in reasons(job)[3]


def test_a_csv_in_gbk_imports_the_same(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    programme = programme_new()
    client = client_for(district, "supervisor")
    response = client.post(
        reverse("imports:projects_upload"),
        {
            "file": upload("list.csv", rows_csv(GOOD, HEADER, encoding="gb18030")),
            "programme": programme.pk,
        },
    )
    assert response.status_code == 302
    job = checked(client, ImportJob.objects.get(), django_capture_on_commit_callbacks)
    assert (job.valid, job.rejected) == (2, 0)


def test_the_upload_needs_a_programme(district: District) -> None:
    client = client_for(district, "supervisor")
    data = rows_xlsx(GOOD, HEADER)
    for programme in ("", "999999"):
        response = client.post(
            reverse("imports:projects_upload"),
            {"file": upload("a.xlsx", data), "programme": programme},
        )
        assert response.status_code == 400
        assert "请选择要导入的民心工程计划" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_only_the_office_imports_projects(district: District) -> None:
    programme = programme_new()
    for key in ("handler", "dispatcher", "call_taker"):
        client = client_for(district, key)
        assert client.get(reverse("imports:projects_index")).status_code == 404
        response = client.post(
            reverse("imports:projects_upload"),
            {"file": upload("a.xlsx", rows_xlsx(GOOD, HEADER)), "programme": programme.pk},
        )
        assert response.status_code == 404
    assert not ImportJob.objects.exists()
    for key in ("supervisor", "leader", "admin"):
        page = client_for(district, key).get(
            reverse("imports:projects_index") + f"?programme={programme.pk}"
        )
        assert page.status_code == 200 and "导入民心工程项目" in page.content.decode()


def test_a_projects_import_is_not_seen_by_a_dispatcher_and_an_appeals_one_not_by_the_office(
    district: District,
) -> None:
    job = uploaded(client_for(district, "supervisor"), programme_new(), GOOD)
    for key in ("dispatcher", "leader", "handler"):
        assert (
            client_for(district, key).get(reverse("imports:job", args=[job.pk])).status_code == 404
        )
    assert (
        client_for(district, "admin").get(reverse("imports:job", args=[job.pk])).status_code == 200
    )
    # The dispatcher's appeals list does not list it; the supervisor cannot open the appeals one.
    assert (
        "民心工程.xlsx"
        not in client_for(district, "admin").get(reverse("imports:index")).content.decode()
    )
    assert client_for(district, "supervisor").get(reverse("imports:index")).status_code == 404


def test_a_mapping_without_a_required_column_is_refused_with_its_name(
    district: District,
) -> None:
    client = client_for(district, "supervisor")
    job = uploaded(client, programme_new(), GOOD)
    data = {f"col_{key}": str(i) for key, i in job.mapping.items() if key != "lead_unit"}
    response = client.post(reverse("imports:mapping", args=[job.pk]), data)
    assert response.status_code == 400
    assert "请为“牵头单位”选择对应的列" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_an_import_that_fails_half_way_resumes_without_duplicates(
    district: District, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    from minxin.imports import projects as project_import

    client = client_for(district, "supervisor")
    job = checked(
        client, uploaded(client, programme_new(), GOOD), django_capture_on_commit_callbacks
    )
    real = project_import.project_create_within
    calls = {"n": 0}

    def flaky(**kwargs: Any) -> Project:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(project_import, "project_create_within", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:start", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "内部错误" in job.error
    assert job.created == 1 and Project.objects.count() == 1
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "继续导入" in page

    job = run(client, job, django_capture_on_commit_callbacks)  # 继续导入
    assert (job.created, job.existing, job.rejected) == (2, 0, 0)
    assert Project.objects.count() == 2


def test_a_target_twice_in_one_project_is_refused(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [GOOD[0], row(目标值="20")]
    client = client_for(district, "supervisor")
    job = checked(
        client, uploaded(client, programme_new(), rows), django_capture_on_commit_callbacks
    )
    assert reasons(job)[3] == "指标「加装电梯」在本项目中重复"


def test_the_template_imports_as_it_is(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(district, "supervisor")
    page = client.get(reverse("imports:projects_index")).content.decode()
    assert reverse("imports:projects_template") in page
    template = client.get(reverse("imports:projects_template"))
    assert template.status_code == 200 and "attachment" in template["Content-Disposition"]
    assert (
        client_for(district, "handler").get(reverse("imports:projects_template")).status_code == 404
    )
    programme = programme_new()
    response = client.post(
        reverse("imports:projects_upload"),
        {"file": upload("模板.xlsx", template.content), "programme": programme.pk},
    )
    assert response.status_code == 302
    job = checked(client, ImportJob.objects.get(), django_capture_on_commit_callbacks)
    assert set(job.mapping) == {f.key for f in FIELDS}  # every column guessed
    assert (job.valid, job.rejected) == (1, 0)
    assert job.summary == {"projects": 1, "targets": 2, "milestones": 2, "refused_projects": 0}
    # Its example shows a two-year target's parts and a point on the map, and a second sheet
    # says what each column takes (the import reads the first sheet only).
    run(client, job, django_capture_on_commit_callbacks)
    project = Project.objects.get(programme=programme)
    years = TargetYear.objects.filter(target__project=project).order_by("year")
    assert [(y.year, y.value) for y in years] == [(2026, Decimal(6)), (2027, Decimal(6))]
    assert ProjectPoint.objects.get(project=project).name == "景蓉小区"
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template.content), read_only=True)
    assert book.sheetnames == ["民心工程", "填写说明"]
    notes = [row[0] for row in book["填写说明"].iter_rows(min_row=2, values_only=True)]
    assert "年度分解" in notes and "坐标" in notes


# --- a multi-year target's parts ----------------------------------------------------------

YEARS_HEADER = [*HEADER[:11], "年度分解", "2026年目标", "2027年目标", "2028年度任务"]


def years_row(name: str = "老旧小区三年改造", **cells: str) -> list[str]:
    """A three-year project (2026-2028): its parts in the 年度分解 cell or in the year columns."""
    values = {
        **dict(zip(HEADER, row(name, 类别="老旧小区改造", 计划完成="2028-12-31"), strict=True)),
        "年度分解": "",
        "2026年目标": "",
        "2027年目标": "",
        "2028年度任务": "",
        **cells,
    }
    return [values[h] for h in YEARS_HEADER]


def years_uploaded(
    client: Client, programme: Programme, rows: Sequence[Sequence[str]]
) -> ImportJob:
    response = client.post(
        reverse("imports:projects_upload"),
        {"file": upload("三年计划.xlsx", rows_xlsx(rows, YEARS_HEADER)), "programme": programme.pk},
    )
    assert response.status_code == 302, response.content.decode()
    return ImportJob.objects.latest("pk")


def test_a_yearly_part_column_is_offered_in_the_mapping_for_each_year_header() -> None:
    fields = project_import.fields_for(YEARS_HEADER)
    years = [(f.key, f.label) for f in fields if f.key.startswith("year_")]
    assert years == [
        ("year_2026", "2026年目标"),
        ("year_2027", "2027年目标"),
        ("year_2028", "2028年目标"),
    ]
    guess = mapping_guess(YEARS_HEADER, fields)
    assert {k: YEARS_HEADER[i] for k, i in guess.items() if "year" in k} == {
        "target_years": "年度分解",
        "year_2026": "2026年目标",
        "year_2027": "2027年目标",
        "year_2028": "2028年度任务",
    }
    assert guess["target_value"] == HEADER.index("目标值")


def test_yearly_parts_from_a_cell_or_year_columns_are_checked_then_imported(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    programme = programme_new(year=2026)
    client = client_for(district, "supervisor")
    rows = [
        # Columns: 4 + 4 + 4 of 12 lifts.
        years_row(目标值="12", **{"2026年目标": "4", "2027年目标": "4", "2028年度任务": "4"}),
        # The cell, continuing the project on the next row.
        [
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "改造面积",
            "360000",
            "平方米",
            "2026:100000；2027:130000；2028:130000",
            "",
            "",
            "",
        ],
        years_row(
            "银杉路早餐工程", 计划完成="2026-10-31", 指标名称="早餐网点", 目标值="8", 计量单位="个"
        ),
    ]
    job = years_uploaded(client, programme, rows)
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "2027年目标" in page and "年度分解" in page  # the mapping step names them
    job = checked(client, job, django_capture_on_commit_callbacks)
    assert (job.valid, job.rejected) == (2, 0) and job.summary["targets"] == 3
    assert not TargetYear.objects.exists() and not Project.objects.exists()  # the dry run

    run(client, job, django_capture_on_commit_callbacks)
    parts = {
        (p.target.name, p.year): p.value
        for p in TargetYear.objects.select_related("target").order_by("target", "year")
    }
    assert parts == {
        ("加装电梯", 2026): Decimal(4),
        ("加装电梯", 2027): Decimal(4),
        ("加装电梯", 2028): Decimal(4),
        ("改造面积", 2026): Decimal(100000),
        ("改造面积", 2027): Decimal(130000),
        ("改造面积", 2028): Decimal(130000),
    }
    assert not TargetYear.objects.filter(target__project__name="银杉路早餐工程").exists()


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"2026年目标": "-4"}, "指标「加装电梯」2026年的目标不能为负数"),
        (
            {"年度分解": "2026:4；2029:8"},
            "指标「加装电梯」的2029年目标不在项目工期（2026至2028年）内",
        ),
        ({"2026年目标": "8", "2027年目标": "8"}, "指标「加装电梯」的年度目标之和超过了总目标"),
        ({"年度分解": "2026:4", "2026年目标": "4"}, "指标「加装电梯」的2026年目标填了两次"),
        ({"年度分解": "明年八台"}, "指标「加装电梯」的年度分解格式有误"),
        ({"指标名称": "", "目标值": "", "计量单位": "", "2027年目标": "3"}, "缺少指标名称"),
    ],
)
def test_bad_yearly_parts_refuse_the_project_with_the_reason_and_write_nothing(
    district: District, django_capture_on_commit_callbacks: Any, cells: dict[str, str], reason: str
) -> None:
    client = client_for(district, "supervisor")
    rows = [years_row(**cells), years_row("银杉路早餐工程", 计划完成="2026-10-31")]
    job = checked(
        client,
        years_uploaded(client, programme_new(year=2026), rows),
        django_capture_on_commit_callbacks,
    )
    assert (job.valid, job.rejected) == (1, 1)
    assert reason in reasons(job)[2]
    run(client, job, django_capture_on_commit_callbacks)
    assert list(Project.objects.values_list("name", flat=True)) == ["银杉路早餐工程"]
    assert not Target.objects.filter(project__name="老旧小区三年改造").exists()
    assert not TargetYear.objects.exists()


# --- a project's points -------------------------------------------------------------------

POINTS_HEADER = [*HEADER, "坐标"]


def points_uploaded(
    client: Client, programme: Programme, rows: Sequence[Sequence[str]]
) -> ImportJob:
    response = client.post(
        reverse("imports:projects_upload"),
        {"file": upload("点位.xlsx", rows_xlsx(rows, POINTS_HEADER)), "programme": programme.pk},
    )
    assert response.status_code == 302, response.content.decode()
    return ImportJob.objects.latest("pk")


def test_a_projects_points_come_from_the_rows_of_its_coordinates_column(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(district, "supervisor")
    rows = [
        [*GOOD[0], "28.2051, 112.9012 景蓉小区3栋\n28.2063, 112.9030 景蓉小区7栋"],
        [*GOOD[1], "28.2063, 112.9030 景蓉小区7栋"],  # repeated: once
        [*GOOD[2], "28.2101 112.9111"],
        [*GOOD[3], ""],
    ]
    job = points_uploaded(client, programme_new(), rows)
    assert job.mapping["points"] == POINTS_HEADER.index("坐标")
    job = checked(client, job, django_capture_on_commit_callbacks)
    assert (job.valid, job.rejected) == (2, 0)
    run(client, job, django_capture_on_commit_callbacks)
    elevator = Project.objects.get(name="景蓉小区加装电梯")
    assert list(elevator.points.values_list("latitude", "longitude", "name")) == [
        (Decimal("28.205100"), Decimal("112.901200"), "景蓉小区3栋"),
        (Decimal("28.206300"), Decimal("112.903000"), "景蓉小区7栋"),
        (Decimal("28.210100"), Decimal("112.911100"), ""),
    ]
    assert not Project.objects.get(name="银杉路早餐工程").points.exists()


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("东经112度", "坐标“东经112度”格式有误"),
        ("112.9, 28.2", "纬度超出范围"),
        ("28.2, 112.9\n28.2, -181", "第2个位置：经度超出范围"),
    ],
)
def test_a_bad_point_refuses_its_project_with_the_reason(
    district: District, django_capture_on_commit_callbacks: Any, cell: str, reason: str
) -> None:
    client = client_for(district, "supervisor")
    rows = [[*GOOD[0], cell], [*GOOD[3], ""]]
    job = checked(
        client, points_uploaded(client, programme_new(), rows), django_capture_on_commit_callbacks
    )
    assert (job.valid, job.rejected) == (1, 1) and reason in reasons(job)[2]
    run(client, job, django_capture_on_commit_callbacks)
    assert list(Project.objects.values_list("name", flat=True)) == ["银杉路早餐工程"]
    assert not ProjectPoint.objects.exists()
