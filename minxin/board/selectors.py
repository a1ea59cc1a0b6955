"""The citizen's reads. A citizen has no account: this browser session holds grants (appeal ids
it proved with number and query code, or submitted itself), and sees only those appeals.
Missing and not granted are the same NotFound, so numbers cannot be probed."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from minxin.accounts.roles import Role
from minxin.cases.models import Appeal, AppealEvent, Attachment, Reply
from minxin.cases.selectors import appeal_timeline
from minxin.cases.workflow import Action, Satisfaction, action_label
from minxin.core.errors import NotFound

HOTLINE_LABEL = "12345热线中心"
SYSTEM_LABEL = "系统"
CITIZEN_LABEL = "诉求人"


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
    photos: list[Attachment]


def appeal_get_for_grant(*, tracking_number: str, granted_ids: Collection[int]) -> Appeal:
    appeal = (
        Appeal.objects.select_related("lead_unit")
        .filter(tracking_number=tracking_number, pk__in=list(granted_ids))
        .first()
    )
    if appeal is None:
        raise NotFound
    return appeal


def citizen_appeal_view(*, tracking_number: str, granted_ids: Collection[int]) -> CitizenAppeal:
    """Everything the tracking page shows: the appeal, its public timeline, replies, photos."""
    appeal = appeal_get_for_grant(tracking_number=tracking_number, granted_ids=granted_ids)
    return CitizenAppeal(
        appeal=appeal,
        timeline=[_entry(e) for e in appeal_timeline(appeal=appeal, public=True)],
        replies=list(appeal.replies.select_related("unit").order_by("created_at", "id")),
        photos=list(appeal.attachments.order_by("id")),
    )


def attachment_get_for_grant(
    *, tracking_number: str, attachment_id: int, granted_ids: Collection[int]
) -> Attachment:
    attachment = Attachment.objects.filter(
        pk=attachment_id,
        appeal__tracking_number=tracking_number,
        appeal_id__in=list(granted_ids),
    ).first()
    if attachment is None:
        raise NotFound
    return attachment


def _entry(event: AppealEvent) -> TimelineEntry:
    text = ""
    if event.action in (Action.RESOLVE, Action.SUSPEND):
        # The reply, or what the citizen is asked to add while the clock is stopped.
        text = event.reason
    elif event.action == Action.RATE:  # "评价不满意" says it already
        value = event.payload.get("satisfaction", "")
        text = Satisfaction(value).label if value in Satisfaction.values else ""
    return TimelineEntry(
        at=event.created_at, label=action_label(event.action), unit=_unit_label(event), text=text
    )


def _unit_label(event: AppealEvent) -> str:
    if event.actor_unit is not None:
        return event.actor_unit.name
    if event.actor_role == Role.SYSTEM:
        return SYSTEM_LABEL
    if event.actor_role == Role.CITIZEN and event.action != Action.RECEIVE:
        return CITIZEN_LABEL
    return HOTLINE_LABEL
