"""What a viewer may see of task forces: the list (the office all, a handler those its unit
leads or belongs to), one with its scope, meetings and decisions (each with its order's state),
and the appeals a member sees beside its own queue."""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal
from minxin.cases.workflow import OPEN_STATUSES
from minxin.core.errors import NotFound
from minxin.issuelists.models import IssueItem
from minxin.projects.models import Project
from minxin.supervision.models import LeaderCase, SupervisionOrder, SupervisionOrderEvent

from .machine import MISSING
from .models import Decision, Meeting, TaskForce, TaskForceEvent
from .permissions import sees_every_task_force
from .workflow import TaskForceStatus


def task_forces_for(viewer: User) -> QuerySet[TaskForce]:
    forces = TaskForce.objects.select_related("lead_unit", "leader")
    if sees_every_task_force(viewer):
        return forces
    if viewer.unit_id is None:
        return forces.none()
    member = TaskForce.members.through.objects.filter(
        taskforce_id=OuterRef("pk"), unit_id=viewer.unit_id
    )
    return forces.filter(Q(lead_unit_id=viewer.unit_id) | Exists(member))


def task_forces_listed(viewer: User) -> QuerySet[TaskForce]:
    return (
        task_forces_for(viewer)
        .annotate(
            member_count=Count("members", distinct=True),
            appeal_count=Count("appeals", distinct=True),
            meeting_count=Count("meetings", distinct=True),
        )
        .order_by("status", "-set_up_at", "-pk")
    )


def task_force_get_for(viewer: User, task_force_id: int) -> TaskForce:
    task_force = task_forces_for(viewer).filter(pk=task_force_id).first()
    if task_force is None:
        raise NotFound(MISSING)
    return task_force


def task_force_history(task_force: TaskForce) -> QuerySet[TaskForceEvent]:
    return task_force.events.select_related("actor").order_by("created_at", "pk")


def task_force_timeline(task_force: TaskForce) -> list[dict[str, Any]]:
    """The shared timeline: the task force's own events and, beside them, what became of its
    meetings' decisions — each order's answer and escalations, naming the member unit. Two
    queries, sorted by time."""
    entries: list[dict[str, Any]] = [
        {
            "at": e.created_at,
            "actor": e.actor,
            "action": e.action,
            "machine": "task_force",
            "reason": e.reason,
            "unit": None,
            "pk": e.pk,
        }
        for e in task_force_history(task_force)
    ]
    orders = Decision.objects.filter(meeting__task_force=task_force).values("order_id")
    for e in (
        SupervisionOrderEvent.objects.filter(order_id__in=orders)
        .exclude(action="issue")  # the meeting's own entry says it issued them
        .select_related("actor", "order__unit")
        .order_by("created_at", "pk")
    ):
        entries.append(
            {
                "at": e.created_at,
                "actor": e.actor,
                "action": e.action,
                "machine": "supervision_order",
                "reason": e.reason,
                "unit": e.order.unit,
                "order": e.order_id,
                "pk": e.pk,
            }
        )
    entries.sort(key=lambda x: (x["at"], x["machine"] != "task_force", x["pk"]))
    return entries


def task_force_meetings(task_force: TaskForce) -> list[tuple[Meeting, list[dict[str, Any]]]]:
    """Each meeting with its decisions and their orders' state: open, overdue or answered."""
    meetings = list(task_force.meetings.select_related("recorded_by").order_by("-held_at"))
    decisions = (
        Decision.objects.filter(meeting__in=meetings).select_related("unit", "order").order_by("pk")
    )
    now = timezone.now()
    by_meeting: dict[int, list[dict[str, Any]]] = {m.pk: [] for m in meetings}
    for d in decisions:
        order: SupervisionOrder = d.order
        state = (
            "已答复" if order.answered_at else ("逾期未答复" if order.due_at < now else "待答复")
        )
        by_meeting[d.meeting_id].append({"decision": d, "order": order, "state": state})
    return [(m, by_meeting[m.pk]) for m in meetings]


def task_force_appeals(task_force: TaskForce) -> QuerySet[Appeal]:
    """The appeals of the task force, every member sees them (title, status, lead unit):
    beside its own queue, for coordination; the appeal's page stays its handlers'."""
    return task_force.appeals.select_related("lead_unit", "category").order_by("-received_at")


def task_forces_of_appeal(appeal_id: int) -> list[TaskForce]:
    return list(TaskForce.objects.filter(appeals__pk=appeal_id).order_by("pk"))


def led_by(leader: User) -> dict[str, Any]:
    """What a leader has taken personally: appeals (领导包案), items, task forces."""
    now = timezone.now()
    cases = (
        LeaderCase.objects.filter(leader=leader)
        .select_related("appeal", "appeal__lead_unit")
        .order_by("-taken_at")[:100]
    )
    return {
        "cases": cases,
        "items": IssueItem.objects.filter(leader=leader)
        .select_related("issue_list__unit")
        .order_by("status", "deadline")[:100],
        "forces": TaskForce.objects.filter(leader=leader).order_by("status", "-set_up_at")[:100],
        "orders_open": SupervisionOrder.objects.filter(issued_by=leader, answered_at__isnull=True)
        .select_related("unit")
        .order_by("due_at")[:100],
        "now": now,
    }


def active_for_unit(viewer: User) -> list[TaskForce]:
    """The active task forces of the viewer's unit (lead or member), open appeals counted."""
    if viewer.unit_id is None:
        return []
    open_appeals = Count("appeals", filter=Q(appeals__status__in=OPEN_STATUSES), distinct=True)
    member = TaskForce.members.through.objects.filter(
        taskforce_id=OuterRef("pk"), unit_id=viewer.unit_id
    )
    return list(
        TaskForce.objects.filter(status=TaskForceStatus.ACTIVE)
        .filter(Q(lead_unit_id=viewer.unit_id) | Exists(member))
        .select_related("lead_unit")
        .annotate(open_appeals=open_appeals)
        .order_by("-set_up_at")[:20]
    )


def scope_choices() -> dict[str, Any]:
    """What a task force's form offers: its leader, and the items and projects of its scope."""
    return {
        "leaders": User.objects.filter(role=Role.LEADER, is_active=True).order_by("pk"),
        "items": IssueItem.objects.filter(status__in=["open", "closing"])
        .select_related("issue_list__unit")
        .order_by("deadline")[:200],
        "projects": Project.objects.exclude(status="accepted").order_by("name")[:200],
    }
