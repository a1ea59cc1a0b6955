from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from .models import ReviewRule


@admin.register(ReviewRule)
class ReviewRuleAdmin(admin.ModelAdmin[ReviewRule]):
    """The review policy as data; changes are in the audit log like every admin edit."""

    list_display = (
        "name", "jurisdiction", "category", "unit", "sample_percent", "pass_score", "priority",
        "is_active",
    )  # fmt: skip
    list_filter = ("is_active", "jurisdiction")
    autocomplete_fields = ("category", "unit")
    exclude = ("updated_at",)

    def save_model(self, request: HttpRequest, obj: ReviewRule, form: object, change: bool) -> None:
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: ReviewRule | None = None) -> bool:
        return False  # a rule is switched off, not deleted
