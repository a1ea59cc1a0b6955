from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import event_admin

from .models import Decision, Topic, TopicEvent


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ("pk", "title", "jurisdiction", "region", "unit", "status", "created_at")
    list_filter = ("jurisdiction", "status")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("topic", "position", "kind", "appeal", "project")


event_admin(TopicEvent, subject="topic")
