from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin

from .models import Notification, PhoneCode


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    raw_id_fields = ("recipient",)
    date_hierarchy = "created_at"


@admin.register(PhoneCode)
class PhoneCodeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "purpose", "attempts", "expires_at", "confirmed_at")
    list_filter = ("purpose",)
    exclude = ("phone_hash", "code_hash")
