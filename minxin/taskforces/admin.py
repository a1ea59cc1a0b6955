from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import event_admin

from .models import Decision, Meeting, TaskForce, TaskForceEvent


@admin.register(TaskForce)
class TaskForceAdmin(ReadOnlyAdmin):
    """Task forces change through their screens only: the admin can look."""

    list_display = ("pk", "name", "lead_unit", "leader", "status", "set_up_at")
    list_filter = ("status",)


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("task_force", "held_at", "recorded_by")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "unit", "order")


event_admin(TaskForceEvent, subject="task_force")
