from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin

from .models import Visit, VisitMatter


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    """Visits are recorded on the staff pages; the admin can look (matters made appeals)."""

    list_display = ("visited_at", "place_text", "unit", "recorded_by")
    list_filter = ("unit",)
    exclude = ("submission_key", "met_text")


@admin.register(VisitMatter)
class VisitMatterAdmin(ReadOnlyAdmin):
    list_display = ("visit", "position", "appeal")
