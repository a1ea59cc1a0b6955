from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import event_admin

from .models import Comment, CommentEvent, Consultation, ConsultationEvent, ContactPoint


@admin.register(ContactPoint)
class ContactPointAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "region", "is_active")
    list_filter = ("is_active",)


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "title",
        "jurisdiction",
        "issuing_unit",
        "status",
        "opens_at",
        "closes_at",
    )
    list_filter = ("jurisdiction", "status")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("pk", "consultation", "source", "status", "decision", "created_at")
    list_filter = ("status", "decision", "source")


event_admin(ConsultationEvent, subject="consultation")


event_admin(CommentEvent, subject="comment")
