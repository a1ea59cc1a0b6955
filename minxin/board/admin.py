from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import EventAdmin

from .models import BoardPost, ModerationEntry


@admin.register(BoardPost)
class BoardPostAdmin(ReadOnlyAdmin):
    """Moderation goes through the moderation screen (it records history); here only a look."""

    list_display = ("appeal", "nickname", "status", "published_at", "moderated_at")
    list_filter = ("status",)
    list_select_related = ("appeal",)
    show_full_result_count = False


@admin.register(ModerationEntry)
class ModerationEntryAdmin(EventAdmin):
    list_display = ("post", *EventAdmin.list_display)
    list_select_related = ("post", "actor")
