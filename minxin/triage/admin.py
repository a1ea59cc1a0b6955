from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AutoDispatchRule, Hotspot, TriageCorrection, TriageSuggestion


@admin.register(TriageCorrection)
class TriageCorrectionAdmin(admin.ModelAdmin[TriageCorrection]):
    list_display = ["appeal", "field", "suggested_value", "chosen_value", "actor", "created_at"]
    list_filter = ["field"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AutoDispatchRule)
class AutoDispatchRuleAdmin(admin.ModelAdmin[AutoDispatchRule]):
    list_display = ["category", "min_confidence", "is_active", "updated_at"]
    list_filter = ["is_active"]
    autocomplete_fields = ["category"]


@admin.register(TriageSuggestion)
class TriageSuggestionAdmin(admin.ModelAdmin[TriageSuggestion]):
    list_display = ["appeal", "category_path", "confidence", "urgency", "is_valid", "created_at"]
    list_filter = ["urgency", "is_valid"]
    readonly_fields = [f.name for f in TriageSuggestion._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Hotspot)
class HotspotAdmin(admin.ModelAdmin[Hotspot]):
    """Read-only: hotspots are grown by triage, one appeal at a time."""

    list_display = ["label", "size", "first_at", "last_at", "merged_into"]
    search_fields = ["label", "place"]
    exclude = ["state"]
    readonly_fields = [f.name for f in Hotspot._meta.fields if f.name != "state"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).filter(size__gte=2)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
