from django.contrib import admin
from django.http import HttpRequest

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: imports are made through the wizard, which checks every row."""

    list_display = (
        "created_at",
        "file_name",
        "source_system",
        "created_by",
        "status",
        "total",
        "created",
        "existing",
        "rejected",
    )
    list_filter = ("status", "file_format")
    exclude = ("file", "rows_file")  # the files hold personal data and are not served
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
