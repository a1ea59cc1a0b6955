"""Every read of visits, taking the viewer: a handler sees only their unit's visits; the
district-wide roles see all; out-of-scope and missing are the same 404."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal
from minxin.cases.selectors import appeal_scope_for
from minxin.core.errors import NotFound
from minxin.core.privacy import mask_personal_data
from minxin.core.queries import filtered
from minxin.deadlines.calendar import day_start
from minxin.directory.selectors import of_district, regions_and_below

from .models import Visit, VisitMatter
from .permissions import sees_every_visit

NOT_FOUND = "未找到该走访记录或无权查看"


def visit_scope_for(*, user: User) -> QuerySet[Visit]:
    visits = Visit.objects.all()
    if sees_every_visit(user):
        # the visits of the viewer's district's units (every district's for the city's)
        return visits.filter(of_district(user.jurisdiction_scope, "unit__"))
    if user.role == Role.HANDLER and user.unit_id is not None:
        return visits.filter(unit_id=user.unit_id)
    return visits.none()


@dataclass
class VisitFilters:
    q: str = ""  # words of the place or of the notes
    region_id: int | None = None
    unit_id: int | None = None
    visited_from: date | None = None
    visited_to: date | None = None


def visit_list_for(*, user: User, filters: VisitFilters) -> QuerySet[Visit]:
    """Newest first, with the number of matters; callers paginate."""
    visits = (
        visit_scope_for(user=user)
        .select_related("unit", "region", "recorded_by")
        .annotate(matter_count=Count("matters"))
    )
    if filters.q:
        q = filters.q.strip()
        visits = visits.filter(Q(place_text__icontains=q) | Q(notes__icontains=q))
    if filters.region_id:
        visits = visits.filter(region_id__in=regions_and_below(filters.region_id))
    visits = filtered(visits, unit_id=filters.unit_id)
    if filters.visited_from:
        visits = visits.filter(visited_at__gte=day_start(filters.visited_from))
    if filters.visited_to:
        visits = visits.filter(visited_at__lt=day_start(filters.visited_to + timedelta(days=1)))
    return visits.order_by("-visited_at", "-id")


def met_masked(text: str, limit: int = 60) -> str:
    """Whom they met, as a list shows it: personal data masked, cut short."""
    masked = mask_personal_data(" ".join(text.split()))
    return masked if len(masked) <= limit else masked[: limit - 1] + "…"


def visit_get_for(*, user: User, visit_id: int) -> Visit:
    visit = (
        visit_scope_for(user=user)
        .select_related("unit", "region", "recorded_by")
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        raise NotFound(NOT_FOUND)
    return visit


@dataclass(frozen=True)
class MatterRow:
    position: int
    appeal: Appeal
    visible: bool  # may this viewer open the appeal's page (cases scope)?


def visit_matters_for(*, user: User, visit: Visit) -> list[MatterRow]:
    """Each matter's appeal with its current status; two queries whatever the count."""
    matters = list(
        VisitMatter.objects.filter(visit=visit)
        .select_related("appeal", "appeal__lead_unit")
        .order_by("position")
    )
    ids = [m.appeal_id for m in matters]
    visible = set(appeal_scope_for(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    return [MatterRow(m.position, m.appeal, m.appeal_id in visible) for m in matters]


def visit_participants(*, visit: Visit) -> list[User]:
    return list(visit.participants.select_related("unit").order_by("display_name", "username"))


def participant_choices(*, user: User) -> QuerySet[User]:
    """Colleagues who may have gone along: the recorder's unit's active staff."""
    if user.unit_id is None:
        return User.objects.none()
    return User.objects.filter(unit_id=user.unit_id, is_active=True).order_by(
        "display_name", "username"
    )
