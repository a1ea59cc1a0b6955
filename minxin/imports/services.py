"""Bulk import: upload → column mapping → dry run (background) → import (background).

The dry run and the import read the stored file with the same code and judge each row with the
same `mapping.row_to_appeal`; the import then hands each batch of good rows to
`cases.services.appeals_create_bulk` (the intake service for many appeals), in one transaction
with the job's counts, so the progress page never counts a row that is not stored, and a retry
after a failure resumes after the last stored batch.
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import IO, Any, Final

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases.models import Appeal, AppealKind
from minxin.cases.services import BulkAppeal, appeals_create_bulk
from minxin.core.errors import IllegalTransition, ValidationFailed
from minxin.core.privacy import mask_personal_data
from minxin.core.tasks import enqueue_on_commit
from minxin.core.text import line_clean
from minxin.notify.services import notifications_send
from minxin.projects.models import Programme

from . import projects as project_import
from . import reading
from .mapping import (
    FIELDS,
    Directory,
    Field,
    RowRules,
    directory_load,
    mapping_clean,
    mapping_guess,
    row_to_appeal,
)
from .models import FileFormat, ImportJob, ImportKind, ImportPhase, ImportRejection, ImportStatus

logger = logging.getLogger(__name__)

BATCH_SIZE: Final = 1000
SOURCE_MAX: Final = 50
# 100,000 rows with full texts are ~55 MB as .xlsx and ~125 MB as CSV; both are streamed.
DEFAULT_MAX_BYTES: Final = 200 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "MINXIN_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


# --- upload -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    headers: list[str]
    rows: list[tuple[int, list[str]]]


def _preview(handle: Any, *, file_format: str, encoding: str) -> Preview:
    table = reading.table_open(handle=handle, file_format=file_format, encoding=encoding)
    rows: list[tuple[int, list[str]]] = []
    for row in table.rows():
        rows.append(row)
        if len(rows) >= reading.PREVIEW_ROWS:
            break
    return Preview(headers=table.headers, rows=rows)


@transaction.atomic(durable=True)
def import_job_upload(
    *,
    actor: User,
    upload: UploadedFile[bytes],
    encoding: str = reading.ENCODING_AUTO,
    kind: str = ImportKind.APPEALS,
    programme_id: int | None = None,
) -> ImportJob:
    """Check the file (format, encoding, header) before anything is stored; a file that cannot
    be read is refused with the reason and leaves nothing behind. Projects go into a programme
    the office names."""
    if kind == ImportKind.PROJECTS and (
        programme_id is None or not Programme.objects.filter(pk=programme_id).exists()
    ):
        raise ValidationFailed("请选择要导入的民心工程计划")
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    size = upload.size or 0
    limit = max_upload_bytes()
    if size == 0:
        raise ValidationFailed("文件是空的，没有可导入的内容")
    if size > limit:
        raise ValidationFailed(
            f"文件过大（{size / 1048576:.1f} MB），单个文件不能超过 {limit // 1048576} MB，"
            "请拆分后分批导入"
        )
    upload.seek(0)
    file_format = reading.format_sniff(name=name, head=upload.read(8))
    upload.seek(0)
    detected = ""
    if file_format == FileFormat.CSV:
        detected = reading.csv_encoding(upload, choice=encoding)
        upload.seek(0)
    preview = _preview(upload, file_format=file_format, encoding=detected)
    upload.seek(0)
    job = ImportJob(
        created_by=actor,
        file_name=name,
        file_size=size,
        file_format=file_format,
        encoding=detected,
        headers=preview.headers,
        mapping=mapping_guess(preview.headers, fields_for(kind, preview.headers)),
        kind=kind,
        programme_id=programme_id if kind == ImportKind.PROJECTS else None,
    )
    job.file.save("source", upload, save=False)
    job.save()
    return job


def fields_for(kind: str, headers: Sequence[str] = ()) -> Sequence[Field]:
    """The fields a file's columns map to: a projects' sheet adds one per year column."""
    return project_import.fields_for(headers) if kind == ImportKind.PROJECTS else FIELDS


def import_job_preview(*, job: ImportJob) -> Preview:
    with job.file.open("rb") as handle:
        return _preview(handle, file_format=job.file_format, encoding=job.encoding)


def preview_masked(*, job: ImportJob, preview: Preview) -> list[tuple[int, list[str]]]:
    """The first rows as the mapping page shows them: personal data masked, long text cut."""
    from minxin.core.privacy import mask_name, mask_phone

    special = {
        index: (mask_name if key == "appellant_name" else mask_phone)
        for key, index in job.mapping.items()
        if key in ("appellant_name", "appellant_phone")
    }
    shown = []
    for number, cells in preview.rows:
        row = []
        for i, cell in enumerate(cells[: len(job.headers)]):
            text = cell[:80]
            row.append(special[i](text) if i in special else mask_personal_data(text))
        shown.append((number, row))
    return shown


# --- mapping and dry run ------------------------------------------------------------------------


def _job_enqueue(task_name: str, job_id: int) -> None:
    from . import tasks  # here, not above: the tasks import these services

    enqueue_on_commit(lambda: getattr(tasks, task_name).enqueue(job_id))


@transaction.atomic(durable=True)
def import_job_map(
    *,
    actor: User,
    job_id: int,
    raw_mapping: dict[str, str],
    source_system: str,
    default_kind: str,
) -> ImportJob:
    """Save the mapping and start the dry run in the background."""
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.FAILED) or (
        job.status == ImportStatus.FAILED and job.phase == ImportPhase.IMPORT
    ):
        raise IllegalTransition("该导入已开始，不能再修改列对应")
    if job.kind == ImportKind.PROJECTS:  # the programme is the source; no appeal kind
        source_system, default_kind = "民心工程项目表", AppealKind.COMPLAINT
    source = line_clean(
        source_system,
        label="来源系统名称（例如：市12345平台）",
        short="来源系统名称",
        max_length=SOURCE_MAX,
    )
    if default_kind not in AppealKind.values:
        raise ValidationFailed("请选择默认诉求类型")
    job.mapping = mapping_clean(
        raw_mapping, column_count=len(job.headers), fields=fields_for(job.kind, job.headers)
    )
    job.source_system = source
    job.default_kind = default_kind
    job.status = ImportStatus.CHECKING
    job.phase = ImportPhase.DRY_RUN
    job.total = job.processed = job.valid = job.created = job.existing = job.rejected = 0
    job.summary = {}
    job.error = ""
    job.save()
    ImportRejection.objects.filter(job=job).delete()
    _job_enqueue("check_import_job_task", job.pk)
    return job


def _rules(job: ImportJob, directory: Directory | None = None) -> RowRules:
    return RowRules(
        mapping=job.mapping,
        source_system=job.source_system,
        default_kind=job.default_kind,
        directory=directory or directory_load(),
        now=timezone.now(),
    )


@dataclass(frozen=True)
class Judged:
    number: int
    appeal: BulkAppeal | None
    reason: str
    cells: list[str]


def _source_rows(job: ImportJob, handle: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    if job.rows_file:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        for row in csv.reader(text):
            yield int(row[0]), row[1:]
    else:
        table = reading.table_open(
            handle=handle, file_format=job.file_format, encoding=job.encoding
        )
        yield from table.rows()


def _judged_batches(
    job: ImportJob, *, skip: int = 0, keep: Callable[[int, list[str]], object] | None = None
) -> Iterator[list[Judged]]:
    """The file's data rows, judged, in batches; the first `skip` rows are passed over. The
    import reads the rows the dry run kept (`keep`), not the spreadsheet again."""
    rules = _rules(job)
    source = job.rows_file if job.rows_file else job.file
    with source.open("rb") as handle:
        batch: list[Judged] = []
        seen = 0
        for number, cells in _source_rows(job, handle):
            seen += 1
            if seen <= skip:
                continue
            if keep is not None:
                keep(number, cells)
            try:
                batch.append(Judged(number, row_to_appeal(cells, rules), "", cells))
            except ValidationFailed as refusal:
                batch.append(Judged(number, None, refusal.message[:300], cells))
            if len(batch) >= BATCH_SIZE:
                yield batch
                batch = []
        if batch:
            yield batch


def _excerpt(job: ImportJob, cells: list[str]) -> str:
    for key in ("title", "content"):
        index = job.mapping.get(key)
        if index is not None and index < len(cells) and cells[index]:
            return mask_personal_data(" ".join(cells[index].split())[:40])[:60]
    return ""


def import_job_check(job_id: int) -> ImportJob:
    """The dry run: judge every row, record each rejection with its reason, count the rows that
    would be created and those already imported (by this or an earlier job, or twice in the
    file). Stores no appeal; keeps the rows it read for the import."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportStatus.CHECKING:
        return job
    if job.kind == ImportKind.PROJECTS:
        return _guarded(job, project_import.projects_check, "预检")
    if job.rows_file:  # a dry run again after a new mapping reads the spreadsheet afresh
        job.rows_file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(rows_file="")
    with tempfile.TemporaryFile("w+b") as kept:
        kept_text = io.TextIOWrapper(kept, encoding="utf-8", newline="")
        writer = csv.writer(kept_text)
        try:
            _check_batches(job, keep=lambda number, cells: writer.writerow([number, *cells]))
        except ValidationFailed as error:
            return _fail(job, error.message)
        except Exception as error:
            logger.error("import %s: dry run failed (%s)", job.pk, type(error).__name__)
            return _fail(job, "预检时发生内部错误，请稍后重试或联系管理员")
        kept_text.flush()
        kept.seek(0)
        job.rows_file.save("rows.csv", File(kept), save=False)
        kept_text.detach()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.CHECKED, checked_at=timezone.now(), rows_file=job.rows_file.name
    )
    job.refresh_from_db()
    return job


def _check_batches(job: ImportJob, *, keep: Callable[[int, list[str]], object]) -> None:
    keys_seen: set[str] = set()
    for batch in _judged_batches(job, keep=keep):
        good = [j.appeal for j in batch if j.appeal is not None]
        keys = [a.submission_key for a in good]
        stored = set(
            Appeal.objects.filter(submission_key__in=keys).values_list("submission_key", flat=True)
        )
        existing = 0
        for key in keys:
            if key in stored or key in keys_seen:
                existing += 1
            keys_seen.add(key)
        refused = [j for j in batch if j.appeal is None]
        with transaction.atomic(durable=True):
            ImportRejection.objects.bulk_create(
                ImportRejection(
                    job=job, row_number=j.number, reason=j.reason, excerpt=_excerpt(job, j.cells)
                )
                for j in refused
            )
            ImportJob.objects.filter(pk=job.pk).update(
                processed=F("processed") + len(batch),
                total=F("total") + len(batch),
                valid=F("valid") + len(good) - existing,
                existing=F("existing") + existing,
                rejected=F("rejected") + len(refused),
            )


def _fail(job: ImportJob, message: str, *, stalled_before: datetime | None = None) -> ImportJob:
    jobs = ImportJob.objects.filter(pk=job.pk)
    if stalled_before is not None:  # the stalled-import sweep: a worker that moved on wins
        jobs = jobs.filter(status=ImportStatus.RUNNING, progressed_at__lt=stalled_before)
    failed = jobs.update(
        status=ImportStatus.FAILED, error=message[:2000], finished_at=timezone.now()
    )
    job.refresh_from_db()
    if not failed:
        return job
    if job.phase == ImportPhase.IMPORT:
        notifications_send(
            recipients=[job.created_by],
            title="批量导入失败",
            body=f"{job.file_name}：{message[:200]}",
            link=reverse("imports:job", args=[job.pk]),
            kind="import_failed",
        )
    return job


# --- the import -------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def import_job_start(*, actor: User, job_id: int) -> ImportJob:
    """Confirm after the dry run (or retry a failed import): queue the import."""
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    retry = job.status == ImportStatus.FAILED and job.phase == ImportPhase.IMPORT
    if job.status != ImportStatus.CHECKED and not retry:
        raise IllegalTransition("只有预检完成的导入才能开始导入")
    if not retry:
        if job.valid == 0:
            raise ValidationFailed(
                "没有可导入的新项目：所有项目都已存在或被拒收"
                if job.kind == ImportKind.PROJECTS
                else "没有可导入的新诉求：所有行都已存在或被拒收"
            )
        job.processed = job.created = job.existing = job.rejected = 0
        job.summary = {k: v for k, v in job.summary.items() if k != "handled"}
        job.started_at = timezone.now()
    job.status = ImportStatus.QUEUED
    job.phase = ImportPhase.IMPORT
    job.error = ""
    job.finished_at = None
    job.save()
    _job_enqueue("run_import_job_task", job.pk)
    return job


def import_job_run(job_id: int) -> ImportJob:
    """Import every good row of a queued job, one transaction per batch (appeals, their
    events and the job's counts together). A retried job resumes after its last stored batch;
    rows imported meanwhile by someone else count as 已存在, never twice."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, progressed_at=timezone.now()
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job  # already running, or done: a second run of the task does nothing
    if job.kind == ImportKind.PROJECTS:
        return _projects_run(job)
    actor = Actor.of(job.created_by)
    payload = {"import_job": job.pk, "source_system": job.source_system}
    try:
        for batch in _judged_batches(job, skip=job.processed):
            good = [j.appeal for j in batch if j.appeal is not None]
            with transaction.atomic(durable=True):
                result = appeals_create_bulk(actor=actor, items=good, payload=payload)
                ImportJob.objects.filter(pk=job.pk).update(
                    processed=F("processed") + len(batch),
                    created=F("created") + len(result.created),
                    existing=F("existing") + result.existing,
                    rejected=F("rejected") + len(batch) - len(good),
                    progressed_at=timezone.now(),
                )
                ids = [a.pk for a in result.created]
                if ids:
                    enqueue_on_commit(partial(_triage_enqueue, ids))
    except ValidationFailed as error:
        return _fail(job, error.message)
    except Exception as error:
        logger.error("import %s failed (%s)", job.pk, type(error).__name__)
        return _fail(job, "导入时发生内部错误，已导入的部分会保留，可点击“继续导入”从中断处继续")
    return _done(job, title="批量导入完成", noun="件", unit="件")


def _done(job: ImportJob, *, title: str, noun: str, unit: str) -> ImportJob:
    """Mark a run job done and tell its owner what it created (`noun`: what a row made,
    `unit`: its measure word), found and refused."""
    with transaction.atomic(durable=True):
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE, finished_at=timezone.now()
        )
        job.refresh_from_db()
        notifications_send(
            recipients=[job.created_by],
            title=title,
            body=(
                f"{job.file_name}：新增{job.created}{noun}，"
                f"已存在{job.existing}{unit}，拒收{job.rejected}行。"
            ),
            link=reverse("imports:job", args=[job.pk]),
            kind="import_done",
        )
    return job


def _guarded(job: ImportJob, work: Callable[[ImportJob], None], phase: str) -> ImportJob:
    """A projects dry run or run: a refusal of the whole file fails the job with its reason,
    anything else with a general message (the details go to the log, not to the page)."""
    try:
        work(job)
    except ValidationFailed as error:
        return _fail(job, error.message)
    except Exception as error:
        logger.error("import %s: %s failed (%s)", job.pk, phase, type(error).__name__)
        return _fail(job, f"{phase}时发生内部错误，已导入的项目会保留，可稍后重试或联系管理员")
    job.refresh_from_db()
    return job


def _projects_run(job: ImportJob) -> ImportJob:
    job = _guarded(job, project_import.projects_run, "导入")
    if job.status == ImportStatus.FAILED:
        return job
    return _done(job, title="民心工程项目导入完成", noun="个项目", unit="个")


STALLED_AFTER = timedelta(minutes=30)  # a batch takes seconds; the queue wait is not counted


def import_jobs_fail_stalled(*, now: datetime | None = None) -> int:
    """Mark failed the imports whose worker died (a running import with no batch stored for
    STALLED_AFTER), so their owner can resume them with 继续导入; the number marked."""
    cutoff = (now or timezone.now()) - STALLED_AFTER
    stalled = ImportJob.objects.filter(status=ImportStatus.RUNNING, progressed_at__lt=cutoff)
    done = 0
    for job in stalled.select_related("created_by"):
        job = _fail(
            job,
            "导入中断：处理进程已停止。已导入的部分会保留，可点击“继续导入”从中断处继续",
            stalled_before=cutoff,
        )
        done += job.status == ImportStatus.FAILED
    return done


def _triage_enqueue(appeal_ids: list[int]) -> None:
    # One triage task per batch rather than per appeal: enqueueing 100,000 single tasks
    # costs more than the import itself (bench/import_bulk.py measures both).
    from .tasks import triage_imported_appeals_task

    triage_imported_appeals_task.enqueue(appeal_ids)
