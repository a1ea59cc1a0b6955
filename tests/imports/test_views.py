import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from minxin.cases.models import Appeal, Channel
from minxin.imports.models import ImportJob, ImportStatus

from .files import GOOD, HEADER, rows_csv, rows_xlsx, upload

EVIL = "<script>alert('x')</script>"


def client_for(district, key: str) -> Client:
    client = Client()
    client.force_login(district.user(key))
    return client


def post_upload(client: Client, name: str, data: bytes, encoding: str = "auto"):
    return client.post(
        reverse("imports:upload"), {"file": upload(name, data), "encoding": encoding}
    )


def mapping_post(job: ImportJob, **overrides: str) -> dict[str, str]:
    data = {f"col_{key}": str(i) for key, i in job.mapping.items()}
    data.update(source_system="市12345平台", default_kind="complaint")
    data.update(overrides)
    return data


def test_only_dispatchers_and_admins_see_the_wizard(district):
    for key in ("handler", "call_taker", "supervisor", "leader"):
        assert client_for(district, key).get(reverse("imports:index")).status_code == 404
    page = client_for(district, "dispatcher").get(reverse("imports:index"))
    assert page.status_code == 200 and "批量导入诉求" in page.content.decode()
    assert 'href="/console/imports/"' in page.content.decode()  # the nav entry
    assert client_for(district, "admin").get(reverse("imports:index")).status_code == 200
    anonymous = Client().get(reverse("imports:index"))
    assert anonymous.status_code == 302


@pytest.mark.parametrize(
    ("name", "data", "encoding", "message"),
    [
        ("a.xlsx", b"PK\x03\x04 this is not really a zip", "auto", "无法读取该 Excel 文件"),
        ("a.xlsx", b"plain text", "auto", "不是有效的 Excel"),
        ("a.csv", b"", "auto", "文件是空的"),
        ("a.csv", b"\n\n", "auto", "文件是空的"),
        ("a.csv", rows_csv(GOOD, encoding="gb18030"), "utf-8", "不是 UTF-8 编码"),
        ("a.csv", rows_csv(GOOD, encoding="utf-8"), "gb18030", "会变成乱码"),
        ("a.csv", rows_csv(GOOD), "latin-1", "请选择文件编码"),
    ],
)
def test_bad_files_answer_400_with_the_reason_and_store_nothing(
    district, name, data, encoding, message
):
    response = post_upload(client_for(district, "dispatcher"), name, data, encoding)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_oversized_upload_is_refused(district, settings):
    settings.MINXIN_IMPORT_MAX_BYTES = 2048
    response = post_upload(client_for(district, "dispatcher"), "big.csv", rows_csv(GOOD * 30))
    assert response.status_code == 400 and "文件过大" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_wizard_end_to_end(district, django_capture_on_commit_callbacks):
    client = client_for(district, "dispatcher")
    evil_row = ["E1", EVIL, "内容", "", "", "", "", "", "", ""]
    bad_row = ["E2", "@SUM(1+1)*cmd", "", "", "", "", "", "", "", ""]
    response = post_upload(client, "市平台导出.xlsx", rows_xlsx([*GOOD, evil_row, bad_row]))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "设置列对应" in html and 'name="col_title"' in html
    assert "138****5678" in html and "13812345678" not in html  # masked preview
    assert "张*" in html and "张三" not in html
    assert EVIL not in html and "&lt;script&gt;" in html
    # A missing source system: the step again, 400, the reason.
    refused = client.post(
        reverse("imports:mapping", args=[job.pk]), mapping_post(job, source_system="")
    )
    assert refused.status_code == 400 and "请填写来源系统名称" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        mapped = client.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job))
    assert mapped.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and (job.valid, job.rejected) == (4, 1)
    html = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "预检结果" in html and "确认导入 4 条" in html and "请填写诉求内容" in html
    # The rejections as CSV: formula cells are neutralised.
    download = client.get(reverse("imports:rejections_csv", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["行号", "原因", "摘录（已脱敏）"]
    assert rows[1] == ["6", "请填写诉求内容", "'@SUM(1+1)*cmd"]
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("imports:start", args=[job.pk]))
    assert started.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created == 4
    html = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "导入完成" in html and "新增 <b>4</b> 件诉求" in html
    # Shown escaped wherever staff see it.
    evil = Appeal.objects.get(channel=Channel.IMPORT, title=EVIL)
    screening = client.get(reverse("dispatch:screening")).content.decode()
    assert EVIL not in screening
    assert evil.tracking_number in screening


def test_progress_polls_while_working_and_reloads_when_done(district):
    client = client_for(district, "dispatcher")
    post_upload(client, "a.csv", rows_csv(GOOD))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING,
        phase="import",
        total=3000,
        processed=1000,
        created=900,
        existing=50,
        rejected=50,
    )
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "33%" in page
    partial = client.get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in partial.content.decode() and "HX-Refresh" not in partial
    assert "<b>900</b>" in partial.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, processed=3000)
    partial = client.get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true" and "every 2s" not in partial.content.decode()


def test_a_job_is_visible_to_its_owner_and_admins_only(district, django_user_model):
    from minxin.accounts.roles import Role

    owner = client_for(district, "dispatcher")
    post_upload(owner, "a.csv", rows_csv(GOOD))
    job = ImportJob.objects.get()
    other = django_user_model.objects.create_user(
        username="dispatcher2", password="x", role=Role.DISPATCHER, unit=district.hotline
    )
    intruder = Client()
    intruder.force_login(other)
    for name in ("imports:job", "imports:progress", "imports:rejections_csv"):
        assert intruder.get(reverse(name, args=[job.pk])).status_code == 404
    assert intruder.post(reverse("imports:start", args=[job.pk])).status_code == 404
    assert (
        intruder.post(reverse("imports:mapping", args=[job.pk]), mapping_post(job)).status_code
        == 404
    )
    assert "a.csv" not in intruder.get(reverse("imports:index")).content.decode()
    assert (
        client_for(district, "admin").get(reverse("imports:job", args=[job.pk])).status_code == 200
    )
    assert owner.get(reverse("imports:job", args=[job.pk])).status_code == 200


def test_starting_before_the_dry_run_is_a_409(district):
    client = client_for(district, "dispatcher")
    post_upload(client, "a.csv", rows_csv(GOOD))
    job = ImportJob.objects.get()
    response = client.post(reverse("imports:start", args=[job.pk]))
    assert response.status_code == 409 and "预检完成" in response.content.decode()
    assert not Appeal.objects.filter(channel=Channel.IMPORT).exists()


def test_csrf_is_required(district):
    client = Client(enforce_csrf_checks=True)
    client.force_login(district.user("dispatcher"))
    response = post_upload(client, "a.csv", rows_csv(GOOD))
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_the_header_list_is_kept(district):
    client = client_for(district, "dispatcher")
    post_upload(client, "a.csv", rows_csv(GOOD))
    assert ImportJob.objects.get().headers == HEADER
