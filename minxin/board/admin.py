from django.contrib import admin

from minxin.machine.admin import ReadOnlyAdmin

from .models import BoardPost, ModerationEntry


@admin.register(BoardPost)
class BoardPostAdmin(ReadOnlyAdmin):
    """Moderation goes through the moderation screen (it records history); here only a look."""

    list_display = ("appeal", "nickname", "state", "published_at", "moderated_at")
    list_filter = ("state",)
    list_select_related = ("appeal",)
    show_full_result_count = False


@admin.register(ModerationEntry)
class ModerationEntryAdmin(ReadOnlyAdmin):
    list_display = ("post", "action", "from_state", "to_state", "actor", "created_at")
    list_filter = ("action",)
    list_select_related = ("post", "actor")
    show_full_result_count = False
