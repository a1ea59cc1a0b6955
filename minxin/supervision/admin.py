from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import event_admin

from .models import (
    DeadlineWarning,
    OnSiteCheck,
    OnSiteCheckPhoto,
    SupervisionOrder,
    SupervisionOrderEvent,
    SupervisionOrderPhoto,
)


@admin.register(DeadlineWarning)
class DeadlineWarningAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "appeal", "clock", "level", "due", "share_used")
    list_filter = ("clock", "level")
    raw_id_fields = ("appeal",)
    date_hierarchy = "created_at"


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnlyAdmin):
    """Orders change through the supervision screens only: the admin can look."""

    list_display = ("pk", "unit", "appeal", "status", "escalation", "due_at", "issued_at")
    list_filter = ("status", "escalation")
    raw_id_fields = ("appeal",)


event_admin(SupervisionOrderEvent, subject="order")


admin.site.register(OnSiteCheck, ReadOnlyAdmin)
admin.site.register(OnSiteCheckPhoto, ReadOnlyAdmin)
admin.site.register(SupervisionOrderPhoto, ReadOnlyAdmin)
