"""The 民心工程 import in a browser with a multi-year project: the year columns (2026年目标 …)
and the points (坐标) offered in the mapping step, the dry run's refusal of a bad yearly part,
and the import of the rest.

Screenshots: docs/screenshots/projects-import-mapping(-phone).png and
projects-import-dryrun(-phone).png."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from minxin.imports.models import ImportJob, ImportStatus
from minxin.imports.services import import_job_check, import_job_run
from minxin.projects.models import Programme, Project, TargetYear
from tests.builders import District
from tests.imports.files import rows_xlsx

from .conftest import DESKTOP, PHONE, login, snap

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _tasks_wait(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def both(page: Page, name: str) -> None:
    page.set_viewport_size(DESKTOP)
    snap(page, name)
    page.set_viewport_size(PHONE)
    snap(page, f"{name}-phone")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size(DESKTOP)


def test_a_multi_year_sheet_is_mapped_checked_and_imported(
    new_page, live_district: District, tmp_path: Path
):
    y = timezone.localdate().year
    programme = Programme.objects.create(name="民心工程", year=y)
    lead = live_district.street_units[0].name
    header = [
        "项目名称", "类别", "牵头单位", "计划开工", "计划完成", "指标名称", "目标值", "计量单位",
        f"{y}年目标", f"{y + 1}年目标", f"{y + 2}年目标", "坐标",
    ]  # fmt: skip
    rows = [
        [
            "老旧小区三年改造", "老旧小区改造", lead, f"{y}-03-01", f"{y + 2}-12-31",
            "改造面积", "360000", "平方米", "100000", "130000", "130000",
            "28.2051, 112.9012 景蓉小区\n28.2101, 112.9111 银杉小区",
        ],
        ["", "", "", "", "", "加装电梯", "60", "台", "20", "20", "20", ""],
        [
            "三年加装电梯", "加装电梯", lead, f"{y}-01-01", f"{y + 2}-12-31",
            "加装电梯", "30", "台", "20", "20", "", "",
        ],
    ]  # fmt: skip
    source = tmp_path / "三年计划.xlsx"
    source.write_bytes(rows_xlsx(rows, header=header))

    page = new_page()
    login(page, "supervisor", "pw-supervisor")
    page.goto(f"/console/imports/projects/?programme={programme.pk}")
    page.set_input_files("input[name=file]", str(source))
    page.get_by_role("button", name="上传并设置列对应").click()
    expect(page.get_by_role("heading", name="2. 设置列对应")).to_be_visible()
    for key, column in ((f"year_{y + 1}", 9), ("points", 11), ("target_value", 6)):
        expect(page.locator(f"select[name=col_{key}]")).to_have_value(str(column))
    expect(page.locator("#mapping-form")).to_contain_text(f"{y + 2}年目标")
    both(page, "projects-import-mapping")
    page.get_by_role("button", name="保存并预检").click()

    job = ImportJob.objects.get()
    import_job_check(job.pk)
    expect(page.get_by_role("heading", name="3. 预检结果")).to_be_visible(timeout=10_000)
    expect(page.locator("main")).to_contain_text("将新增 1 个项目")
    expect(page.locator("table.list tbody")).to_contain_text("年度目标之和超过了总目标")
    both(page, "projects-import-dryrun")
    assert not Project.objects.exists()

    page.get_by_role("button", name="确认导入 1 个项目").click()
    import_job_run(job.pk)
    expect(page.get_by_role("heading", name="导入完成")).to_be_visible(timeout=10_000)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created == 1
    project = Project.objects.get()
    assert project.name == "老旧小区三年改造" and project.points.count() == 2
    assert TargetYear.objects.filter(target__project=project).count() == 6
