from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import event_admin

from .models import ProactiveTask, ProactiveTaskEvent


@admin.register(ProactiveTask)
class ProactiveTaskAdmin(ReadOnlyAdmin):
    """Tasks change through their screens only: the admin can look."""

    list_display = ("pk", "title", "unit", "status", "source", "due_at", "proposed_at")
    list_filter = ("status", "source")
    raw_id_fields = ("source_appeal",)


event_admin(ProactiveTaskEvent, subject="task")
