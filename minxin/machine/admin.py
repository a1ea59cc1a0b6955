"""The read-only admin of every machine's events."""

from typing import ClassVar

from django.contrib import admin
from django.db import models

from minxin.core.admin import ReadOnlyAdmin


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


def event_admin(event: type[models.Model], *, subject: str) -> None:
    """Register `event`'s admin: an `EventAdmin` listing its `subject` first."""
    admin.site.register(event, EventAdmin, list_display=(subject, *EventAdmin.list_display))
