from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin

from .models import JointVisit, JointVisitPart


class PartInline(admin.TabularInline[JointVisitPart, JointVisit]):
    model = JointVisitPart
    extra = 0
    can_delete = False
    readonly_fields = ("unit", "people", "did")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(JointVisit)
class JointVisitAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "held_at", "place", "recorded_by")
    raw_id_fields = ("appeal",)
    inlines = [PartInline]
