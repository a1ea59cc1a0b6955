"""What a viewer may see of proactive tasks, a new task's proposal from an appeal, and the
task's effect: were there fewer appeals about its matter in its place afterwards?"""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases import selectors as case_selectors
from minxin.cases.models import Appeal
from minxin.cases.volume import VolumeChange, volume_change
from minxin.core.errors import NotFound

from .machine import MISSING
from .models import ProactiveTask, ProactiveTaskEvent, TaskSource
from .permissions import sees_every_task
from .services import TaskDraft


def tasks_for(viewer: User) -> QuerySet[ProactiveTask]:
    """Every task for the office, the unit's own for a handler, none for anyone else."""
    tasks = ProactiveTask.objects.select_related("unit", "category", "region", "source_appeal")
    if sees_every_task(viewer):
        return tasks.order_by("-proposed_at", "-pk")
    if viewer.role == Role.HANDLER and viewer.unit_id is not None:
        return tasks.filter(unit_id=viewer.unit_id).order_by("-proposed_at", "-pk")
    return tasks.none()


def task_get_for(viewer: User, task_id: int) -> ProactiveTask:
    task = tasks_for(viewer).select_related("proposed_by").filter(pk=task_id).first()
    if task is None:
        raise NotFound(MISSING)
    return task


def task_history(task: ProactiveTask) -> QuerySet[ProactiveTaskEvent]:
    return task.events.select_related("actor").order_by("created_at", "pk")


def draft_from_appeal(viewer: User, appeal_id: int, source: str) -> TaskDraft:
    """A task proposed from a hotspot or a repeat matter (the appeal the others were merged
    into): its category and place, the unit that handles it, and a first wording the
    proposer edits. The viewer must be allowed to see the appeal."""
    appeal = case_selectors.appeal_get_for(user=viewer, appeal_id=appeal_id)
    merged = Appeal.objects.filter(merged_into_id=appeal.pk).count()
    place = appeal.place_text or (appeal.region.name if appeal.region else "")
    kind = TaskSource(source).label if source in TaskSource.values else TaskSource.HOTSPOT.label
    return TaskDraft(
        title=f"{place}·{appeal.title}"[:200] if place else appeal.title[:200],
        content=(
            f"{kind}：{appeal.tracking_number}「{appeal.title}」及合并的{merged}件诉求。"
            "请在群众再次反映前主动排查、处置，并将结果报回。"
        ),
        unit_id=appeal.lead_unit_id,
        due_at=None,
        category_id=appeal.category_id,
        region_id=appeal.region_id,
        source=source if source in TaskSource.values else TaskSource.HOTSPOT,
        source_appeal_id=appeal.pk,
    )


def task_effect(task: ProactiveTask, *, now: datetime | None = None) -> VolumeChange:
    """Appeals of the task's matter in its place before it was proposed and after it was
    completed, beside the rest of the district (`cases.volume`)."""
    return volume_change(
        categories=[task.category] if task.category else [],
        regions=[task.region] if task.region else [],
        start=task.proposed_at,
        done=task.completed_at,
        now=now or timezone.now(),
    )
