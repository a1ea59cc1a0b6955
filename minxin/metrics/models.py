import uuid

from django.db import models
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.models import key, one_to_one_key
from minxin.directory.models import Jurisdiction


class ExportKind(models.TextChoices):
    LEDGER = "ledger", "诉求台账"
    BULLETIN_XLSX = "bulletin_xlsx", "通报（Excel）"
    BULLETIN_PDF = "bulletin_pdf", "通报（PDF）"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    EXPIRED = "expired", "已过期（文件已删除）"


def export_upload_to(instance: "Export", filename: str) -> str:
    # An unguessable name: the file is only ever handed out by `metrics:export_download`.
    return f"exports/{uuid.uuid4().hex}/{filename}"


class Export(models.Model):
    """A file built in the background (ledger or bulletin) for the user who asked for it."""

    kind = models.CharField("类型", max_length=20, choices=ExportKind.choices)
    requested_by = key(User, "申请人")
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    file = models.FileField("文件", upload_to=export_upload_to, blank=True, max_length=255)
    row_count = models.PositiveIntegerField("行数", default=0)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出"
        verbose_name_plural = "导出"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="export_user_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


# --- pre-aggregated figures (see metrics/facts.py) -----------------------------------------


class AppealFact(models.Model):
    """What one appeal currently adds to the MetricCell counters (a compact JSON of its days,
    keys and flags), kept so that a change can be applied as a difference: exact, and
    idempotent however often the appeal is refreshed."""

    appeal = one_to_one_key(Appeal)
    # The appeal's district, whose cells the fact is counted in (kept with the fact, so that a
    # change is taken out of the cells it was added to).
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    data = models.JSONField()

    class Meta:
        verbose_name = "诉求统计事实"
        verbose_name_plural = "诉求统计事实"

    def __str__(self) -> str:
        return str(self.appeal_id)


class MetricCell(models.Model):
    """The counters of one day for one key of one dimension (the whole district, a unit, a
    top-level category, a subdistrict, a channel) in one district. Sums over days give any
    period's rates, over the districts the city's; see docs/metrics.md for what each counter
    counts and on which day."""

    dim = models.CharField("维度", max_length=1)
    day = models.DateField("日期")
    key = models.CharField("键", max_length=24, blank=True)
    # Last in the unique index: the city's sums read (dim, day) ranges as before, a district's
    # filter within them.
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    arrived = models.IntegerField(default=0)
    received = models.IntegerField(default=0)
    repeats = models.IntegerField(default=0)
    received_valid = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    fc_contacted = models.IntegerField(default=0)
    fc_pending = models.IntegerField(default=0)
    fc_on_time = models.IntegerField(default=0)
    resolved_due = models.IntegerField(default=0)
    resolved_on_time = models.IntegerField(default=0)
    open_due = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    dispatches = models.IntegerField(default=0)
    returns = models.IntegerField(default=0)
    resolutions = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    handled = models.IntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)
    reviews = models.IntegerField(default=0)
    sent_back = models.IntegerField(default=0)
    revisits = models.IntegerField(default=0)
    revisits_reached = models.IntegerField(default=0)
    revisit_answers = models.IntegerField(default=0)
    revisit_solved = models.IntegerField(default=0)
    returns_refused = models.IntegerField(default=0)

    class Meta:
        verbose_name = "统计格"
        verbose_name_plural = "统计格"
        constraints = [
            models.UniqueConstraint(
                fields=["dim", "day", "key", "jurisdiction"], name="metric_cell_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dim}:{self.key} {self.day}"


class MetricsLock(models.Model):
    """One row, updated first by whoever applies changed appeals to the cells: the update
    takes the row lock (PostgreSQL) or the write lock (SQLite), so appliers take turns."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "统计锁"
        verbose_name_plural = "统计锁"

    def __str__(self) -> str:
        return f"applied at {self.applied_at}"
