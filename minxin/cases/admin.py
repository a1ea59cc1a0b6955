from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minxin.core.masking import mask_name, mask_phone

from .models import Appeal, AppealEvent, Assignment, Extension, Reply


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """History is written by the services only: the admin can look, never change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = (
        "tracking_number",
        "title",
        "status",
        "channel",
        "lead_unit",
        "received_at",
        "masked_appellant",
    )
    list_filter = ("status", "channel", "urgency")
    search_fields = ("tracking_number",)
    list_select_related = ("lead_unit",)
    show_full_result_count = False
    exclude = ("query_code", "submission_key", "appellant_phone", "appellant_name")
    readonly_fields = ("masked_appellant",)

    @admin.display(description="诉求人")
    def masked_appellant(self, obj: Appeal) -> str:
        return f"{mask_name(obj.appellant_name)} {mask_phone(obj.appellant_phone)}".strip()


@admin.register(AppealEvent)
class AppealEventAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "action", "from_status", "to_status", "actor", "created_at")
    list_filter = ("action",)
    list_select_related = ("appeal", "actor")
    show_full_result_count = False
    raw_id_fields = ("appeal",)


admin.site.register(Assignment, ReadOnlyAdmin)
admin.site.register(Reply, ReadOnlyAdmin)
admin.site.register(Extension, ReadOnlyAdmin)
