"""The citizen's reads. A citizen has no account: this browser session holds grants (appeal ids
it proved with number and query code, or submitted itself), and sees only those appeals.
Missing and not granted are the same NotFound, so numbers cannot be probed. And the public
transparency page's figures, the scorecards' own (`metrics.metrics.rates_for`)."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Q

from minxin.accounts.roles import Role
from minxin.cases.machine import APPEALS
from minxin.cases.models import Appeal, AppealEvent, Attachment, Channel, Reply, Supplement
from minxin.cases.selectors import appeal_photos, appeal_supplements, appeal_timeline
from minxin.cases.workflow import TRANSITIONS, Action, AppealStatus, Satisfaction
from minxin.core.errors import NotFound
from minxin.core.replica import reporting_reads
from minxin.metrics.metrics import RateRow, rates_for

HOTLINE_LABEL = "12345热线中心"
SYSTEM_LABEL = "系统"
CITIZEN_LABEL = "诉求人"
RELEASED_LABEL = "答复"
TRANSFERRED_LABEL = "转办"


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: str
    unit: str  # a unit's name, never a person's
    text: str  # the reply for a resolve event, the rating for a rate event; else empty


@dataclass(frozen=True)
class CitizenAppeal:
    appeal: Appeal
    timeline: list[TimelineEntry]
    replies: list[Reply]
    photos: list[Attachment]  # the appeal's own; a supplement's are under it
    supplements: list[Supplement]
    asked: str  # while it waits on the citizen: what the unit asked them to add

    @property
    def can_supplement(self) -> bool:
        return self.appeal.status in SUPPLEMENT_STATUSES


SUPPLEMENT_STATUSES = TRANSITIONS[Action.SUPPLEMENT].source


def appeal_get_for_grant(*, tracking_number: str, granted_ids: Collection[int]) -> Appeal:
    appeal = (
        Appeal.objects.select_related("lead_unit")
        .filter(tracking_number=tracking_number, pk__in=list(granted_ids))
        .first()
    )
    if appeal is None:
        raise NotFound
    return appeal


def _same_text(value: str) -> str:
    return " ".join(value.split())


def appeal_just_sent(
    *,
    granted_ids: Collection[int],
    phone: str,
    title: str,
    content: str,
    since: datetime,
) -> Appeal | None:
    """The appeal this citizen sent with the same title and content since `since`: one this
    browser holds, or one from the same phone number (the form sent again after the Back
    button carries a new one-time key, so the key alone cannot find it). Whitespace aside."""
    phone = phone.strip().replace(" ", "")
    mine = Q(pk__in=list(granted_ids))
    if phone:
        mine |= Q(appellant_phone=phone)
    candidates = Appeal.objects.filter(mine, channel=Channel.WEB, received_at__gte=since)
    for appeal in candidates.order_by("received_at", "id")[:50]:
        if _same_text(appeal.title) == _same_text(title) and _same_text(
            appeal.content
        ) == _same_text(content):
            return appeal
    return None


def citizen_appeal_view(*, tracking_number: str, granted_ids: Collection[int]) -> CitizenAppeal:
    """Everything the tracking page shows: the appeal, its public timeline, replies, photos."""
    appeal = appeal_get_for_grant(tracking_number=tracking_number, granted_ids=granted_ids)
    events = appeal_timeline(appeal=appeal, public=True)
    # Only released replies: one waiting for the centre's review is not the citizen's yet.
    released = list(
        appeal.replies.filter(released_at__isnull=False)
        .select_related("unit")
        .prefetch_related("photos")
        .order_by("created_at", "id")
    )
    texts = {r.pk: (r.content, r.unit.name) for r in released}
    suspensions = [e.reason for e in events if e.action == Action.SUSPEND]
    waiting = appeal.status == AppealStatus.SUSPENDED
    return CitizenAppeal(
        appeal=appeal,
        timeline=[_entry(e, texts) for e in events],
        replies=released,
        photos=appeal_photos(appeal=appeal),
        supplements=appeal_supplements(appeal=appeal),
        asked=suspensions[-1] if waiting and suspensions else "",
    )


def attachment_get_for_grant(
    *, tracking_number: str, attachment_id: int, granted_ids: Collection[int]
) -> Attachment:
    attachment = Attachment.objects.filter(
        # a reply's photos once the reply is released, like its text (办结审核 first)
        Q(reply__isnull=True) | Q(reply__released_at__isnull=False),
        pk=attachment_id,
        appeal__tracking_number=tracking_number,
        appeal_id__in=list(granted_ids),
    ).first()
    if attachment is None:
        raise NotFound
    return attachment


def _entry(event: AppealEvent, replies: Mapping[int, tuple[str, str]]) -> TimelineEntry:
    text = ""
    unit = _unit_label(event)
    label = APPEALS.label(event.action)
    if event.action == Action.APPROVE_REPLY:
        # The reply reaches the citizen when the centre's review releases it (办结审核); the
        # unit's submission before it is not on the citizen's timeline.
        label = RELEASED_LABEL
        text, unit = replies.get(event.payload.get("reply_id"), ("", unit))
    elif event.action == Action.APPROVE_TRANSFER:
        # 转办: the citizen learns which unit handles it now, not the units' exchange before.
        label = TRANSFERRED_LABEL
        text = f"转至{event.payload.get('lead_unit', '')}办理"
    elif event.action in (Action.SUSPEND, Action.SUPPLEMENT):
        # What the citizen is asked to add while the clock is stopped, what they added.
        text = event.reason
    elif event.action == Action.RATE:  # "评价不满意" says it already
        value = event.payload.get("satisfaction", "")
        text = Satisfaction(value).label if value in Satisfaction.values else ""
    return TimelineEntry(at=event.created_at, label=label, unit=unit, text=text)


def _unit_label(event: AppealEvent) -> str:
    if event.actor_unit is not None:
        return event.actor_unit.name
    if event.actor_role == Role.SYSTEM:
        return SYSTEM_LABEL
    if event.actor_role == Role.CITIZEN and event.action != Action.RECEIVE:
        return CITIZEN_LABEL
    return HOTLINE_LABEL


# --- the transparency page --------------------------------------------------------------------

TRANSPARENCY_MONTHS = 12
TRANSPARENCY_CACHE_SECONDS = 300
UNDISPATCHED_LABEL = "尚未交办"  # the appeals without a lead unit, in words the public reads


@dataclass(frozen=True)
class Figures:
    """One row of the transparency page: the four public figures of `rates_for`'s row."""

    label: str
    received: int
    reply_rate: float | None
    on_time_rate: float | None
    satisfaction_rate: float | None
    replied: int
    received_valid: int
    resolved_on_time: int
    resolved_or_overdue: int
    satisfied: int
    rated: int

    @classmethod
    def of(cls, row: RateRow, label: str | None = None) -> "Figures":
        c = row.counts
        return cls(
            label=label or row.label,
            received=c.received,
            reply_rate=row.reply_rate,
            on_time_rate=row.on_time_rate,
            satisfaction_rate=row.satisfaction_rate,
            replied=c.replied,
            received_valid=c.received_valid,
            resolved_on_time=c.resolved_on_time,
            resolved_or_overdue=c.resolved_or_overdue,
            satisfied=c.satisfied,
            rated=c.rated,
        )


@dataclass(frozen=True)
class Month:
    key: str  # 2026-05
    label: str  # 2026年5月
    start: date
    end: date  # the month's last day, or today for the current month
    unfinished: bool = False  # the current month, counted up to today: not a whole month


def transparency_months(*, today: date, count: int = TRANSPARENCY_MONTHS) -> list[Month]:
    """The last `count` months, oldest first, the current one ending today."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        start = date(year, month, 1)
        last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        months.append(
            Month(
                f"{year:04d}-{month:02d}",
                f"{year}年{month}月",
                start,
                min(last, today),
                unfinished=today < last,
            )
        )
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


@dataclass(frozen=True)
class Transparency:
    months: list[Month]
    by_month: list[Figures]  # one per month, district-wide
    month: Month  # the month of the unit table
    by_unit: list[Figures]


@reporting_reads()
def transparency_figures(
    *, today: date, month_key: str = "", district: int | None = None
) -> Transparency:
    """A district's figures (every district's for None) per month (last 12) and per lead unit
    for one of those months, straight from `metrics.metrics.rates_for` (the scorecards'
    numbers). Cached for a few minutes: the page is public and each month is a handful of
    aggregate queries."""
    months = transparency_months(today=today)
    month = next((m for m in months if m.key == month_key), months[-1])
    cache_key = f"citizen:transparency:{district}:{today.isoformat()}:{month.key}"
    cached = cache.get(cache_key)
    if isinstance(cached, Transparency):
        return cached
    by_month = [
        Figures.of(
            rates_for(start=m.start, end=m.end, group_by=None, district=district)[0],
            label=m.label,
        )
        for m in months
    ]
    by_unit = [
        Figures.of(row, label=UNDISPATCHED_LABEL if row.key is None else row.label)
        for row in rates_for(start=month.start, end=month.end, group_by="unit", district=district)
    ]
    result = Transparency(months=months, by_month=by_month, month=month, by_unit=by_unit)
    cache.set(cache_key, result, TRANSPARENCY_CACHE_SECONDS)
    return result
