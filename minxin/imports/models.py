"""A bulk import of appeals from another platform's Excel or CSV export (批量导入)."""

import uuid

from django.db import models
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import AppealKind
from minxin.core.models import key, optional_key
from minxin.projects.models import Programme


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "待设置列对应"
    CHECKING = "checking", "预检中"
    CHECKED = "checked", "预检完成"
    QUEUED = "queued", "排队导入"
    RUNNING = "running", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (.xlsx)"


class ImportKind(models.TextChoices):
    APPEALS = "appeals", "诉求"
    PROJECTS = "projects", "民心工程项目"


class ImportPhase(models.TextChoices):
    DRY_RUN = "dry_run", "预检"
    IMPORT = "import", "导入"


def import_upload_to(instance: "ImportJob", filename: str) -> str:
    # Unguessable and never served: media is not exposed, and no view hands this file out.
    return f"imports/{uuid.uuid4().hex}/source"


def import_rows_upload_to(instance: "ImportJob", filename: str) -> str:
    return f"imports/{uuid.uuid4().hex}/rows.csv"


class ImportJob(models.Model):
    """One uploaded file, its column mapping, its dry run and its import, with the counts the
    progress page shows (updated once per batch)."""

    created_by = key(User, "导入人")
    kind = models.CharField(
        "导入内容", max_length=10, choices=ImportKind.choices, default=ImportKind.APPEALS
    )
    # The programme a projects import goes into (the office chooses it on upload).
    programme = optional_key(Programme, "导入计划")
    source_system = models.CharField("来源系统", max_length=50, blank=True)
    file = models.FileField("文件", upload_to=import_upload_to, max_length=255)
    # The rows exactly as the dry run read them (row number, cells) as UTF-8 CSV: the import
    # reads this instead of parsing the spreadsheet a second time.
    rows_file = models.FileField(
        "预检数据", upload_to=import_rows_upload_to, blank=True, max_length=255
    )
    file_name = models.CharField("原文件名", max_length=200)
    file_size = models.PositiveBigIntegerField("文件大小", default=0)
    file_format = models.CharField("格式", max_length=10, choices=FileFormat.choices)
    encoding = models.CharField("编码", max_length=20, blank=True)
    headers = models.JSONField("表头", default=list, blank=True)
    # {"title": 0, "content": 3, ...}: target field → column index in `headers`.
    mapping = models.JSONField("列对应", default=dict, blank=True)
    default_kind = models.CharField(
        "默认诉求类型", max_length=20, choices=AppealKind.choices, default=AppealKind.COMPLAINT
    )
    status = models.CharField(
        "状态", max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    phase = models.CharField("阶段", max_length=10, choices=ImportPhase.choices, blank=True)
    total = models.PositiveIntegerField("数据行数", default=0)
    processed = models.PositiveIntegerField("已处理", default=0)
    valid = models.PositiveIntegerField("预检通过", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    existing = models.PositiveIntegerField("已存在", default=0)
    rejected = models.PositiveIntegerField("拒收", default=0)
    # What a projects import counts besides rows: {"targets": n, "milestones": n, ...}.
    summary = models.JSONField("汇总", default=dict, blank=True)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("上传时间", default=timezone.now)
    checked_at = models.DateTimeField("预检时间", null=True, blank=True)
    started_at = models.DateTimeField("开始导入", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Set when a worker claims the import and after each batch: a running import that has not
    # moved for a long time lost its worker (`import_jobs_fail_stalled`).
    progressed_at = models.DateTimeField("最近进展", null=True, blank=True)

    class Meta:
        verbose_name = "批量导入"
        verbose_name_plural = "批量导入"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="importjob_user_time")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return min(100, self.processed * 100 // self.total) if self.total else 0

    @property
    def is_working(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.QUEUED, ImportStatus.RUNNING)


class ImportRejection(models.Model):
    """A row the dry run would not import, and why (the import skips the same rows)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField("行号")
    reason = models.CharField("原因", max_length=300)
    excerpt = models.CharField("摘录", max_length=60, blank=True)

    class Meta:
        verbose_name = "拒收行"
        verbose_name_plural = "拒收行"
        ordering = ["job", "row_number", "id"]
        indexes = [models.Index(fields=["job", "row_number"], name="importrej_job_row")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number} {self.reason}"
