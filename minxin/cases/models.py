from django.db import models
from django.db.models import Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.citylink.models import Peer
from minxin.core.models import DaySequence, key, optional_key, self_key
from minxin.core.privacy import Contact, contact_masked
from minxin.deadlines.models import Urgency
from minxin.directory.models import Category, Region, Unit, jurisdiction_key
from minxin.machine.models import Event, VersionedModel

from .workflow import UNIT_QUEUE_STATUSES, AppealStatus, Satisfaction

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
    # The district whose appeal it is: its staff see it, no other district's do.
    jurisdiction = jurisdiction_key()
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
    # The unit's reply submitted (its completion clock stops), then released to the citizen
    # once the centre's review passes it (办结审核); the rating window runs from the release.
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    released_at = models.DateTimeField("答复发布时间", null=True, blank=True)
    closed_at = models.DateTimeField("归档时间", null=True, blank=True)
    # The clock stops while the appeal waits on the citizen; resuming shifts the deadlines.
    paused_at = models.DateTimeField("挂起时间", null=True, blank=True)
    satisfaction = models.CharField(
        "满意度", max_length=24, choices=Satisfaction.choices, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    # The city link (docs/citylink.md): an appeal a peer platform sent down keeps the peer, its
    # id (unique per peer) and its deadline, which this side's deadlines never pass; an appeal
    # sent down to a peer keeps which, and the id the peer gave it.
    upstream_peer = optional_key(Peer, "上级平台")
    upstream_id = models.CharField("上级工单编号", max_length=64, blank=True)
    upstream_due = models.DateTimeField("上级办结时限", null=True, blank=True)
    downstream_peer = optional_key(Peer, "下级平台")
    downstream_id = models.CharField("下级工单编号", max_length=64, blank=True)

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
            models.Index(fields=["jurisdiction", "status", "received_at"], name="appeal_juris"),
            models.Index(fields=["region", "received_at"], name="appeal_region_recv"),
            models.Index(fields=["category", "received_at"], name="appeal_cat_recv"),
            models.Index(fields=["appellant_phone", "received_at"], name="appeal_phone_recv"),
            # The supervision figures look up the appeals whose deadline is still ahead.
            models.Index(fields=["first_contact_due"], name="appeal_fc_due"),
            models.Index(fields=["resolve_due"], name="appeal_resolve_due"),
            # The units' queues (a few % of the appeals) in their order: bench/README.md, "search".
            models.Index(
                fields=["resolve_due", "received_at"],
                include=["id"],
                condition=Q(status__in=sorted(UNIT_QUEUE_STATUSES)),
                name="appeal_unit_queue",
            ),
        ]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(status=AppealStatus.MERGED) | Q(merged_into__isnull=False),
                name="appeal_merged_has_target",
            ),
            models.UniqueConstraint(
                fields=["upstream_peer", "upstream_id"],
                condition=Q(upstream_peer__isnull=False),
                name="appeal_upstream_once",
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


class SubAssignmentStatus(models.TextChoices):
    PENDING = "pending", "待反馈"
    REPORTED = "reported", "已反馈"
    RECALLED = "recalled", "已收回"


class SubAssignment(models.Model):
    """二级派单: the lead unit (a street office) passes the appeal down to a community or grid
    unit under it, with a deadline inside the appeal's own. The lead unit stays the appeal's
    lead: it answers the citizen and is scored. This row keeps who holds the sub-task and where
    it stands; each step is also the appeal's event (`sub_dispatch`, `sub_report`,
    `sub_recall`), written in the same transaction. One pending sub-task per appeal."""

    appeal = key(Appeal, "诉求", related_name="sub_assignments")
    unit = key(Unit, "承接单位", related_name="sub_assignments")
    from_unit = key(Unit, "下派单位")
    due_at = models.DateTimeField("下派时限")
    instructions = models.TextField("交办要求", blank=True)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=SubAssignmentStatus.choices,
        default=SubAssignmentStatus.PENDING,
    )
    assigned_by = optional_key(User, "下派人")
    assigned_at = models.DateTimeField("下派时间", default=timezone.now)
    report = models.TextField("反馈内容", blank=True)
    reported_by = optional_key(User, "反馈人")
    reported_at = models.DateTimeField("反馈时间", null=True, blank=True)
    recall_reason = models.CharField("收回理由", max_length=500, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "二级派单"
        verbose_name_plural = "二级派单"
        ordering = ["assigned_at", "id"]
        indexes = [
            models.Index(fields=["unit", "status", "due_at"], name="subassign_unit_due"),
            models.Index(fields=["from_unit", "status", "due_at"], name="subassign_from_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=Q(status="pending"), name="subassign_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} → {self.unit_id} ({self.get_status_display()})"

    @property
    def is_overdue(self) -> bool:
        """Past its deadline: still pending after it, or reported after it."""
        if self.status == SubAssignmentStatus.PENDING:
            return self.due_at < timezone.now()
        if self.status == SubAssignmentStatus.REPORTED and self.reported_at is not None:
            return self.reported_at > self.due_at
        return False


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
    """The answer to the citizen (果必复); a reopened appeal gets another one, and so does a
    reply the centre's review sent back. The citizen sees it once released (`released_at`,
    set by the review's approval); its quality check (the triage library's score and reasons)
    is kept as it was when submitted."""

    appeal = key(Appeal, "诉求", related_name="replies")
    unit = key(Unit, "答复单位")
    author = optional_key(User)
    content = models.TextField("答复内容")
    created_at = models.DateTimeField("答复时间", default=timezone.now)
    released_at = models.DateTimeField("发布时间", null=True, blank=True)
    quality_score = models.PositiveSmallIntegerField("质量评分", null=True, blank=True)
    quality = models.JSONField("质量检查", default=dict, blank=True)
    review_note = models.CharField("审核去向", max_length=200, blank=True)

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["appeal", "released_at"], name="reply_appeal_released")]

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


TransferStatus = ExtensionStatus  # a transfer request is decided as an extension's is


class Transfer(models.Model):
    """A lead unit's request to transfer an accepted appeal to another unit (转办/改派), and the
    decision on it: the dispatcher (or a supervisor) approves, choosing the new lead unit, or
    refuses with a reason. Each step is also the appeal's event (request_transfer,
    approve_transfer, refuse_transfer), written in the same transaction; this row keeps where
    the request stands for the queue and the appeal page. One pending per appeal."""

    appeal = key(Appeal, "诉求", related_name="transfers")
    unit = key(Unit, "申请单位", related_name="+")
    requested_by = key(User, "申请人", related_name="+")
    reason = models.TextField("转办理由")
    suggested_unit = optional_key(Unit, "建议承办单位", related_name="+")
    status = models.CharField(
        "审批状态", max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    to_unit = optional_key(Unit, "转至单位", related_name="+")
    decided_by = optional_key(User, "审批人", related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_reason = models.TextField("审批意见", blank=True)
    created_at = models.DateTimeField("申请时间", default=timezone.now)

    class Meta:
        verbose_name = "转办申请"
        verbose_name_plural = "转办申请"
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=Q(status="pending"), name="transfer_one_pending"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="transfer_status")]

    def __str__(self) -> str:
        return f"{self.appeal_id} 转办（{self.get_status_display()}）"


SUPPLEMENT_MAX = 2000


class Supplement(models.Model):
    """What the citizen added to an appeal (补充) from the tracking page: text and photos, one
    SUPPLEMENT event each. `submission_key` is the form's one-time key: a resubmitted form
    finds the supplement it made."""

    appeal = key(Appeal, "诉求", related_name="supplements")
    event = key(AppealEvent, "事件", related_name="+")
    content = models.TextField("补充内容")
    submission_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("补充时间", default=timezone.now)

    class Meta:
        verbose_name = "诉求人补充"
        verbose_name_plural = "诉求人补充"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} 补充"


class RevisitReason(models.TextChoices):
    DISSATISFIED = "dissatisfied", "不满意必回访"
    SAMPLE = "sample", "抽样回访"


class RevisitStatus(models.TextChoices):
    PENDING = "pending", "待回访"
    DONE = "done", "已回访"
    UNREACHABLE = "unreachable", "无法联系"


class Revisit(models.Model):
    """A call back to the citizen after the reply (回访): every dissatisfied appeal and a
    sample of the rest are queued. Each call is the appeal's `follow_up` event (reached or not,
    and when); this row keeps where the revisit stands, written in the same transaction. Three
    calls that do not reach the citizen close it as unreachable. The two questions: was it
    solved (实际解决), is the citizen satisfied."""

    appeal = key(Appeal, "诉求", related_name="revisits")
    reason = models.CharField("回访原因", max_length=20, choices=RevisitReason.choices)
    status = models.CharField(
        "回访状态", max_length=20, choices=RevisitStatus.choices, default=RevisitStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("拨打次数", default=0)
    last_attempt_at = models.DateTimeField("最近拨打", null=True, blank=True)
    solved = models.BooleanField("问题是否解决", null=True, blank=True)
    satisfaction = models.CharField(
        "是否满意", max_length=24, choices=Satisfaction.choices, blank=True
    )
    note = models.TextField("回访记录", blank=True)
    created_at = models.DateTimeField("加入回访时间", default=timezone.now)
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        indexes = [models.Index(fields=["status", "created_at"], name="revisit_status_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=Q(status="pending"), name="revisit_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.get_reason_display()} {self.get_status_display()}"


class Attachment(models.Model):
    appeal = key(Appeal, "诉求", related_name="attachments")
    # The citizen's supplement or the unit's reply it came with; neither: the appeal's own.
    supplement = optional_key(Supplement, "补充", related_name="photos")
    reply = optional_key(Reply, "答复", related_name="photos")
    file = models.ImageField("照片", upload_to="appeals/%Y/%m/")
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"
        constraints = [
            models.CheckConstraint(
                condition=Q(supplement__isnull=True) | Q(reply__isnull=True),
                name="attachment_one_owner",
            ),
        ]

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
