from django.db import models
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.models import key, optional_key
from minxin.directory.models import Category, Region, Unit
from minxin.machine.models import Event, VersionedModel, event_meta, status_timed

from .workflow import ItemStatus


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "急"


class Difficulty(models.TextChoices):
    NORMAL = "normal", "一般"
    HARD = "hard", "难"


class IssueList(models.Model):
    """A unit's list of the matters the public cares about, one per unit and year."""

    unit = key(Unit, "责任单位", related_name="issue_lists")
    year = models.PositiveSmallIntegerField("年度")
    created_by = optional_key(User, "建立人")
    created_at = models.DateTimeField("建立时间", default=timezone.now)

    class Meta:
        verbose_name = "事项清单"
        verbose_name_plural = "事项清单"
        ordering = ["-year", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="issue_list_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.unit.name}事项清单"


class IssueItem(VersionedModel):
    """One matter of a list: what, the goal, by when, who answers for it, graded 急/难; the
    categories and places its appeals fall under (what its effect is measured on). Its
    `status`, `leader` and closing fields are written only by the items' machine."""

    issue_list = key(IssueList, "清单", related_name="items")
    title = models.CharField("事项", max_length=200)
    description = models.TextField("情况说明", blank=True)
    goal = models.TextField("工作目标")
    urgency = models.CharField(
        "紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    difficulty = models.CharField(
        "难易程度", max_length=10, choices=Difficulty.choices, default=Difficulty.NORMAL
    )
    deadline = models.DateField("完成时限")
    responsible = models.CharField("责任人", max_length=50)
    categories = models.ManyToManyField(Category, verbose_name="诉求分类", blank=True)
    regions = models.ManyToManyField(Region, verbose_name="区域", blank=True)
    status = models.CharField("状态", max_length=10, choices=ItemStatus.choices, default="open")
    leader = optional_key(User, "包案领导", related_name="led_items")
    created_by = key(User, "录入人")
    created_at = models.DateTimeField("列入时间", default=timezone.now)
    evidence = models.TextField("销号佐证", blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)

    class Meta(VersionedModel.Meta):
        verbose_name = "清单事项"
        verbose_name_plural = "清单事项"
        indexes = [
            models.Index(fields=["status", "deadline"], name="issue_item_status_due"),
            models.Index(fields=["issue_list", "status"], name="issue_item_list_status"),
        ]
        constraints = [
            *VersionedModel.Meta.constraints,
            status_timed("closed", "closed_at", name="issue_item_closed_has_time"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def grade(self) -> str:
        """急难, 急, 难 or 一般: how the lists print it."""
        marks = ("急" if self.urgency == Urgency.URGENT else "") + (
            "难" if self.difficulty == Difficulty.HARD else ""
        )
        return marks or "一般"


class ItemAppeal(models.Model):
    """An appeal that falls under an item, confirmed by staff (never linked by itself)."""

    item = key(IssueItem, "事项", related_name="appeal_links")
    appeal = key(Appeal, "诉求", related_name="issue_item_links")
    linked_by = key(User, "关联人")
    linked_at = models.DateTimeField("关联时间", default=timezone.now)

    class Meta:
        verbose_name = "事项关联诉求"
        verbose_name_plural = "事项关联诉求"
        constraints = [
            models.UniqueConstraint(fields=["item", "appeal"], name="issue_item_appeal_once")
        ]
        indexes = [models.Index(fields=["appeal"], name="issue_item_link_appeal")]

    def __str__(self) -> str:
        return f"{self.item_id} ← {self.appeal_id}"


class IssueItemEvent(Event):
    """Append-only history of an item: listing, progress, links, closing, a leader's charge
    and instructions (payload: who must act, by when)."""

    item = key(IssueItem, "事项", related_name="events")

    Meta = event_meta("清单事项记录", subject="item", index="issue_item_event_time")

    def __str__(self) -> str:
        return f"{self.item_id} {self.action}"
