from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "username", "actor", "ip_address", "summary")
    list_filter = ("kind",)
    search_fields = ("username", "summary", "target")
    date_hierarchy = "created_at"
