from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import EventAdmin

from .models import Evaluation, EvaluationEvent


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "title", "status", "opens_at", "closes_at")


@admin.register(EvaluationEvent)
class EvaluationEventAdmin(EventAdmin):
    list_display = ("evaluation", *EventAdmin.list_display)
