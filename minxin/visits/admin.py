from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Visit, VisitMatter


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Visits are recorded on the staff pages; the admin can look (matters made appeals)."""

    list_display = ("visited_at", "place_text", "unit", "recorded_by")
    list_filter = ("unit",)
    exclude = ("submission_key", "met_text")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(VisitMatter)
class VisitMatterAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("visit", "position", "appeal")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
