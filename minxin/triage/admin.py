from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from minxin.accounts.models import User

from .models import AutoDispatchRule, Hotspot, ModelVersion, TriageCorrection, TriageSuggestion


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
    list_display = [
        "category", "min_confidence", "target_precision", "suggested_threshold",
        "suggested_share", "is_active", "updated_at",
    ]  # fmt: skip
    readonly_fields = ["suggested_threshold", "suggested_share", "threshold_note", "threshold_at"]
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


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin[ModelVersion]):
    """Versions of the category model with their figures; the action puts one back in use."""

    list_display = [
        "id", "status", "macro_f1", "accuracy", "evaluated_on", "labelled", "corrections",
        "train_seconds", "created_at", "decided_by", "note",
    ]  # fmt: skip
    list_filter = ["status"]
    readonly_fields = [f.name for f in ModelVersion._meta.fields]
    actions = ["put_in_use"]

    @admin.action(description="启用所选版本（回滚）", permissions=["change"])
    def put_in_use(self, request: HttpRequest, queryset: Any) -> None:
        from minxin.core.errors import MinxinError

        from .versions import model_version_activate

        chosen = list(queryset.values_list("pk", flat=True))
        if len(chosen) != 1:
            self.message_user(request, "请只选择一个版本", level=messages.ERROR)
            return
        try:
            actor = request.user if isinstance(request.user, User) else None
            version = model_version_activate(
                version_id=chosen[0], actor=actor, reason="管理后台回滚"
            )
        except MinxinError as e:
            self.message_user(request, e.message, level=messages.ERROR)
            return
        self.message_user(request, f"v{version.pk} 已启用")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
