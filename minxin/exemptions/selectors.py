"""Reads of the exemption requests, always for a viewer: a unit's handlers see their own unit's,
the supervision office, leaders and admins every one; out of scope and missing answer alike."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Case, IntegerField, QuerySet, Value, When

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal, AppealEvent
from minxin.cases.workflow import OPEN_STATUSES, Action
from minxin.core.errors import IllegalTransition, MinxinError, NotFound, ValidationFailed
from minxin.deadlines.calendar import add_working_days

from .machine import MISSING
from .models import Exemption, ExemptionPhoto
from .permissions import sees_all_exemptions
from .workflow import ExemptionKind, ExemptionStatus

K = ExemptionKind


def exemption_scope_for(*, user: User) -> QuerySet[Exemption]:
    requests = Exemption.objects.all()
    if sees_all_exemptions(user):
        return requests
    if user.role == Role.HANDLER and user.unit_id is not None:
        return requests.filter(unit_id=user.unit_id)
    return requests.none()


def _related(requests: QuerySet[Exemption]) -> QuerySet[Exemption]:
    return requests.select_related(
        "appeal", "unit", "requested_by", "decided_by", "rating_event"
    ).prefetch_related("photos")


def exemption_list_for(*, user: User, status: str = "") -> QuerySet[Exemption]:
    """Waiting requests first (oldest first: the next to decide), then the decided, newest
    first."""
    requests = exemption_scope_for(user=user)
    if status in ExemptionStatus.values:
        requests = requests.filter(status=status)
    waiting = Case(
        When(status=ExemptionStatus.SUBMITTED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return _related(requests).annotate(waiting=waiting).order_by("waiting", "requested_at", "pk")


def exemption_waiting_count(*, user: User) -> int:
    return exemption_scope_for(user=user).filter(status=ExemptionStatus.SUBMITTED).count()


def exemption_get_for(*, user: User, exemption_id: int) -> Exemption:
    exemption = _related(exemption_scope_for(user=user)).filter(pk=exemption_id).first()
    if exemption is None:
        raise NotFound(MISSING)
    return exemption


def exemptions_of_appeal(*, user: User, appeal: Appeal) -> list[Exemption]:
    return list(
        _related(exemption_scope_for(user=user).filter(appeal_id=appeal.pk)).order_by(
            "-requested_at", "-pk"
        )
    )


def exemption_photo_get(*, user: User, exemption_id: int, photo_id: int) -> ExemptionPhoto:
    exemption = exemption_get_for(user=user, exemption_id=exemption_id)
    photo = ExemptionPhoto.objects.filter(pk=photo_id, exemption=exemption).first()
    if photo is None:
        raise NotFound(MISSING)
    return photo


# --- what may be asked ---------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What a request would leave out: the dissatisfied rating's event, or the missed
    deadline; `since` is when it happened and `ask_by` the last moment to ask."""

    kind: str
    rating_event_id: int | None
    deadline: datetime | None
    since: datetime
    ask_by: datetime


def request_window_days() -> int:
    return int(settings.MINXIN_EXEMPTION_REQUEST_WORKING_DAYS)


def exemption_subject(*, appeal: Appeal, kind: str) -> Subject | None:
    """The rating or the deadline a request of `kind` on `appeal` would be about: the latest
    dissatisfied rating; the completion deadline in force if it was missed (resolved after it,
    or still open past it — `now`, the appeal's status, decides the latter). None if there is
    none."""
    if kind == K.DISSATISFIED:
        rating = (
            AppealEvent.objects.filter(appeal_id=appeal.pk, action=Action.RATE_DISSATISFIED)
            .order_by("-created_at", "-pk")
            .values_list("pk", "created_at")
            .first()
        )
        if rating is None:
            return None
        return _subject(kind, rating[1], rating_event_id=rating[0])
    if kind == K.OVERDUE:
        due, resolved = appeal.resolve_due, appeal.resolved_at
        if due is None:
            return None
        late = resolved > due if resolved is not None else appeal.status in OPEN_STATUSES
        return _subject(kind, due, deadline=due) if late else None
    return None


def _subject(
    kind: str,
    since: datetime,
    *,
    rating_event_id: int | None = None,
    deadline: datetime | None = None,
) -> Subject:
    return Subject(
        kind=kind,
        rating_event_id=rating_event_id,
        deadline=deadline,
        since=since,
        ask_by=add_working_days(since, request_window_days()),
    )


def exemption_refusal(
    *, appeal: Appeal, kind: str, now: datetime
) -> tuple[Subject | None, MinxinError | None]:
    """The subject of a request of `kind` on `appeal` now, and why it cannot be asked (None if
    it can): nothing to ask about, not yet overdue, one waiting, already exempted, too late."""
    if kind not in K.values:
        return None, ValidationFailed("请选择申诉事项")
    subject = exemption_subject(appeal=appeal, kind=kind)
    if subject is not None and subject.deadline is not None and appeal.resolved_at is None:
        subject = subject if now > subject.deadline else None
    if subject is None:
        if kind == K.DISSATISFIED:
            return None, ValidationFailed("该诉求没有不满意评价，无需申请")
        return None, ValidationFailed("该诉求未超过办结时限，无需申请")
    same_kind = Exemption.objects.filter(appeal_id=appeal.pk, kind=kind)
    label = ExemptionKind(kind).label
    if same_kind.filter(status=ExemptionStatus.SUBMITTED).exists():
        return subject, IllegalTransition(f"该诉求已有待审核的{label}免考核申请")
    approved = same_kind.filter(status=ExemptionStatus.APPROVED)
    if kind == K.DISSATISFIED:
        approved = approved.filter(rating_event_id=subject.rating_event_id)
    else:
        approved = approved.filter(deadline=subject.deadline)
    if approved.exists():
        return subject, IllegalTransition(f"该{label}已批准免考核")
    if now > subject.ask_by:
        what = "收到不满意评价" if kind == K.DISSATISFIED else "办结时限届满"
        return subject, ValidationFailed(
            f"已超过申请期限：应在{what}后{request_window_days()}个工作日内提出"
        )
    return subject, None


def request_options(*, user: User, appeal: Appeal, now: datetime) -> list[dict[str, object]]:
    """The kinds the viewer may ask for on this appeal now (a handler of its lead unit), with
    the subject and the deadline to ask by; kinds with nothing to ask about are left out."""
    if user.role != Role.HANDLER or user.unit_id is None or user.unit_id != appeal.lead_unit_id:
        return []
    options: list[dict[str, object]] = []
    for kind in K:
        subject, why_not = exemption_refusal(appeal=appeal, kind=kind, now=now)
        if subject is None:
            continue
        options.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "subject": subject,
                "refusal": why_not.message if why_not else "",
            }
        )
    return options


# --- for the figures (metrics/facts.py) ------------------------------------------------------


@dataclass(frozen=True)
class Approved:
    """Per appeal, what approved requests leave out of the figures: the times of the excused
    dissatisfied ratings, and the excused completion deadlines."""

    ratings: dict[int, list[datetime]]
    deadlines: dict[int, list[datetime]]


def approved_exemptions(appeal_ids: Iterable[int]) -> Approved:
    """One query for a batch of appeals (the figures' applier computes facts in batches)."""
    ratings: dict[int, list[datetime]] = defaultdict(list)
    deadlines: dict[int, list[datetime]] = defaultdict(list)
    for appeal_id, kind, rated_at, deadline in Exemption.objects.filter(
        appeal_id__in=list(appeal_ids), status=ExemptionStatus.APPROVED
    ).values_list("appeal_id", "kind", "rating_event__created_at", "deadline"):
        if kind == K.DISSATISFIED and rated_at is not None:
            ratings[appeal_id].append(rated_at)
        elif kind == K.OVERDUE and deadline is not None:
            deadlines[appeal_id].append(deadline)
    return Approved(ratings=dict(ratings), deadlines=dict(deadlines))
