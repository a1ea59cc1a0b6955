"""Reads of the telephone link, each taking the viewer: the console's pop-up, the call log
and its figures, one call, the call an appeal came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases import selectors as case_selectors
from minxin.cases.models import Appeal
from minxin.core.errors import NotFound
from minxin.core.privacy import phone_forms
from minxin.core.queries import filtered
from minxin.deadlines.calendar import day_start
from minxin.intake.permissions import may_take_calls

from .machine import MISSING
from .models import Call, CallEvent
from .permissions import may_see_calls
from .workflow import CallStatus

# A call still ringing after this long lost its hangup somewhere: the pop-up lets it go.
RINGING_FOR = timedelta(minutes=10)
# A call over but not written up stays on its call-taker's console this long.
WRITE_UP_WITHIN = timedelta(minutes=30)
IN_PROGRESS_FOR = timedelta(hours=4)
POPUP_CALLS = 5
EARLIER_APPEALS = 5


@dataclass(frozen=True)
class PoppedCall:
    call: Call
    earlier: list[Appeal]  # the caller's earlier appeals the viewer may see, newest first


def calls_popup_for(*, user: User, now: datetime | None = None) -> list[PoppedCall]:
    """What the console pops for `user`: calls ringing for them (or for everyone who takes
    calls), their call in progress, and their calls over but not yet received as an appeal;
    each with the caller's earlier appeals (one query for all of them)."""
    if not may_take_calls(user):
        return []
    now = now or timezone.now()
    ringing = Q(status=CallStatus.RINGING, direction="in", started_at__gte=now - RINGING_FOR) & (
        Q(offered_to=user) | Q(offered_to__isnull=True)
    )
    mine = Q(agent=user) & (
        Q(status=CallStatus.ANSWERED, started_at__gte=now - IN_PROGRESS_FOR)
        | Q(status=CallStatus.ENDED, appeal__isnull=True, ended_at__gte=now - WRITE_UP_WITHIN)
    )
    ids = list(
        Call.objects.filter(ringing | mine)
        .order_by("-started_at", "-id")
        .values_list("id", flat=True)
        .distinct()[:POPUP_CALLS]
    )
    calls = list(Call.objects.filter(pk__in=ids).order_by("-started_at", "-id"))
    earlier = _earlier_appeals(user=user, phones=[c.phone for c in calls if c.phone])
    return [PoppedCall(call=c, earlier=earlier.get(c.phone, [])) for c in calls]


def _earlier_appeals(*, user: User, phones: list[str]) -> dict[str, list[Appeal]]:
    """Each number's latest appeals the viewer may see, in one query."""
    forms = {form: phone for phone in phones for form in phone_forms(phone)}
    if not forms:
        return {}
    found: dict[str, list[Appeal]] = {}
    rows = (
        case_selectors.appeal_scope_for(user=user)
        .filter(appellant_phone__in=list(forms))
        .only("id", "tracking_number", "title", "status", "received_at", "appellant_phone")
        .order_by("-received_at")[: EARLIER_APPEALS * len(phones) * 4]
    )
    for appeal in rows:
        listed = found.setdefault(forms[appeal.appellant_phone], [])
        if len(listed) < EARLIER_APPEALS:
            listed.append(appeal)
    return found


def caller_earlier_appeals(*, user: User, call: Call) -> list[Appeal]:
    """A call's page: the caller's latest appeals, as the console's history box lists them."""
    return list(case_selectors.appeals_by_phone(user=user, phone=call.phone)) if call.phone else []


@dataclass(frozen=True)
class CallFilters:
    since: date | None = None
    until: date | None = None
    status: str = ""
    direction: str = ""
    agent_id: int | None = None
    appeal: str = ""  # "yes" | "no" | ""


def call_log_for(*, user: User, filters: CallFilters) -> QuerySet[Call]:
    """The calls, newest first, with the filters; for those who may see calls (else 404)."""
    if not may_see_calls(user):
        raise NotFound(MISSING)
    calls = Call.objects.all()
    if filters.since:
        calls = calls.filter(started_at__gte=day_start(filters.since))
    if filters.until:
        calls = calls.filter(started_at__lt=day_start(filters.until + timedelta(days=1)))
    calls = filtered(
        calls, status=filters.status, direction=filters.direction, agent_id=filters.agent_id
    )
    if filters.appeal == "yes":
        calls = calls.filter(appeal__isnull=False)
    elif filters.appeal == "no":
        calls = calls.filter(appeal__isnull=True)
    return calls.select_related("agent", "appeal", "pbx").order_by("-started_at", "-id")


@dataclass(frozen=True)
class CallFigures:
    total: int
    answered: int
    missed: int
    ringing: int
    with_appeal: int
    talk_seconds: int
    mean_talk_seconds: int | None
    mean_wait_seconds: int | None

    @property
    def answer_rate(self) -> float | None:
        over = self.answered + self.missed
        return self.answered / over if over else None


def call_log_figures(calls: QuerySet[Call]) -> CallFigures:
    """The filtered calls' figures in one query: how many, answered (in progress or over),
    missed, received as appeals, time talked, and the mean talk and answer waits."""
    answered = Q(status__in=(CallStatus.ANSWERED, CallStatus.ENDED))
    row = calls.order_by().aggregate(
        total=Count("id"),
        answered=Count("id", filter=answered),
        missed=Count("id", filter=Q(status=CallStatus.MISSED)),
        ringing=Count("id", filter=Q(status=CallStatus.RINGING)),
        with_appeal=Count("id", filter=Q(appeal__isnull=False)),
        talk=Sum("talk_seconds"),
        mean_talk=Avg("talk_seconds"),
        mean_wait=Avg("wait_seconds", filter=answered),
    )
    return CallFigures(
        total=row["total"],
        answered=row["answered"],
        missed=row["missed"],
        ringing=row["ringing"],
        with_appeal=row["with_appeal"],
        talk_seconds=int(row["talk"] or 0),
        mean_talk_seconds=round(row["mean_talk"]) if row["mean_talk"] is not None else None,
        mean_wait_seconds=round(row["mean_wait"]) if row["mean_wait"] is not None else None,
    )


def call_agents() -> QuerySet[User]:
    """The staff who have taken calls, for the log's filter."""
    return User.objects.filter(calls__isnull=False).distinct().order_by("username")


def call_get_for(*, user: User, call_pk: int) -> Call:
    if not may_see_calls(user):
        raise NotFound(MISSING)
    call = Call.objects.select_related("agent", "appeal", "pbx").filter(pk=call_pk).first()
    if call is None:
        raise NotFound(MISSING)
    return call


def call_events(*, call: Call) -> list[CallEvent]:
    return list(call.events.select_related("actor").order_by("created_at", "id"))


def call_of_appeal(*, user: User, appeal_id: int) -> Call | None:
    """The call an appeal was received from, for a viewer who may see the appeal (404
    otherwise) and calls (None otherwise)."""
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    if not may_see_calls(user):
        return None
    return Call.objects.select_related("agent", "pbx").filter(appeal=appeal).first()
