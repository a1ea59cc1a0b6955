"""API keys of Open311 clients, and which key created which appeal."""

from django.db import models
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.core.models import key, one_to_one

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
