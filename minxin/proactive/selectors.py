"""What a viewer may see of proactive tasks, a new task's proposal from an appeal, and the
task's effect: were there fewer appeals about its matter in its place afterwards?"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases import selectors as case_selectors
from minxin.cases.models import Appeal
from minxin.core.errors import NotFound

from .machine import MISSING
from .models import ProactiveTask, ProactiveTaskEvent, TaskSource
from .permissions import sees_every_task
from .services import TaskDraft

# The windows compared: this many days before the task was proposed, and as many after it
# was completed (the matter's usual rhythm is weeks; a month on each side evens out weekdays).
EFFECT_DAYS = 30


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


@dataclass(frozen=True)
class Effect:
    """Appeals about the task's matter in its place, in the window before it was proposed
    and the one after it was completed, beside the same matter everywhere else in the
    district over the same windows (a season that quietens everywhere is not the task's)."""

    days: int
    before: int
    after: int | None  # None until the task is done
    observed_days: int  # days of the after window passed so far
    elsewhere_before: int
    elsewhere_after: int | None

    @staticmethod
    def _ratio(before: int, after: int | None, observed: int, days: int) -> float | None:
        if after is None or observed <= 0 or before == 0:
            return None
        return after * days / observed / before - 1  # the after window scaled to full length

    @property
    def change(self) -> float | None:
        return self._ratio(self.before, self.after, self.observed_days, self.days)

    @property
    def elsewhere_change(self) -> float | None:
        return self._ratio(
            self.elsewhere_before, self.elsewhere_after, self.observed_days, self.days
        )

    @property
    def observing(self) -> bool:
        return self.after is not None and self.observed_days < self.days


def _matter(task: ProactiveTask) -> Q:
    if task.category is None:
        return Q()
    return Q(category=task.category) | Q(
        category__path_name__startswith=f"{task.category.path_name}/"
    )


def _count(where: Q, lo: datetime, hi: datetime) -> int:
    return Appeal.objects.filter(where, received_at__gte=lo, received_at__lt=hi).count()


def task_effect(task: ProactiveTask, *, now: datetime | None = None) -> Effect:
    """Four counts over the received-at index (two before completion is known)."""
    now = now or timezone.now()
    span = timedelta(days=EFFECT_DAYS)
    matter = _matter(task)
    place = Q(region__path__startswith=task.region.path) if task.region else Q()
    elsewhere = matter & ~place if task.region else None
    start = task.proposed_at
    before = _count(matter & place, start - span, start)
    elsewhere_before = _count(elsewhere, start - span, start) if elsewhere is not None else 0
    if task.completed_at is None:
        return Effect(EFFECT_DAYS, before, None, 0, elsewhere_before, None)
    done = task.completed_at
    end = min(now, done + span)
    observed = max(0, (end - done).days)
    after = _count(matter & place, done, end)
    elsewhere_after = _count(elsewhere, done, end) if elsewhere is not None else None
    return Effect(EFFECT_DAYS, before, after, observed, elsewhere_before, elsewhere_after)
