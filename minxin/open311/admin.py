"""Keys are created here or with `minxin open311_key create`; the secret is shown once."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone

from minxin.core.admin import ReadOnlyAdmin

from .models import ApiKey, IdempotencyKey, Open311Request
from .services import api_key_create


class ApiKeyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ApiKey
        fields = ("name", "is_active", "peer")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ApiKeyForm
    list_display = (
        "name",
        "prefix",
        "peer",
        "is_active",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("is_active", "peer")
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["name", "peer"]
        return ["name", "is_active", "peer", *self.readonly_fields]

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            if not obj.is_active and obj.revoked_at is None:
                obj.revoked_at = timezone.now()
            super().save_model(request, obj, form, change)
            return
        created, secret = api_key_create(name=obj.name, peer_id=obj.peer_id)
        obj.pk = created.pk
        obj.prefix, obj.key_hash = created.prefix, created.key_hash
        obj.created_at = created.created_at
        messages.warning(
            request,
            f"新密钥（只显示这一次，请立即复制交给对接方）：{secret}",
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Appeals keep pointing at the key that created them: revoke, never delete.
        return False


@admin.register(Open311Request)
class Open311RequestAdmin(ReadOnlyAdmin):
    list_display = ("token", "appeal", "api_key", "created_at")
    list_filter = ("api_key",)
    search_fields = ("token", "appeal__tracking_number")
    list_select_related = ("appeal", "api_key")


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    """Hashes only: which client sent a key, when, and the record its first request made."""

    list_display = ("api_key", "key_hash", "request", "created_at")
    list_filter = ("api_key",)
    list_select_related = ("api_key", "request")
