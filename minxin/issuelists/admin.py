from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import event_admin

from .models import IssueItem, IssueItemEvent, IssueList, ItemAppeal


@admin.register(IssueList)
class IssueListAdmin(ReadOnlyAdmin):
    list_display = ("year", "unit", "created_at")


@admin.register(IssueItem)
class IssueItemAdmin(ReadOnlyAdmin):
    """Items change through their screens only: the admin can look."""

    list_display = ("pk", "title", "issue_list", "urgency", "difficulty", "status", "deadline")
    list_filter = ("status", "urgency", "difficulty")


@admin.register(ItemAppeal)
class ItemAppealAdmin(ReadOnlyAdmin):
    list_display = ("item", "appeal", "linked_by", "linked_at")
    raw_id_fields = ("appeal",)


event_admin(IssueItemEvent, subject="item")
