"""二级派单: the sub-tasks a street passes down to its communities and grid units, as the
appeal page, the unit queue and the street's 下派任务 page read them."""

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from minxin.accounts.roles import Role
from minxin.directory.models import CHILD_KINDS, Unit

from ..models import Appeal, SubAssignment, SubAssignmentStatus

if TYPE_CHECKING:
    from minxin.accounts.models import User


# --- 二级派单: sub-tasks passed down from a street to its communities and grid units --------


def sub_assignment_pending(*, appeal: Appeal) -> SubAssignment | None:
    return (
        SubAssignment.objects.select_related("unit")
        .filter(appeal=appeal, status=SubAssignmentStatus.PENDING)
        .first()
    )


def sub_assignments_of(*, appeal: Appeal) -> list[SubAssignment]:
    """Every sub-task of the appeal, oldest first (the appeal page's card)."""
    return list(
        SubAssignment.objects.filter(appeal=appeal)
        .select_related("unit", "assigned_by", "reported_by")
        .order_by("assigned_at", "id")
    )


def sub_units_for(*, user: "User") -> QuerySet[Unit]:
    """The active community and grid units under the viewer's unit (its children and their
    children): where its handler may pass an appeal down to."""
    if user.unit_id is None:
        return Unit.objects.none()
    return (
        Unit.objects.filter(is_active=True, kind__in=CHILD_KINDS)
        .filter(Q(parent_id=user.unit_id) | Q(parent__parent_id=user.unit_id))
        .select_related("parent")
        .order_by("parent__name", "kind", "name")
    )


def sub_due_suggested(*, appeal: Appeal, now: datetime | None = None) -> datetime | None:
    """What the sub-dispatch form offers as the community's deadline: halfway between now and
    the appeal's own, to the minute, so the street keeps time to check the report and reply."""
    now = now or timezone.now()
    if appeal.resolve_due is None or appeal.resolve_due <= now:
        return None
    return (now + (appeal.resolve_due - now) / 2).replace(second=0, microsecond=0)


def sub_pending_by_appeal(*, appeal_ids: list[int]) -> dict[int, SubAssignment]:
    """The pending sub-task of each of a page of appeals, in one query (the unit queue)."""
    if not appeal_ids:
        return {}
    rows = SubAssignment.objects.filter(
        appeal_id__in=appeal_ids, status=SubAssignmentStatus.PENDING
    ).select_related("unit")
    return {row.appeal_id: row for row in rows}


SUB_TABS = ("pending", "overdue", "all")


def sub_tasks_for(*, user: "User", tab: str = "pending") -> QuerySet[SubAssignment]:
    """The sub-tasks the viewer's unit passed down (a street's view of its communities):
    pending ones by their deadline (the overdue lead), or those past their deadline, or all,
    newest first; callers paginate."""
    if user.role != Role.HANDLER or user.unit_id is None:
        return SubAssignment.objects.none()
    rows = SubAssignment.objects.filter(from_unit_id=user.unit_id).select_related(
        "appeal", "unit", "assigned_by"
    )
    if tab == "pending":
        return rows.filter(status=SubAssignmentStatus.PENDING).order_by("due_at", "id")
    if tab == "overdue":
        late = Q(status=SubAssignmentStatus.PENDING, due_at__lt=timezone.now()) | Q(
            status=SubAssignmentStatus.REPORTED, reported_at__gt=F("due_at")
        )
        return rows.filter(late).order_by("due_at", "id")
    return rows.order_by("-assigned_at", "-id")
