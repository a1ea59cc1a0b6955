from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import TriageCorrection


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
