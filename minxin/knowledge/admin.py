from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import event_admin

from .models import Article, ArticleEvent, ArticleRevision, ArticleUse


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "owner_unit", "review_due", "revision")
    list_filter = ("status",)
    search_fields = ("title",)


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(ReadOnlyAdmin):
    list_display = ("article", "number", "created_by", "created_at")


@admin.register(ArticleUse)
class ArticleUseAdmin(ReadOnlyAdmin):
    list_display = ("article", "revision", "appeal", "kind", "created_at")


event_admin(ArticleEvent, subject="article")
