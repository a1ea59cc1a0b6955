"""Telephone exchanges (PBX) that call the hook, and their calls.

A call's outside number (the citizen's: the caller of an inbound call, the one called on an
outbound call) is stored like an appeal's phone — the normalised number in a short column,
shown masked on every page (`core.privacy`), whole only through a logged reveal — and never
written to a log line or a URL."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.models import key, optional_key
from minxin.core.privacy import mask_phone
from minxin.core.tokens import PREFIX_LENGTH
from minxin.machine.models import Event, VersionedModel, event_meta

from .workflow import CallStatus

CALL_ID_MAX = 100
NUMBER_MAX = 20
RECORDING_URL_MAX = 500


class Pbx(models.Model):
    """An exchange allowed to call the hook, with its own token. Only a SHA-256 of the token is
    kept; `prefix` (its first characters) names it in lists without revealing it. Recordings
    it announces must live under `recording_prefix` (its recording server), or are refused."""

    name = models.CharField("名称", max_length=100, unique=True)
    prefix = models.CharField("令牌前缀", max_length=PREFIX_LENGTH, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    recording_prefix = models.CharField(
        "录音地址前缀",
        max_length=200,
        blank=True,
        help_text="如 https://pbx.example.gov.cn/recordings/ ；为空则不接受录音链接",
    )
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    revoked_at = models.DateTimeField("停用时间", null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "电话交换机"
        verbose_name_plural = "电话交换机"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class CallDirection(models.TextChoices):
    INBOUND = "in", "呼入"
    OUTBOUND = "out", "呼出"


class HangupCause(models.TextChoices):
    """Why a call ended, in the generic CTI's words (Zammad's `cause`)."""

    NORMAL_CLEARING = "normalClearing", "正常挂断"
    BUSY = "busy", "占线"
    CANCEL = "cancel", "主叫放弃"
    NO_ANSWER = "noAnswer", "无人接听"
    CONGESTION = "congestion", "线路拥塞"
    NOT_FOUND = "notFound", "号码不存在"
    FORWARDED = "forwarded", "已转接"


class Call(VersionedModel):
    """One telephone call the exchange told of. `status` is written only by `CALLS`."""

    pbx = key(Pbx, "交换机", related_name="calls")
    call_id = models.CharField("呼叫标识", max_length=CALL_ID_MAX)
    direction = models.CharField("方向", max_length=3, choices=CallDirection.choices)
    phone = models.CharField("对方号码", max_length=NUMBER_MAX, blank=True)
    line = models.CharField("本方号码", max_length=NUMBER_MAX, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=CallStatus.choices, default=CallStatus.RINGING
    )
    # Whom the exchange rang (its `user` on newCall), empty for everyone who takes calls.
    offered_to = models.ManyToManyField(
        User, verbose_name="振铃坐席", blank=True, related_name="offered_calls"
    )
    agent = optional_key(User, "坐席", related_name="calls")
    agent_name = models.CharField("坐席（交换机所报）", max_length=150, blank=True)
    answering_number = models.CharField("接听号码", max_length=NUMBER_MAX, blank=True)
    cause = models.CharField("挂断原因", max_length=20, choices=HangupCause.choices, blank=True)
    started_at = models.DateTimeField("振铃时间", default=timezone.now)
    answered_at = models.DateTimeField("接听时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    wait_seconds = models.PositiveIntegerField("等待秒数", null=True, blank=True)
    talk_seconds = models.PositiveIntegerField("通话秒数", null=True, blank=True)
    recording_url = models.CharField("录音链接", max_length=RECORDING_URL_MAX, blank=True)
    appeal = models.OneToOneField(
        Appeal,
        verbose_name="诉求",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="call",
    )

    class Meta(VersionedModel.Meta):
        verbose_name = "通话"
        verbose_name_plural = "通话记录"
        constraints = [
            *VersionedModel.Meta.constraints,
            models.UniqueConstraint(fields=["pbx", "call_id"], name="cti_call_unique_id"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(status=CallStatus.MISSED),
                name="cti_call_missed_unanswered",
            ),
        ]
        indexes = [
            models.Index(fields=["started_at"], name="cti_call_started"),
            models.Index(fields=["status", "started_at"], name="cti_call_status"),
            models.Index(fields=["phone", "started_at"], name="cti_call_phone"),
            models.Index(fields=["agent", "started_at"], name="cti_call_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.pbx_id}:{self.call_id} {mask_phone(self.phone)}"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class CallEvent(Event):
    call = key(Call, "通话", related_name="events")

    Meta = event_meta("通话事件", subject="call", index="cti_event_time")
