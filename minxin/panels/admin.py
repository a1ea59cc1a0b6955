from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import event_admin

from .models import Evaluation, EvaluationEvent


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "title", "status", "opens_at", "closes_at")


event_admin(EvaluationEvent, subject="evaluation")
