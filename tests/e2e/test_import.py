"""The bulk import wizard in a browser: upload → 列对应 → 预检 → progress → done.

Background tasks go to the Dummy backend here, so the test itself plays the worker: the pages
show the queued and running states and pick up the results by their HTMX polling."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from minxin.cases.models import Appeal, Channel
from minxin.imports.models import ImportJob, ImportStatus
from minxin.imports.services import import_job_check, import_job_run
from tests.builders import District
from tests.imports.files import GOOD, HEADER, rows_xlsx

from .conftest import login, snap

pytestmark = pytest.mark.django_db(transaction=True)

EVIL = "<img src=x onerror=alert(1)>路灯不亮"
ROWS = [
    *GOOD,
    [
        "SZ-0004",
        EVIL,
        "望月湖路路灯连续一周不亮。",
        "2024-05-04 21:00",
        "赵六",
        "13900001111",
        "望月湖路",
        "",
        "",
        "求助",
    ],
    ["SZ-0005", "", "没有标题的一行", "2024-05-05 10:00", "", "", "", "", "", ""],
    [
        "SZ-0006",
        "噪音扰民",
        "夜间施工噪音很大。",
        "2024-05-06",
        "钱七",
        "12345",
        "",
        "",
        "",
        "投诉",
    ],
    ["SZ-0007", "占道经营", "桂花坪路口有摊贩占道经营。", "下周三", "", "", "", "", "", "投诉"],
]


@pytest.fixture(autouse=True)
def _tasks_wait(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_the_import_wizard(new_page, live_district: District, tmp_path: Path):
    source = tmp_path / "市12345平台工单导出.xlsx"
    source.write_bytes(rows_xlsx(ROWS, header=HEADER))
    page = new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"script ran: {dialog.message}"))
    login(page, "dispatcher", "pw-dispatcher")
    page.get_by_role("link", name="批量导入").click()
    expect(page.get_by_role("heading", name="批量导入诉求")).to_be_visible()

    page.set_input_files("input[name=file]", str(source))
    snap(page, "import_upload")

    # A broken file first: the reason, and nothing stored.
    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(b"PK\x03\x04 broken")
    page.set_input_files("input[name=file]", str(broken))
    page.get_by_role("button", name="上传并设置列对应").click()
    expect(page.get_by_role("alert")).to_contain_text("无法读取该 Excel 文件")
    assert not ImportJob.objects.exists()

    page.set_input_files("input[name=file]", str(source))
    page.get_by_role("button", name="上传并设置列对应").click()
    expect(page.get_by_role("heading", name="2. 设置列对应")).to_be_visible()
    expect(page.locator("select[name=col_title]")).to_have_value("1")
    expect(page.locator("select[name=col_appellant_phone]")).to_have_value("5")
    preview = page.locator("#mapping-form table")
    expect(preview).to_contain_text("138****5678")
    expect(preview).not_to_contain_text("13812345678")
    page.fill("input[name=source_system]", "市12345平台")
    snap(page, "import_mapping")
    page.get_by_role("button", name="保存并预检").click()

    # The dry run is queued; the page polls and reloads itself once the worker is done.
    expect(page.locator("#im-progress")).to_contain_text("预检中")
    job = ImportJob.objects.get()
    import_job_check(job.pk)
    expect(page.get_by_role("heading", name="3. 预检结果")).to_be_visible(timeout=10_000)
    rejected = page.locator("table.list tbody tr")
    expect(rejected).to_have_count(3)
    expect(rejected.nth(0)).to_contain_text("请填写诉求标题")
    expect(rejected.nth(1)).to_contain_text("联系电话格式不正确")
    expect(rejected.nth(2)).to_contain_text("受理时间“下周三”无法识别")
    snap(page, "import_dryrun")

    page.get_by_role("button", name="确认导入 4 条").click()
    expect(page.locator("#im-progress")).to_contain_text("排队导入")
    snap(page, "import_progress")
    import_job_run(job.pk)
    expect(page.get_by_role("heading", name="导入完成")).to_be_visible(timeout=10_000)
    expect(page.locator("main")).to_contain_text("新增 4 件诉求")
    snap(page, "import_done")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created == 4

    # The imported appeals wait in the dispatcher's screening queue, the HTML shown as text.
    page.get_by_role("main").get_by_role("link", name="甄别派单").click()
    expect(page.locator("main")).to_contain_text(EVIL)
    assert Appeal.objects.filter(channel=Channel.IMPORT).count() == 4
