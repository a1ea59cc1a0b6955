"""The city link (上下级平台对接): the peer platforms this one exchanges work orders with, the
outbox of what is sent to them, and the updates received from them (deduplicated).

Below cases on purpose (like notify's SMS records): the appeals' machine writes an
OutboxMessage in the transaction of the event it tells a peer about (`cases.notices`), and the
rows point at appeals and events by id."""

import uuid

from django.db import models
from django.utils import timezone

from minxin.core.models import key


class Peer(models.Model):
    """Another minxin-like platform speaking Open311 GeoReport v2 with the updates extension:
    the city above this district (it sends work orders down and takes status updates and
    replies back), or a district below (it takes work orders and sends updates up).

    What this side sends with is a secret setting, never a column: `key_name` names the entry of
    `MINXIN_CITYLINK_KEYS` (environment `MINXIN_CITYLINK_KEYS`, JSON) that holds the peer's
    Open311 api_key for us. What the peer calls us with is one of our Open311 API keys, linked to
    the peer in its admin (`open311.ApiKey.peer`; only its hash is stored)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    base_url = models.URLField(
        "接口地址",
        max_length=300,
        help_text="对方 Open311 的根地址，如 https://city.example/open311/v2",
    )
    jurisdiction_id = models.CharField("对方 jurisdiction_id", max_length=100, blank=True)
    key_name = models.CharField(
        "密钥配置名",
        max_length=40,
        blank=True,
        help_text="MINXIN_CITYLINK_KEYS 中保存对方 api_key 的条目名；留空则用代码",
    )
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "对接平台"
        verbose_name_plural = "对接平台"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MessageKind(models.TextChoices):
    REQUEST = "request", "下派工单"  # a work order sent down (POST requests)
    UPDATE = "update", "进展"  # a status update sent up (POST servicerequestupdates)
    REPLY = "reply", "答复"  # the released reply sent up (POST servicerequestupdates)


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已送达"
    FAILED = "failed", "发送失败（需处理）"


class OutboxMessage(models.Model):
    """One message to a peer, written in the transaction of the appeal event it tells about and
    sent by the worker (`cases.tasks.send_peer_message_task`), retried with exponential backoff
    while the peer is down. `message_id` goes with every try (the update's `update_id`, the
    request's Idempotency-Key): the peer keeps what it received once however often it is sent.
    The text is never copied here: it is built from the (immutable) event at sending time."""

    peer = key(Peer, "对接平台", related_name="outbox")
    kind = models.CharField("类型", max_length=10, choices=MessageKind.choices)
    message_id = models.UUIDField("消息编号", default=uuid.uuid4, unique=True, editable=False)
    appeal_id = models.BigIntegerField("诉求")
    event_id = models.BigIntegerField("事件", unique=True)
    status = models.CharField(
        "状态", max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField("发送次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    next_attempt_at = models.DateTimeField("下次发送", default=timezone.now)
    # A sender's lease: one worker tries a message at a time (a deferred retry and the sweep may
    # both pick it up; the peer's deduplication covers the rest).
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    remote_id = models.CharField("对方编号", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "对接发件箱"
        verbose_name_plural = "对接发件箱"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["appeal_id", "id"], name="outbox_appeal"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.message_id}"


class ReceivedUpdate(models.Model):
    """An update a peer sent us, by its `update_id`: a resend finds it and is answered as the
    first time, nothing recorded twice (the unique pair also settles two concurrent resends)."""

    peer = key(Peer, "对接平台", related_name="received")
    update_id = models.CharField("对方消息编号", max_length=64)
    appeal_id = models.BigIntegerField("诉求")
    event_id = models.BigIntegerField("事件")
    created_at = models.DateTimeField("收到时间", default=timezone.now)

    class Meta:
        verbose_name = "对接收件记录"
        verbose_name_plural = "对接收件记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["peer", "update_id"], name="citylink_update_once")
        ]

    def __str__(self) -> str:
        return f"{self.peer_id}:{self.update_id}"
