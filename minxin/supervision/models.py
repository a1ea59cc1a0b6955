from django.db import models
from django.db.models import Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.models import Photo, key, optional_key
from minxin.directory.models import Unit
from minxin.machine.models import Event, VersionedModel, event_meta

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

    appeal = key(Appeal, "诉求", related_name="deadline_warnings")
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

    appeal = optional_key(Appeal, "诉求", related_name="supervision_orders")
    unit = key(Unit, "督办单位")
    # An order about something else than an appeal (a livelihood project): what it is about,
    # and the path of its page, given by the app that issued it.
    about = models.CharField("督办对象", max_length=200, blank=True)
    about_link = models.CharField("督办对象链接", max_length=300, blank=True)
    content = models.TextField("督办事项")
    due_at = models.DateTimeField("答复期限")
    issued_by = key(User, "督办人")
    issued_at = models.DateTimeField("督办时间", default=timezone.now)
    status = models.CharField(
        "状态", max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    answer = models.TextField("答复", blank=True)
    answered_by = optional_key(User, "答复人")
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


class SupervisionOrderPhoto(Photo):
    """A photo sent with the unit's answer to an order."""

    OF, FOLDER = "order", "supervision/orders"

    order = key(SupervisionOrder, "督办单", related_name="photos")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "督办答复照片"
        verbose_name_plural = "督办答复照片"


class SupervisionOrderEvent(Event):
    """Append-only history of a supervision order (issue, answer, escalations)."""

    order = key(SupervisionOrder, "督办单", related_name="events")

    Meta = event_meta("督办记录", subject="order", index="order_event_time")

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"


class LeaderCase(models.Model):
    """领导包案: a district leader takes charge of one appeal. Its deadline warnings and the
    escalations of its orders then reach the leader too, and the leader's instructions (批示)
    are supervision orders on it. Append-only: a change of leader is a new row."""

    appeal = key(Appeal, "诉求", related_name="leader_cases")
    leader = key(User, "包案领导")
    note = models.CharField("包案说明", max_length=500, blank=True)
    taken_at = models.DateTimeField("包案时间", default=timezone.now)

    class Meta:
        verbose_name = "领导包案"
        verbose_name_plural = "领导包案"
        constraints = [
            models.UniqueConstraint(fields=["appeal", "leader"], name="leader_case_once")
        ]
        indexes = [models.Index(fields=["leader", "taken_at"], name="leader_case_leader")]

    def __str__(self) -> str:
        return f"{self.appeal_id} ← {self.leader_id}"


class OnSiteCheck(models.Model):
    """四不两直: a supervisor's unannounced check on the spot of an appeal the citizen was
    dissatisfied with — what was found, photos, and the deadline by which the unit must correct
    it (the 督办单 `order` it was given). Recorded with the appeal's `onsite_check` event;
    append-only (PROTECT keys, a read-only admin)."""

    appeal = key(Appeal, "诉求", related_name="onsite_checks")
    unit = key(Unit, "被督查单位")
    checked_by = key(User, "督查人")
    checked_at = models.DateTimeField("督查时间")
    findings = models.TextField("督查发现")
    correction_due = models.DateTimeField("整改期限")
    order = optional_key(SupervisionOrder, "整改督办单")
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "四不两直督查"
        verbose_name_plural = "四不两直督查"
        indexes = [models.Index(fields=["appeal", "checked_at"], name="onsite_appeal_time")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.checked_at:%Y-%m-%d}"


class OnSiteCheckPhoto(Photo):
    OF, FOLDER = "onsite_check", "supervision/onsite"

    onsite_check = key(OnSiteCheck, "督查", related_name="photos")

    class Meta:
        verbose_name = "督查照片"
        verbose_name_plural = "督查照片"
