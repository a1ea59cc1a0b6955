import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from minxin.machine.models import Event, VersionedModel

from .workflow import OrderStatus


class Clock(models.TextChoices):
    FIRST_CONTACT = "first_contact", "先行联系"
    RESOLVE = "resolve", "办结"


class WarningLevel(models.TextChoices):
    YELLOW = "yellow", "黄色预警（临期）"
    RED = "red", "红色预警（超期）"


class DeadlineWarning(models.Model):
    """A deadline warning raised once per (appeal, clock, level, deadline): a new deadline after
    an extension or a reopen can be warned about again. Append-only, like the event log."""

    appeal = models.ForeignKey(
        "cases.Appeal",
        verbose_name="诉求",
        on_delete=models.PROTECT,
        related_name="deadline_warnings",
    )
    clock = models.CharField("时限", max_length=20, choices=Clock.choices)
    level = models.CharField("级别", max_length=10, choices=WarningLevel.choices)
    due = models.DateTimeField("预警所依据的时限")
    share_used = models.FloatField("已用时比例")
    # The run of `deadline_warnings_raise` that inserted the row: only those are notified.
    run = models.UUIDField("批次", editable=False)
    created_at = models.DateTimeField("预警时间", default=timezone.now)

    class Meta:
        verbose_name = "时限预警"
        verbose_name_plural = "时限预警"
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "clock", "level", "due"], name="deadline_warning_once"
            ),
        ]
        indexes = [
            models.Index(fields=["run"], name="deadline_warning_run"),
            models.Index(fields=["created_at"], name="deadline_warning_time"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.clock} {self.level}"


class Escalation(models.IntegerChoices):
    NONE = 0, "未升级"
    UNIT_HEAD = 1, "已提醒单位负责人"
    LEADER = 2, "已报领导"


class SupervisionOrder(VersionedModel):
    """督办单: what a unit must do about one appeal (or in general) and by when; the unit
    answers it. Its history is SupervisionOrderEvent, not the appeal's transition log; its
    `status` and `escalation` are written only by the orders' machine."""

    appeal = models.ForeignKey(
        "cases.Appeal",
        verbose_name="诉求",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_orders",
    )
    unit = models.ForeignKey(
        "directory.Unit", verbose_name="督办单位", on_delete=models.PROTECT, related_name="+"
    )
    content = models.TextField("督办事项")
    due_at = models.DateTimeField("答复期限")
    issued_by = models.ForeignKey(
        "accounts.User", verbose_name="督办人", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("督办时间", default=timezone.now)
    status = models.CharField(
        "状态", max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(
        "accounts.User",
        verbose_name="答复人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(
        "升级", choices=Escalation.choices, default=Escalation.NONE
    )

    class Meta(VersionedModel.Meta):
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        indexes = [
            models.Index(fields=["status", "due_at"], name="order_status_due"),
            models.Index(fields=["unit", "status"], name="order_unit_status"),
        ]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(
                condition=(Q(status="answered") & Q(answered_at__isnull=False))
                | (Q(status="open") & Q(answered_at__isnull=True)),
                name="order_answered_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"督办单 {self.pk} → {self.unit_id}"


class SupervisionOrderEvent(Event):
    """Append-only history of a supervision order (issue, answer, escalations)."""

    order = models.ForeignKey(
        SupervisionOrder, verbose_name="督办单", on_delete=models.PROTECT, related_name="events"
    )

    class Meta(Event.Meta):
        verbose_name = "督办记录"
        verbose_name_plural = "督办记录"
        indexes = [models.Index(fields=["order", "created_at"], name="order_event_time")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"


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
    # An unguessable name: the file is only ever handed out by `supervision:export_download`.
    return f"exports/{uuid.uuid4().hex}/{filename}"


class Export(models.Model):
    """A file built in the background (ledger or bulletin) for the user who asked for it."""

    kind = models.CharField("类型", max_length=20, choices=ExportKind.choices)
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
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


# --- pre-aggregated figures (see supervision/facts.py) ------------------------------------


class AppealFact(models.Model):
    """What one appeal currently adds to the MetricCell counters (a compact JSON of its days,
    keys and flags), kept so that a change can be applied as a difference: exact, and
    idempotent however often the appeal is refreshed."""

    appeal = models.OneToOneField(
        "cases.Appeal", primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField()

    class Meta:
        verbose_name = "诉求统计事实"
        verbose_name_plural = "诉求统计事实"

    def __str__(self) -> str:
        return str(self.appeal_id)


class MetricCell(models.Model):
    """The counters of one day for one key of one dimension (the whole district, a unit, a
    top-level category, a subdistrict, a channel). Sums over days give any period's rates; see
    docs/metrics.md for what each counter counts and on which day."""

    dim = models.CharField("维度", max_length=1)
    day = models.DateField("日期")
    key = models.CharField("键", max_length=24, blank=True)

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

    class Meta:
        verbose_name = "统计格"
        verbose_name_plural = "统计格"
        constraints = [
            models.UniqueConstraint(fields=["dim", "day", "key"], name="metric_cell_once"),
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
