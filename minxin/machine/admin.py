"""Read-only admin for what only the services write: histories (events) and stateful records."""

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The admin can look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventAdmin(ReadOnlyAdmin):
    """An event history: the fields every machine's event has, newest first."""

    list_display: tuple[str, ...] = (
        "action",
        "from_status",
        "to_status",
        "actor",
        "actor_role",
        "created_at",
    )
    list_filter = ("action",)
    list_select_related: ClassVar[tuple[str, ...]] = ("actor",)
    show_full_result_count = False
