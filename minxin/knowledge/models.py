"""知识库: articles (policy answers, procedures) by category, with an owner unit and a review
date; every revision kept whole (`ArticleRevision`, append-only); every use of an article on
an appeal recorded (`ArticleUse`: answered directly on the phone)."""

from django.db import models
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.models import key, optional_key
from minxin.directory.models import Category, Jurisdiction, Unit
from minxin.machine.models import Event, VersionedModel, event_meta

from .workflow import ArticleStatus

TITLE_MAX = 100
BODY_MAX = 5000


class Article(VersionedModel):
    title = models.CharField("标题", max_length=TITLE_MAX)
    body = models.TextField("答复口径")
    category = optional_key(Category, "分类")
    owner_unit = key(Unit, "责任单位", related_name="knowledge_articles")
    # None: the city's, shown to every district (a district's staff read it, the city's keep it).
    jurisdiction = optional_key(Jurisdiction, "辖区", help_text="留空表示全市通用，各辖区均可见")
    review_due = models.DateField("复核日期")
    revision = models.PositiveIntegerField("版本", default=1)
    status = models.CharField(
        "状态", max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    created_by = key(User, "创建人")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta(VersionedModel.Meta):
        verbose_name = "知识条目"
        verbose_name_plural = "知识库"
        indexes = [
            models.Index(fields=["status", "category"], name="knowledge_status_cat"),
            models.Index(fields=["owner_unit", "status"], name="knowledge_owner"),
            models.Index(fields=["review_due"], name="knowledge_review_due"),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleRevision(models.Model):
    """One revision of an article, whole, as it was written: never changed."""

    article = key(Article, "知识条目", related_name="revisions")
    number = models.PositiveIntegerField("版本")
    title = models.CharField("标题", max_length=TITLE_MAX)
    body = models.TextField("答复口径")
    category = optional_key(Category, "分类")
    review_due = models.DateField("复核日期")
    note = models.CharField("修订说明", max_length=500, blank=True)
    created_by = key(User, "修订人")
    created_at = models.DateTimeField("修订时间", default=timezone.now)

    class Meta:
        verbose_name = "知识条目版本"
        verbose_name_plural = "知识条目版本"
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="knowledge_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleEvent(Event):
    article = key(Article, "知识条目", related_name="events")

    Meta = event_meta("知识库记录", subject="article", index="knowledge_event_time")

    def __str__(self) -> str:
        return f"{self.article_id} {self.action}"


class UseKind(models.TextChoices):
    DIRECT_ANSWER = "direct_answer", "直接答复"


class ArticleUse(models.Model):
    """An article used on an appeal, at the revision used: append-only."""

    article = key(Article, "知识条目", related_name="uses")
    revision = models.PositiveIntegerField("版本")
    appeal = key(Appeal, "诉求", related_name="knowledge_uses")
    kind = models.CharField("用途", max_length=20, choices=UseKind.choices)
    actor = optional_key(User, "使用人")
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "知识条目使用"
        verbose_name_plural = "知识条目使用"
        indexes = [
            models.Index(fields=["article", "created_at"], name="knowledge_use_article"),
            models.Index(fields=["appeal"], name="knowledge_use_appeal"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.appeal_id}"
