from django.db import models
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.models import key, optional_key
from minxin.directory.models import Category, Region, Unit
from minxin.machine.models import Event, VersionedModel, event_meta, status_timed

from .workflow import TaskStatus


class TaskSource(models.TextChoices):
    HOTSPOT = "hotspot", "集中投诉"
    REPEAT = "repeat", "反复诉求"
    SEASONAL = "seasonal", "季节性规律"
    MANUAL = "manual", "主动发现"


class ProactiveTask(VersionedModel):
    """未诉先办任务: what a unit should do about a place and a matter before the next wave
    of appeals, by when. Its place and category are what its effect is measured on; its
    `status` is written only by the tasks' machine."""

    title = models.CharField("任务名称", max_length=200)
    content = models.TextField("任务内容")
    unit = key(Unit, "责任单位")
    category = optional_key(Category, "诉求分类")
    region = optional_key(Region, "区域")
    source = models.CharField(
        "来源", max_length=10, choices=TaskSource.choices, default=TaskSource.MANUAL
    )
    # The appeal the hotspot's (or the repeat's) messages were merged into: the link kept.
    source_appeal = optional_key(Appeal, "来源诉求", related_name="proactive_tasks")
    due_at = models.DateTimeField("完成期限")
    proposed_by = key(User, "提出人")
    proposed_at = models.DateTimeField("提出时间", default=timezone.now)
    status = models.CharField(
        "状态", max_length=12, choices=TaskStatus.choices, default=TaskStatus.PROPOSED
    )
    result = models.TextField("办理结果", blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta(VersionedModel.Meta):
        verbose_name = "未诉先办任务"
        verbose_name_plural = "未诉先办任务"
        indexes = [
            models.Index(fields=["status", "due_at"], name="proactive_status_due"),
            models.Index(fields=["unit", "status"], name="proactive_unit_status"),
        ]
        constraints = [
            *VersionedModel.Meta.constraints,
            status_timed("done", "completed_at", name="proactive_done_has_time"),
        ]

    def __str__(self) -> str:
        return f"未诉先办 {self.pk} {self.title}"


class ProactiveTaskEvent(Event):
    """Append-only history of a proactive task."""

    task = key(ProactiveTask, "任务", related_name="events")

    Meta = event_meta("未诉先办记录", subject="task", index="proactive_event_time")

    def __str__(self) -> str:
        return f"{self.task_id} {self.action}"
