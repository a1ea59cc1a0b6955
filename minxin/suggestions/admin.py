from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import event_admin

from .models import Suggestion, SuggestionEvent


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    """Suggestions change through the review pages only: the admin can look."""

    list_display = ("tracking_number", "title", "field", "status", "adoption_level", "created_at")
    list_filter = ("status", "adoption_level", "field")
    search_fields = ("tracking_number",)
    exclude = ("query_code", "submission_key", "proposer_phone")


event_admin(SuggestionEvent, subject="suggestion")
