"""What staff are told of an appeal's events, and who: `STAFF_NOTICES` maps the event to the
people it concerns — the one place to change it. A unit hears of a new dispatch (its lead or
assisting part), a reopen and its reply sent back by the review; the dispatchers hear of a
return and of an extension request; the lead unit hears of the decision on its extension.

Recorded in the event's transaction (`notify.services.notifications_send`: in-app now, mail or
SMS after commit as each person chose), never with the citizen's words or contacts: the
tracking number, the title, the deadline and staff's own reasons. Transfers, sub-dispatch, a
refused return and a citizen's supplement tell their people in their own services."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from django.urls import reverse
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.accounts.selectors import unit_handlers
from minxin.notify.services import notifications_send

from .models import Appeal, AppealEvent
from .workflow import Action

KIND: Final = "appeal"


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    recipients: Iterable[User]


def _handlers_named(unit_names: Iterable[str]) -> Iterable[User]:
    """The handlers of units named in an event's payload (a unit's name is unique)."""
    return User.objects.filter(role=Role.HANDLER, is_active=True, unit__name__in=list(unit_names))


def _dispatchers() -> Iterable[User]:
    return User.objects.filter(role=Role.DISPATCHER, is_active=True)


def _when(value: str | datetime | None) -> str:
    if not value:
        return ""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return timezone.localtime(at).strftime("%m-%d %H:%M")


def _unit_name(event: AppealEvent) -> str:
    return event.actor_unit.name if event.actor_unit_id and event.actor_unit else "承办单位"


def _dispatched(appeal: Appeal, event: AppealEvent) -> list[Notice]:
    due = _when(event.payload.get("resolve_due"))
    deadline = f"，办结时限 {due}" if due else ""
    notices = [
        Notice(
            f"新派单：{appeal.tracking_number}",
            f"{appeal.title}（主办{deadline}）",
            unit_handlers([appeal.lead_unit_id]),
        )
    ]
    assists = [n for n in event.payload.get("assist_units", []) if isinstance(n, str)]
    if assists:
        notices.append(
            Notice(
                f"协办派单：{appeal.tracking_number}",
                f"{appeal.title}（协办，主办单位 {event.payload.get('lead_unit', '')}）",
                _handlers_named(assists),
            )
        )
    return notices


def _reopened(appeal: Appeal, event: AppealEvent) -> list[Notice]:
    due = _when(event.payload.get("resolve_due"))
    return [
        Notice(
            f"重办：{appeal.tracking_number}",
            f"{event.reason}（新的办结时限 {due}）" if due else event.reason,
            unit_handlers([appeal.lead_unit_id]),
        )
    ]


def _sent_back(appeal: Appeal, event: AppealEvent) -> list[Notice]:
    return [
        Notice(
            f"答复被审核退回：{appeal.tracking_number}",
            event.reason,
            unit_handlers([appeal.lead_unit_id]),
        )
    ]


def _returned(appeal: Appeal, event: AppealEvent) -> list[Notice]:
    return [
        Notice(
            f"退单待处理：{appeal.tracking_number}",
            f"{_unit_name(event)}退单：{event.reason}",
            _dispatchers(),
        )
    ]


def _extension_requested(appeal: Appeal, event: AppealEvent) -> list[Notice]:
    days = event.payload.get("days", "")
    return [
        Notice(
            f"延期申请待审批：{appeal.tracking_number}",
            f"{_unit_name(event)}申请延期{days}个工作日：{event.reason}",
            _dispatchers(),
        )
    ]


def _extension_decided(appeal: Appeal, event: AppealEvent) -> list[Notice]:
    if event.action == Action.APPROVE_EXTENSION:
        due = _when(event.payload.get("resolve_due"))
        title = f"延期已同意：{appeal.tracking_number}"
        body = f"办结时限延至 {due}" if due else "延期已同意"
    else:
        title = f"延期被驳回：{appeal.tracking_number}"
        body = f"驳回理由：{event.reason}（请按原时限办结）"
    return [Notice(title, body, unit_handlers([appeal.lead_unit_id]))]


STAFF_NOTICES: Final[Mapping[str, Callable[[Appeal, AppealEvent], list[Notice]]]] = {
    Action.DISPATCH: _dispatched,
    Action.REOPEN: _reopened,
    Action.SEND_BACK: _sent_back,
    Action.RETURN: _returned,
    Action.REQUEST_EXTENSION: _extension_requested,
    Action.APPROVE_EXTENSION: _extension_decided,
    Action.REFUSE_EXTENSION: _extension_decided,
}


def staff_notices_send(appeal: Appeal, event: AppealEvent) -> int:
    """The notifications this event sends staff (`STAFF_NOTICES`), in its transaction; the
    number of people told. The actor is not told of their own action."""
    build = STAFF_NOTICES.get(event.action)
    if build is None:
        return 0
    link = reverse("cases:appeal_detail", args=[appeal.pk])
    told = 0
    for notice in build(appeal, event):
        recipients = [u for u in notice.recipients if u.pk != event.actor_id]
        told += len(
            notifications_send(
                recipients=recipients,
                title=notice.title,
                body=notice.body or notice.title,
                link=link,
                kind=f"{KIND}_{event.action}",
            )
        )
    return told
