"""Who sees which appeals: a member of staff's scope (out of scope and missing are the same
404), and the citizen's one appeal by its number and query code."""

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.crypto import constant_time_compare

from minxin.accounts.roles import Role
from minxin.core.errors import NotFound
from minxin.directory.selectors import of_district

from ..models import Appeal, Assignment, SubAssignment, SubAssignmentStatus
from ..permissions import sees_whole_district

if TYPE_CHECKING:
    from minxin.accounts.models import User


LIST_RELATED = ("category", "region", "lead_unit")


def appeal_scope_for(*, user: "User") -> QuerySet[Appeal]:
    """The appeals a member of staff may see at all."""
    appeals = Appeal.objects.all()
    if sees_whole_district(user):
        return appeals.filter(of_district(user.jurisdiction_scope))
    if user.role == Role.HANDLER and user.unit_id is not None:
        return appeals.filter(unit_appeals_q(user.unit_id, include_done=True))
    return appeals.none()


# A community sees what its street passed down to it while it holds it and after it reported
# back; a recalled sub-task leaves its scope (as a return leaves the lead's).
_SUB_SEEN = (SubAssignmentStatus.PENDING, SubAssignmentStatus.REPORTED)


def unit_appeals_q(unit_id: int, *, include_done: bool) -> Q:
    """A unit's appeals: those with an active assignment of it (lead or assisting), and those
    its street passed down to it (二级派单): pending, or reported too with `include_done`."""
    mine = Assignment.objects.filter(unit_id=unit_id, is_active=True).values("appeal_id")
    statuses = _SUB_SEEN if include_done else (SubAssignmentStatus.PENDING,)
    passed_down = SubAssignment.objects.filter(unit_id=unit_id, status__in=statuses)
    if not passed_down.exists():
        # Most units (every street and department) never hold a sub-task: a plain IN lets the
        # database plan it as a join with its statistics of the unit, walking the list's own
        # order and probing the unit's assignments when the unit holds many appeals (measured
        # in bench/README.md, "search"); a UNION would be read whole first.
        return Q(pk__in=mine)
    # One list of ids (a UNION), not two EXISTS joined by OR: the database starts from the
    # unit's assignments (its index) instead of checking every appeal of the district.
    return Q(pk__in=mine.order_by().union(passed_down.order_by().values("appeal_id")))


def appeal_get_for(*, user: "User", appeal_id: int) -> Appeal:
    appeal = (
        appeal_scope_for(user=user)
        .select_related(*LIST_RELATED, "merged_into")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise NotFound
    return appeal


def appeal_visible_to(*, user: "User", appeal_id: int) -> bool:
    """Whether the viewer still sees the appeal (a handler's unit that returned it does not)."""
    return appeal_scope_for(user=user).filter(pk=appeal_id).exists()


def appeal_get_for_citizen(*, tracking_number: str, query_code: str) -> Appeal:
    """The citizen sees only the appeal whose number and code they hold; one error for both."""
    appeal = (
        Appeal.objects.select_related("lead_unit")
        .filter(tracking_number=tracking_number.strip())
        .first()
    )
    if appeal is None or not constant_time_compare(appeal.query_code, query_code.strip().upper()):
        raise NotFound("受理编号或查询码不正确，请核对后重试")
    return appeal
