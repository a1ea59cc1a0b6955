from django.db import models
from django.db.models import Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.models import key, optional_key
from minxin.directory.models import Unit
from minxin.issuelists.models import IssueItem
from minxin.machine.models import Event, VersionedModel, event_meta
from minxin.projects.models import Project
from minxin.supervision.models import SupervisionOrder

from .workflow import TaskForceStatus


class TaskForce(VersionedModel):
    """工作专班: who coordinates a hard matter (a lead unit, member units, a leader) and what
    it covers (items, appeals, projects). `status` is written only by its machine."""

    name = models.CharField("专班名称", max_length=200)
    purpose = models.TextField("工作任务")
    lead_unit = key(Unit, "牵头单位", related_name="task_forces_led")
    members = models.ManyToManyField(
        Unit, verbose_name="成员单位", related_name="task_forces", blank=True
    )
    leader = optional_key(User, "牵头领导", related_name="task_forces_led")
    items = models.ManyToManyField(IssueItem, verbose_name="清单事项", blank=True)
    appeals = models.ManyToManyField(
        Appeal, verbose_name="诉求", related_name="task_forces", blank=True
    )
    projects = models.ManyToManyField(Project, verbose_name="民心工程项目", blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=TaskForceStatus.choices, default=TaskForceStatus.ACTIVE
    )
    set_up_by = key(User, "成立人")
    set_up_at = models.DateTimeField("成立时间", default=timezone.now)
    summary = models.TextField("工作总结", blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta(VersionedModel.Meta):
        verbose_name = "工作专班"
        verbose_name_plural = "工作专班"
        indexes = [models.Index(fields=["status", "set_up_at"], name="task_force_status")]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(
                condition=(Q(status="closed") & Q(closed_at__isnull=False))
                | (Q(status="active") & Q(closed_at__isnull=True)),
                name="task_force_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """A task force meeting: when, who came, what was said; its decisions are below."""

    task_force = key(TaskForce, "专班", related_name="meetings")
    held_at = models.DateTimeField("会议时间")
    place = models.CharField("地点", max_length=100, blank=True)
    attendees = models.CharField("参会单位和人员", max_length=500)
    minutes = models.TextField("会议纪要")
    recorded_by = key(User, "记录人")
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "专班会议"
        verbose_name_plural = "专班会议"
        ordering = ["-held_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task_force_id} {self.held_at:%Y-%m-%d}"


class Decision(models.Model):
    """What a meeting assigned to one member, by when: a supervision order to that unit, so it
    is answered, warned about and escalated like every order."""

    meeting = key(Meeting, "会议", related_name="decisions")
    content = models.TextField("议定事项")
    unit = key(Unit, "落实单位")
    order = models.OneToOneField(
        SupervisionOrder, verbose_name="督办单", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "会议议定事项"
        verbose_name_plural = "会议议定事项"

    def __str__(self) -> str:
        return self.content[:30]


class TaskForceEvent(Event):
    """Append-only history of a task force."""

    task_force = key(TaskForce, "专班", related_name="events")

    Meta = event_meta("专班记录", subject="task_force", index="task_force_event_time")

    def __str__(self) -> str:
        return f"{self.task_force_id} {self.action}"
