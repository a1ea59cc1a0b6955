from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ("username", "display_name", "role", "unit", "is_unit_head", "is_active")
    list_filter = ("role", "is_active", "unit__kind")
    search_fields = ("username", "display_name")
    autocomplete_fields = ("unit",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("岗位", {"fields": ("display_name", "role", "unit", "is_unit_head", "phone")}),
    )
