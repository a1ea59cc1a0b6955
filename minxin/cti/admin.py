from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import event_admin

from .models import Call, CallEvent, Pbx


@admin.register(Pbx)
class PbxAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Exchanges are created and revoked with `minxin cti_pbx` (the token is shown once
    there); the admin edits the name and the recordings' prefix, never deletes one."""

    list_display = ("name", "prefix", "is_active", "recording_prefix", "last_used_at")
    fields = ("name", "prefix", "recording_prefix", "is_active", "created_at", "revoked_at")
    readonly_fields = ("prefix", "is_active", "created_at", "revoked_at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    """Calls change through the hook and the console only: the admin can look."""

    list_display = ("pk", "pbx", "direction", "status", "agent", "started_at", "talk_seconds")
    list_filter = ("status", "direction", "pbx")
    exclude = ("phone",)  # the number only masked, like every page
    readonly_fields = ("phone_masked",)
    raw_id_fields = ("appeal",)


event_admin(CallEvent, subject="call")
