"""议事厅: topics of a community, their supporters, the meeting's participants, and the
decisions with what each became (an appeal, a candidate project, a note)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.models import key, optional_key
from minxin.core.privacy import mask_personal_data
from minxin.directory.models import (
    Region,
    Unit,
    jurisdiction_key,
)
from minxin.machine.models import Event, VersionedModel, event_meta
from minxin.projects.models import Project

from .workflow import TopicStatus


class Topic(VersionedModel):
    """A matter a community settles together. `unit` is the street office that hosts it (the
    one whose handlers act on it); `status` is written only by the topics' machine."""

    # The district whose hall it is in (its community's), decided once when proposed.
    jurisdiction = jurisdiction_key()
    title = models.CharField("议题", max_length=200)
    description = models.TextField("议题说明")
    region = key(Region, "社区", related_name="topics")
    unit = key(Unit, "组织单位", related_name="topics")
    proposer = models.CharField("提出人", max_length=50, blank=True)
    proposed_by = optional_key(User, "提出账号")
    proposer_phone_hash = models.CharField("提出人手机号摘要", max_length=64, blank=True)
    support_needed = models.PositiveSmallIntegerField("须排期的附议人数", default=10)
    status = models.CharField(
        "状态", max_length=12, choices=TopicStatus.choices, default=TopicStatus.PROPOSED
    )
    meeting_at = models.DateTimeField("议事时间", null=True, blank=True)
    meeting_place = models.CharField("议事地点", max_length=200, blank=True)
    minutes = models.TextField("会议纪要", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField("提出时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta(VersionedModel.Meta):
        verbose_name = "议题"
        verbose_name_plural = "议题"
        ordering = ["-created_at", "-id"]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(status="proposed")
                | Q(status="declined")
                | (Q(meeting_at__isnull=False) & ~Q(meeting_place="")),
                name="deliberation_scheduled_has_meeting",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def description_masked(self) -> str:
        return mask_personal_data(self.description)


class TopicEvent(Event):
    topic = key(Topic, "议题", related_name="events")

    Meta = event_meta("议事记录", subject="topic", index="deliberation_event_time")

    def __str__(self) -> str:
        return f"{self.topic_id} {self.action}"


class TopicSupport(models.Model):
    """A resident's support (附议) for a topic: one per confirmed phone, by the constraint."""

    topic = key(Topic, "议题", related_name="supports")
    phone_hash = models.CharField("手机号摘要", max_length=64)
    created_at = models.DateTimeField("附议时间", default=timezone.now)

    class Meta:
        verbose_name = "附议"
        verbose_name_plural = "附议"
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "phone_hash"], name="deliberation_support_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}"


class Group(models.TextChoices):
    RESIDENTS = "residents", "居民代表"
    COMMITTEE = "committee", "居委会"
    PROPERTY = "property", "物业"
    DEPUTIES = "deputies", "人大代表"
    UNITS = "units", "职能部门"


class Participant(models.Model):
    topic = key(Topic, "议题", related_name="participants")
    group = models.CharField("类别", max_length=12, choices=Group.choices)
    name = models.CharField("姓名或单位", max_length=100)

    class Meta:
        verbose_name = "参会人员"
        verbose_name_plural = "参会人员"
        ordering = ["topic", "group", "id"]

    def __str__(self) -> str:
        return self.name


class DecisionKind(models.TextChoices):
    APPEAL = "appeal", "转为诉求办理"
    PROJECT = "project", "列为候选项目"
    NOTE = "note", "议定即办结"


class Decision(models.Model):
    """One thing the meeting decided, and what it became; its follow-through is read from the
    appeal's or the project's status (a note is done at once)."""

    topic = key(Topic, "议题", related_name="decisions")
    position = models.PositiveSmallIntegerField("序号")
    text = models.TextField("议定事项")
    kind = models.CharField("办理方式", max_length=10, choices=DecisionKind.choices)
    appeal = optional_key(Appeal, "诉求", related_name="deliberation_decisions")
    project = optional_key(Project, "候选项目", related_name="deliberation_decisions")
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "议定事项"
        verbose_name_plural = "议定事项"
        ordering = ["topic", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "position"], name="deliberation_decision_position"
            ),
            models.CheckConstraint(
                condition=(Q(kind="appeal") & Q(appeal__isnull=False))
                | (Q(kind="project") & Q(project__isnull=False))
                | Q(kind="note"),
                name="deliberation_decision_linked",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:30]
