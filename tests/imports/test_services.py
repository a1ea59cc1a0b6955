from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.cases import services as cases
from minxin.cases.models import Appeal, AppealEvent, Channel, Reply
from minxin.cases.selectors import screening_queue
from minxin.cases.workflow import Action, AppealStatus
from minxin.core.errors import IllegalTransition, ValidationFailed
from minxin.deadlines.models import Urgency
from minxin.imports import services
from minxin.imports.mapping import mapping_guess
from minxin.imports.models import ImportJob, ImportRejection, ImportStatus
from minxin.imports.tasks import fail_stalled_imports_task
from minxin.notify.models import Notification
from minxin.triage.models import TriageSuggestion
from tests.builders import District

from .files import GOOD, HEADER, rows_csv, rows_xlsx, upload

MAPPING = {key: str(i) for key, i in mapping_guess(HEADER).items()}


def run_job(
    district: District,
    data: bytes,
    capture: Any,
    *,
    name: str = "export.csv",
    confirm: bool = True,
    source: str = "市12345平台",
) -> ImportJob:
    dispatcher = district.user("dispatcher")
    job = services.import_job_upload(actor=dispatcher, upload=upload(name, data))
    with capture(execute=True):
        services.import_job_map(
            actor=dispatcher,
            job_id=job.pk,
            raw_mapping={key: str(i) for key, i in job.mapping.items()},
            source_system=source,
            default_kind="complaint",
        )
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED, job.error
    if confirm and job.valid:
        with capture(execute=True):
            services.import_job_start(actor=dispatcher, job_id=job.pk)
        job.refresh_from_db()
    return job


def test_upload_stores_the_file_privately_and_guesses_the_mapping(district):
    job = services.import_job_upload(
        actor=district.user("dispatcher"), upload=upload("来自市平台.csv", rows_csv(GOOD))
    )
    assert job.status == ImportStatus.UPLOADED
    assert job.encoding == "utf-8" and job.file_format == "csv"
    assert job.headers == HEADER and job.mapping["title"] == 1
    name = job.file.name or ""
    assert name.startswith("imports/") and "来自" not in name


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.xlsx", b"not a zip at all", "不是有效的 Excel"),
        ("a.xlsx", rows_xlsx(GOOD)[:300], "无法读取该 Excel 文件"),
        ("a.csv", b"", "文件是空的"),
        ("a.csv", "标题,内容\n".encode("utf-16"), "UTF-16"),
        ("a.doc", b"hello", "只支持"),
    ],
)
def test_unreadable_files_store_nothing(district, name, data, message):
    with pytest.raises(ValidationFailed, match=message):
        services.import_job_upload(actor=district.user("dispatcher"), upload=upload(name, data))
    assert not ImportJob.objects.exists()


def test_oversized_file_is_refused(district, settings):
    settings.MINXIN_IMPORT_MAX_BYTES = 1024
    with pytest.raises(ValidationFailed, match="文件过大"):
        services.import_job_upload(
            actor=district.user("dispatcher"), upload=upload("a.csv", rows_csv(GOOD * 20))
        )
    assert not ImportJob.objects.exists()


def test_dry_run_reports_every_rejected_row_and_stores_no_appeal(
    district, django_capture_on_commit_callbacks
):
    bad = [
        ["X1", "", "内容", "", "", "", "", "", "", ""],
        ["X2", "标题", "内容", "2024-02-30", "", "", "", "", "", ""],
        ["X3", "标题", "内容", "", "", "110", "", "", "", ""],
        ["X4", "标" * 101, "内容", "", "", "", "", "", "", ""],
    ]
    before = Appeal.objects.count()
    job = run_job(district, rows_csv(GOOD + bad), django_capture_on_commit_callbacks, confirm=False)
    assert (job.total, job.valid, job.existing, job.rejected) == (7, 3, 0, 4)
    reasons = list(ImportRejection.objects.filter(job=job).values_list("row_number", "reason"))
    assert [n for n, _ in reasons] == [5, 6, 7, 8]
    assert reasons[0][1] == "请填写诉求标题"
    assert "无法识别" in reasons[1][1]
    assert "联系电话格式不正确" in reasons[2][1]
    assert reasons[3][1] == "标题不能超过100字"
    assert Appeal.objects.count() == before


def test_import_creates_each_appeal_through_the_intake_service(
    district, django_capture_on_commit_callbacks
):
    job = run_job(district, rows_xlsx(GOOD), django_capture_on_commit_callbacks, name="a.xlsx")
    assert job.status == ImportStatus.DONE
    assert (job.total, job.processed, job.created, job.existing, job.rejected) == (3, 3, 3, 0, 0)
    appeals = Appeal.objects.filter(channel=Channel.IMPORT).order_by("id")
    assert appeals.count() == 3
    first = appeals[0]
    assert first.status == AppealStatus.RECEIVED and first.tracking_number and first.query_code
    assert first.category_id == district.category.pk
    assert timezone_str(first.received_at) == "2024-05-01 09:30"  # the original time
    assert first.created_by == district.user("dispatcher")
    event = AppealEvent.objects.get(appeal=first)
    assert event.action == Action.RECEIVE and event.payload["import_job"] == job.pk
    # Triage ran in the background for the imported batch.
    assert TriageSuggestion.objects.filter(appeal__in=appeals).count() == 3
    # The dispatcher was told.
    note = Notification.objects.get(recipient=district.user("dispatcher"), kind="import_done")
    assert "新增3件" in note.body


def timezone_str(value: datetime) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def test_importing_the_same_file_twice_adds_nothing(district, django_capture_on_commit_callbacks):
    first = run_job(district, rows_csv(GOOD), django_capture_on_commit_callbacks)
    assert first.created == 3
    # Same rows in GBK, reordered columns, as another file: the dry run already knows.
    columns = [2, 1, 0, 3, 4, 5, 6, 7, 8, 9]
    again = run_job(
        district,
        rows_csv(
            [[r[i] for i in columns] for r in GOOD],
            header=[HEADER[i] for i in columns],
            encoding="gb18030",
        ),
        django_capture_on_commit_callbacks,
        confirm=False,
    )
    assert (again.valid, again.existing) == (0, 3)
    with pytest.raises(ValidationFailed, match="没有可导入的新诉求"):
        services.import_job_start(actor=district.user("dispatcher"), job_id=again.pk)
    assert Appeal.objects.filter(channel=Channel.IMPORT).count() == 3


def test_two_jobs_of_one_file_confirmed_together_create_each_appeal_once(
    district, django_capture_on_commit_callbacks
):
    a = run_job(district, rows_csv(GOOD), django_capture_on_commit_callbacks, confirm=False)
    b = run_job(district, rows_csv(GOOD), django_capture_on_commit_callbacks, confirm=False)
    assert a.valid == b.valid == 3  # neither has run yet
    for job in (a, b):
        with django_capture_on_commit_callbacks(execute=True):
            services.import_job_start(actor=district.user("dispatcher"), job_id=job.pk)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.created, a.existing) == (3, 0)
    assert (b.created, b.existing) == (0, 3)
    assert Appeal.objects.filter(channel=Channel.IMPORT).count() == 3


def test_rows_repeated_in_one_file_are_imported_once(district, django_capture_on_commit_callbacks):
    job = run_job(district, rows_csv(GOOD + GOOD[:1]), django_capture_on_commit_callbacks)
    assert (job.created, job.existing) == (3, 1)


def test_html_stays_text(district, django_capture_on_commit_callbacks):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    row = [evil, evil, evil, "", evil[:50], "", evil, evil, evil, ""]
    job = run_job(district, rows_csv([row]), django_capture_on_commit_callbacks)
    appeal = Appeal.objects.get(channel=Channel.IMPORT)
    assert appeal.title == evil and appeal.content == evil  # stored as typed, escaped when shown
    assert job.created == 1


def test_a_running_or_done_job_cannot_be_remapped_or_restarted(
    district, django_capture_on_commit_callbacks
):
    job = run_job(district, rows_csv(GOOD), django_capture_on_commit_callbacks)
    with pytest.raises(IllegalTransition):
        services.import_job_map(
            actor=district.user("dispatcher"),
            job_id=job.pk,
            raw_mapping=MAPPING,
            source_system="x",
            default_kind="complaint",
        )
    with pytest.raises(IllegalTransition):
        services.import_job_start(actor=district.user("dispatcher"), job_id=job.pk)
    assert services.import_job_run(job.pk).created == 3  # a second run of the task: nothing


def test_a_failed_import_resumes_after_its_last_stored_batch(
    district, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    rows = [[f"R{i}", f"标题{i}", f"内容{i}", "", "", "", "", "", "", ""] for i in range(5)]
    real = cases.appeals_create_bulk
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "appeals_create_bulk", flaky)
    job = run_job(district, rows_csv(rows), django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.FAILED and "继续导入" in job.error
    assert (job.processed, job.created) == (2, 2)  # the first batch, and its counts, are kept
    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_start(actor=district.user("dispatcher"), job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert (job.processed, job.created, job.existing) == (5, 5, 0)
    assert Appeal.objects.filter(channel=Channel.IMPORT).count() == 5


def test_an_import_whose_worker_died_is_marked_failed_and_resumes(
    district, django_capture_on_commit_callbacks
):
    job = run_job(district, rows_csv(GOOD), django_capture_on_commit_callbacks, confirm=False)
    dispatcher = district.user("dispatcher")
    services.import_job_start(actor=dispatcher, job_id=job.pk)  # queued; its task never runs
    now = timezone.now()
    queued_long_ago = ImportJob.objects.filter(pk=job.pk)
    queued_long_ago.update(progressed_at=now - timedelta(hours=5))
    assert services.import_jobs_fail_stalled(now=now) == 0  # waiting in the queue is not stalled
    # a worker claimed it, stored nothing for 29 minutes: still working
    queued_long_ago.update(status=ImportStatus.RUNNING, progressed_at=now - timedelta(minutes=29))
    assert services.import_jobs_fail_stalled(now=now) == 0
    # 31 minutes: its worker died
    queued_long_ago.update(progressed_at=now - timedelta(minutes=31))
    assert fail_stalled_imports_task.call(reschedule=False) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "继续导入" in job.error
    assert Notification.objects.filter(recipient=dispatcher, kind="import_failed").exists()
    assert services.import_jobs_fail_stalled(now=now) == 0  # once
    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_start(actor=dispatcher, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created == 3 and job.progressed_at is not None


def test_an_imported_appeal_completes_the_loop(district, django_capture_on_commit_callbacks):
    run_job(district, rows_csv(GOOD[:1]), django_capture_on_commit_callbacks)
    appeal = Appeal.objects.get(channel=Channel.IMPORT)
    # the dispatcher's 待甄别 queue
    assert appeal in screening_queue(user=district.user("dispatcher"))
    dispatcher = Actor.of(district.user("dispatcher"))
    handler = Actor.of(district.user("handler"))

    def v() -> int:
        return Appeal.objects.get(pk=appeal.pk).version

    cases.appeal_screen(
        appeal_id=appeal.pk,
        actor=dispatcher,
        expected_version=v(),
        category_id=district.category.pk,
        region_id=district.communities[0].pk,
        urgency=Urgency.NORMAL,
    )
    cases.appeal_dispatch(
        appeal_id=appeal.pk,
        actor=dispatcher,
        expected_version=v(),
        lead_unit_id=district.street_units[0].pk,
        assist_unit_ids=[],
    )
    cases.appeal_act(appeal_id=appeal.pk, action=Action.ACCEPT, actor=handler, expected_version=v())
    cases.appeal_act(
        action=Action.FIRST_CONTACT,
        appeal_id=appeal.pk,
        actor=handler,
        expected_version=v(),
        reason="已电话联系",
    )
    cases.reply_submit(
        appeal_id=appeal.pk, actor=handler, expected_version=v(), reason="已安排清运。"
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RESOLVED
    assert Reply.objects.filter(appeal=appeal).count() == 1
    assert list(appeal.events.values_list("action", flat=True)) == [
        "receive",
        "screen",
        "dispatch",
        "accept",
        "first_contact",
        "resolve",
        "approve_reply",  # no review rule: released at once by the system
    ]


def test_appeals_create_bulk_validates_like_appeal_create(district):
    draft = cases.AppealDraft(
        channel="import", kind="complaint", title="", content="x", is_anonymous=True
    )
    with pytest.raises(ValidationFailed, match="请填写诉求标题"):
        cases.appeals_create_bulk(
            actor=Actor.system(), items=[cases.BulkAppeal(draft=draft, submission_key="k1")]
        )
    good = cases.AppealDraft(
        channel="import", kind="complaint", title="t", content="c", is_anonymous=True
    )
    items = [
        cases.BulkAppeal(draft=good, submission_key="k1"),
        cases.BulkAppeal(draft=good, submission_key="k1"),
        cases.BulkAppeal(draft=good, submission_key="k2"),
    ]
    result = cases.appeals_create_bulk(actor=Actor.system(), items=items)
    assert len(result.created) == 2 and result.existing == 1
    numbers = sorted(a.tracking_number for a in result.created)
    assert numbers[0] != numbers[1]
    assert AppealEvent.objects.filter(appeal__in=result.created, action="receive").count() == 2
    again = cases.appeals_create_bulk(actor=Actor.system(), items=items)
    assert again.created == [] and again.existing == 3


def test_an_xlsx_broken_after_its_header_fails_the_dry_run_with_the_reason(
    district, django_capture_on_commit_callbacks
):
    import io
    import zipfile

    rows = [[f"ROW-{i:04d}", f"标题{i}", f"内容{i}", "", "", "", "", "", "", ""] for i in range(20)]
    good = rows_xlsx(rows)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: data.index(b"ROW-0015")]  # after the rows the upload previews
            dst.writestr(item, data)
    dispatcher = district.user("dispatcher")
    job = services.import_job_upload(actor=dispatcher, upload=upload("cut.xlsx", out.getvalue()))
    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_map(
            actor=dispatcher,
            job_id=job.pk,
            raw_mapping={key: str(i) for key, i in job.mapping.items()},
            source_system="x",
            default_kind="complaint",
        )
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "Excel 文件第" in job.error and "无法继续读取" in job.error
    assert not Appeal.objects.filter(channel=Channel.IMPORT).exists()
