from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Suggestion, SuggestionEvent


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Suggestions change through the review pages only: the admin can look."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ("tracking_number", "title", "field", "status", "adoption_level", "created_at")
    list_filter = ("status", "adoption_level", "field")
    search_fields = ("tracking_number",)
    exclude = ("query_code", "submission_key", "proposer_phone")


@admin.register(SuggestionEvent)
class SuggestionEventAdmin(ReadOnlyAdmin):
    list_display = ("suggestion", "action", "from_status", "to_status", "actor", "created_at")
    list_filter = ("action",)
