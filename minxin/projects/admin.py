from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import event_admin

from .models import (
    Programme,
    ProgressReport,
    Project,
    ProjectEvent,
    ProjectRating,
    ProjectWarning,
    ResponsibilityLetter,
)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("year", "name", "is_public", "behind_margin")
    list_filter = ("year", "is_public")


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    """Projects change through their pages (the machine): the admin can look."""

    list_display = ("name", "programme", "kind", "lead_unit", "status", "progress", "end_date")
    list_filter = ("programme", "status", "kind")
    search_fields = ("name",)


event_admin(ProjectEvent, subject="project")


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ("reported_at", "project", "target", "value", "is_correction", "unit")
    raw_id_fields = ("project", "target")


@admin.register(ResponsibilityLetter)
class ResponsibilityLetterAdmin(ReadOnlyAdmin):
    list_display = ("project", "unit", "signatories", "signed_on")


@admin.register(ProjectWarning)
class ProjectWarningAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "project", "kind", "progress", "time_share")
    list_filter = ("kind",)


@admin.register(ProjectRating)
class ProjectRatingAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "project", "round", "verdict")
    list_filter = ("round", "verdict")
    exclude = ("phone_hash",)
