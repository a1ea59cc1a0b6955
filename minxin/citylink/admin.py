"""Peers are edited here; the outbox and the received updates are read-only records, with an
action that sends chosen messages again now (the sweep picks them up within a minute)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from minxin.core.admin import ReadOnlyAdmin

from .client import peer_key
from .models import OutboxMessage, Peer, ReceivedUpdate
from .services import outbox_retry_now


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "code", "base_url", "is_active", "key_configured", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    fields = ("name", "code", "base_url", "jurisdiction_id", "key_name", "is_active")

    @admin.display(description="对方密钥已配置", boolean=True)
    def key_configured(self, obj: Peer) -> bool:
        return bool(peer_key(obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Appeals and the outbox keep pointing at their peer: switch it off, never delete.
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "peer",
        "kind",
        "appeal_id",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "remote_id",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "kind", "peer")
    search_fields = ("message_id", "remote_id", "=appeal_id")
    list_select_related = ("peer",)
    actions = ("retry_now",)

    @admin.action(description="立即重新发送所选消息")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = outbox_retry_now(message_ids=list(queryset.values_list("id", flat=True)))
        messages.success(request, f"{count} 条消息将在一分钟内重新发送")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The list's action needs the change permission; the form itself stays read-only.
        return obj is None and bool(request.user.is_superuser)


@admin.register(ReceivedUpdate)
class ReceivedUpdateAdmin(ReadOnlyAdmin):
    list_display = ("peer", "update_id", "appeal_id", "event_id", "created_at")
    list_filter = ("peer",)
    search_fields = ("update_id", "=appeal_id")
    list_select_related = ("peer",)
