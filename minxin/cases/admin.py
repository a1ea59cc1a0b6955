from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.core.privacy import mask_name, mask_phone
from minxin.machine.admin import EventAdmin

from .models import Appeal, AppealEvent, Assignment, Extension, PhoneReveal, Reply, Transfer


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
class AppealEventAdmin(EventAdmin):
    list_display = ("appeal", *EventAdmin.list_display)
    list_select_related = ("appeal", "actor")
    raw_id_fields = ("appeal",)


admin.site.register(Assignment, ReadOnlyAdmin)
admin.site.register(Reply, ReadOnlyAdmin)
admin.site.register(Extension, ReadOnlyAdmin)
admin.site.register(Transfer, ReadOnlyAdmin)


@admin.register(PhoneReveal)
class PhoneRevealAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "actor", "actor_unit", "role", "created_at")
    list_select_related = ("appeal", "actor", "actor_unit")
    raw_id_fields = ("appeal",)
