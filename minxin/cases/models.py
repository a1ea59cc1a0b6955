from django.db import models
from django.db.models import Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.models import DaySequence, key, optional_key, self_key
from minxin.core.privacy import Contact, contact_masked
from minxin.deadlines.models import Urgency
from minxin.directory.models import Category, Region, Unit
from minxin.machine.models import Event, VersionedModel

from .workflow import AppealStatus, Satisfaction

TITLE_MAX = 100
CONTENT_MAX = 5000


class Channel(models.TextChoices):
    WEB = "web", "网页/公众号"
    HOTLINE = "hotline", "12345热线"
    BOARD = "board", "留言板"
    VISIT = "visit", "走访"
    SUGGESTION = "suggestion", "建议征集"
    API = "api", "接口"
    IMPORT = "import", "批量导入"


class AppealKind(models.TextChoices):
    COMPLAINT = "complaint", "投诉"
    HELP = "help", "求助"
    INQUIRY = "inquiry", "咨询"
    SUGGESTION = "suggestion", "建议"
    REPORT = "report", "举报"
    PRAISE = "praise", "表扬"


class Appeal(VersionedModel):
    """One citizen's appeal, from intake to archive. Never deleted; `status` is written only by
    the appeals' machine (`cases.machine.APPEALS`); a new appeal starts at its default."""

    tracking_number = models.CharField("受理编号", max_length=20, unique=True)
    query_code = models.CharField("查询码", max_length=12)
    # Idempotent submit: the form's one-time key; a resubmitted form finds its appeal again.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    kind = models.CharField("诉求类型", max_length=20, choices=AppealKind.choices)
    title = models.CharField("标题", max_length=TITLE_MAX)
    content = models.TextField("诉求内容")

    place_text = models.CharField("发生地点", max_length=200, blank=True)
    region = optional_key(Region, "所属区域")
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    category = optional_key(Category, "分类")
    urgency = models.CharField(
        "紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )

    appellant_name = models.CharField("诉求人", max_length=50, blank=True)
    appellant_phone = models.CharField("联系电话", max_length=20, blank=True)
    is_anonymous = models.BooleanField("匿名", default=False)

    status = models.CharField(
        "状态", max_length=20, choices=AppealStatus.choices, default=AppealStatus.RECEIVED
    )
    lead_unit = optional_key(Unit, "主办单位")
    merged_into = self_key("合并至", related_name="duplicates")

    received_at = models.DateTimeField("受理时间", default=timezone.now)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    first_contact_due = models.DateTimeField("先行联系时限", null=True, blank=True)
    resolve_due = models.DateTimeField("办结时限", null=True, blank=True)
    first_contacted_at = models.DateTimeField("先行联系时间", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_at = models.DateTimeField("归档时间", null=True, blank=True)
    # The clock stops while the appeal waits on the citizen; resuming shifts the deadlines.
    paused_at = models.DateTimeField("挂起时间", null=True, blank=True)
    satisfaction = models.CharField(
        "满意度", max_length=24, choices=Satisfaction.choices, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)

    created_by = optional_key(User, "录入人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta(VersionedModel.Meta):
        verbose_name = "诉求"
        verbose_name_plural = "诉求"
        indexes = [
            models.Index(fields=["status", "received_at"], name="appeal_status_recv"),
            models.Index(fields=["lead_unit", "status", "resolve_due"], name="appeal_unit_due"),
            models.Index(fields=["received_at"], name="appeal_recv"),
            models.Index(fields=["region", "received_at"], name="appeal_region_recv"),
            models.Index(fields=["category", "received_at"], name="appeal_cat_recv"),
            models.Index(fields=["appellant_phone", "received_at"], name="appeal_phone_recv"),
            # The supervision figures look up the appeals whose deadline is still ahead.
            models.Index(fields=["first_contact_due"], name="appeal_fc_due"),
            models.Index(fields=["resolve_due"], name="appeal_resolve_due"),
        ]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(status=AppealStatus.MERGED) | Q(merged_into__isnull=False),
                name="appeal_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"

    @property
    def appellant(self) -> Contact:
        """What a page shows of the appellant: name and phone masked."""
        return contact_masked(
            name=self.appellant_name, phone=self.appellant_phone, anonymous=self.is_anonymous
        )


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "主办"
    ASSIST = "assist", "协办"


class Assignment(models.Model):
    """A unit's part in an appeal (派单): one active lead, any number of assisting units."""

    appeal = key(Appeal, "诉求", related_name="assignments")
    unit = key(Unit, "单位")
    role = models.CharField("角色", max_length=10, choices=AssignmentRole.choices)
    is_active = models.BooleanField("有效", default=True)
    assigned_at = models.DateTimeField("派单时间", default=timezone.now)
    assigned_by = optional_key(User)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=500, blank=True)

    class Meta:
        verbose_name = "派单"
        verbose_name_plural = "派单"
        indexes = [
            models.Index(fields=["unit", "is_active", "appeal"], name="assignment_unit_active"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"],
                condition=Q(is_active=True, role="lead"),
                name="assignment_one_active_lead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} → {self.unit_id} ({self.role})"


class AppealEvent(Event):
    """The append-only history of an appeal: who did what, when, from which status to which."""

    appeal = key(Appeal, "诉求", related_name="events")
    actor_unit = optional_key(Unit, "操作单位")

    class Meta(Event.Meta):
        verbose_name = "诉求事件"
        verbose_name_plural = "诉求事件"
        indexes = [
            models.Index(fields=["appeal", "created_at"], name="event_appeal_time"),
            models.Index(fields=["action", "created_at"], name="event_action_time"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.action} {self.from_status}→{self.to_status}"


class Reply(models.Model):
    """The answer to the citizen (果必复); a reopened appeal gets another one."""

    appeal = key(Appeal, "诉求", related_name="replies")
    unit = key(Unit, "答复单位")
    author = optional_key(User)
    content = models.TextField("答复内容")
    created_at = models.DateTimeField("答复时间", default=timezone.now)

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} 答复"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "已驳回"


class Extension(models.Model):
    appeal = key(Appeal, "诉求", related_name="extensions")
    unit = key(Unit)
    requested_by = key(User)
    days = models.PositiveSmallIntegerField("延期工作日")
    reason = models.TextField("延期理由")
    status = models.CharField(
        "审批状态", max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = optional_key(User)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=Q(status="pending"), name="extension_one_pending"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="extension_status")]

    def __str__(self) -> str:
        return f"{self.appeal_id} 延期{self.days}天"


class Attachment(models.Model):
    appeal = key(Appeal, "诉求", related_name="attachments")
    file = models.ImageField("照片", upload_to="appeals/%Y/%m/")
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"

    def __str__(self) -> str:
        return f"{self.appeal_id} 照片"


class DailySequence(DaySequence):
    """Per-day counter behind readable tracking numbers (2026112100042)."""

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"


class ChangedAppeal(models.Model):
    """Outbox of appeals changed since the figures derived from them (supervision's
    pre-aggregated metrics) were last brought up to date. A row is added in the transaction of
    every event; the consumer deletes the rows it has applied. Append-only and without a unique
    key, so a change committed while the consumer works leaves a row for its next run."""

    appeal_id = models.BigIntegerField("诉求")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "待统计诉求"
        verbose_name_plural = "待统计诉求"

    def __str__(self) -> str:
        return str(self.appeal_id)


class PhoneReveal(models.Model):
    """One look at an appellant's full phone number, to call them (先行联系, 回访): who, of
    which unit and role, which appeal, when. Pages show the number masked; only
    `services.phone_reveal` shows it whole, and writes this row first. Append-only: PROTECT
    keys, a read-only admin and, on PostgreSQL, a trigger refusing UPDATE and DELETE."""

    appeal = key(Appeal, "诉求", related_name="phone_reveals")
    actor = key(User, "查看人")
    actor_unit = optional_key(Unit, "查看人单位")
    role = models.CharField("角色", max_length=20)
    created_at = models.DateTimeField("查看时间", default=timezone.now)

    class Meta:
        verbose_name = "号码查看记录"
        verbose_name_plural = "号码查看记录"
        indexes = [
            models.Index(fields=["appeal", "created_at"], name="phone_reveal_appeal"),
            models.Index(fields=["created_at"], name="phone_reveal_time"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.actor_id} {self.created_at:%Y-%m-%d %H:%M}"
