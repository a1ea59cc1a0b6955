from django.contrib import admin
from django.http import HttpRequest

from .models import DeadlineWarning


@admin.register(DeadlineWarning)
class DeadlineWarningAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "appeal", "clock", "level", "due", "share_used")
    list_filter = ("clock", "level")
    raw_id_fields = ("appeal",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
