"""API keys of Open311 clients, and which key created which appeal."""

from django.db import models
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.citylink.models import Peer
from minxin.core.models import key, one_to_one, optional_key

KEY_PREFIX_LENGTH = 8


class ApiKey(models.Model):
    """A client's key. Only a SHA-256 of the secret is kept; `prefix` (its first characters)
    identifies it in lists and logs without revealing it."""

    name = models.CharField("名称", max_length=100, unique=True)
    prefix = models.CharField("前缀", max_length=KEY_PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    revoked_at = models.DateTimeField("停用时间", null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)
    # A key given to a peer platform (the city link, docs/citylink.md): its requests are work
    # orders sent down (their `attribute[upstream_id]` and `[upstream_due]` kept on the
    # appeal), and it may POST updates about the appeals sent down to that peer.
    peer = optional_key(Peer, "对接平台", related_name="api_keys")

    class Meta:
        verbose_name = "Open311 接口密钥"
        verbose_name_plural = "Open311 接口密钥"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Open311Request(models.Model):
    """One appeal created through Open311: the key it came with and the token given back."""

    appeal = one_to_one(Appeal, "诉求")
    api_key = key(ApiKey, "接口密钥", related_name="requests")
    token = models.CharField("令牌", max_length=40, unique=True)
    created_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "Open311 提交记录"
        verbose_name_plural = "Open311 提交记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.token} → {self.appeal_id}"


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key`, kept at least a day: a retry with it is answered with the
    first result, the same key with another body is refused (422). One row per key and client
    (the unique constraint lets only one of two concurrent first requests claim it); only
    hashes are kept, of the client's key and of the request's fields."""

    api_key = key(ApiKey, "接口密钥", related_name="idempotency_keys")
    key_hash = models.CharField("幂等键摘要", max_length=64)
    request_hash = models.CharField("请求摘要", max_length=64)
    # Empty while the first request is being received (or if it failed half-way: a retry
    # completes it, idempotently, through the appeal's submission_key).
    request = optional_key(Open311Request, "提交记录")
    created_at = models.DateTimeField("首次使用", default=timezone.now)

    class Meta:
        verbose_name = "Open311 幂等键"
        verbose_name_plural = "Open311 幂等键"
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "key_hash"], name="open311_idempotency_key_unique"
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="open311_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.api_key_id}:{self.key_hash[:12]}"
