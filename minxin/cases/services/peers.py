"""The city link (docs/citylink.md), the appeals' side of it:

- `appeal_send_down`: this platform (the city) sends an appeal down to a peer (a district) as
  an Open311 work order: one `send_down` event, and its outbox message in the same transaction;
- `appeal_downstream_record`: what the peer reports back (its steps, its released reply),
  recorded once per `update_id` as a `downstream_update` / `downstream_reply` event;
- `peer_message_deliver`: the worker's delivery of one outbox message, in the appeal's order,
  retried with exponential backoff while the peer is down (`citylink.services`)."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.citylink.client import PeerPermanentError, PeerTransientError, peer_post
from minxin.citylink.models import MessageKind, OutboxMessage, OutboxStatus, Peer
from minxin.citylink.services import (
    outbox_claim,
    outbox_earlier_pending,
    outbox_failed,
    outbox_sent,
    outbox_wait,
    received_update_find,
    received_update_record,
)
from minxin.core.errors import NotFound, ValidationFailed
from minxin.core.posted import int_or_none
from minxin.deadlines.services import deadlines_for
from minxin.machine.engine import Change

from ..machine import APPEALS
from ..models import Appeal, AppealEvent, Reply
from ..workflow import Action, AppealStatus

# Open311's two statuses (docs/open311.md): answered or out of the loop is closed.
CLOSED_STATUSES = frozenset(
    {
        AppealStatus.RESOLVED,
        AppealStatus.RATED,
        AppealStatus.ARCHIVED,
        AppealStatus.INVALID,
        AppealStatus.MERGED,
    }
)
_SERVICE_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_AFTER_EARLIER = timedelta(seconds=1)


# --- the city sends down -----------------------------------------------------------------


@transaction.atomic(durable=True)
def appeal_send_down(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    peer: str | int,
    service_code: str,
    due: datetime | None = None,
    reason: str = "",
) -> Appeal:
    """Send a screened appeal down to a peer platform as a work order (its service code there,
    the deadline: `due` or this side's policy for the category and urgency). The POST itself is
    the worker's (the outbox), so a peer that is down loses nothing."""
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.SEND_DOWN, actor=actor, expected_version=expected_version
    )
    if appeal.downstream_peer_id is not None:
        raise ValidationFailed("该诉求已下派下级平台")
    peers = Peer.objects.filter(is_active=True)
    named = str(peer).strip()
    pk = int_or_none(named)
    target = (peers.filter(pk=pk) if pk is not None else peers.filter(code=named)).first()
    if target is None:
        raise ValidationFailed("请选择启用的下级平台")
    code = (service_code or "").strip()
    if not _SERVICE_CODE.fullmatch(code):
        raise ValidationFailed("请填写下级平台的服务代码（service_code）")
    now = timezone.now()
    if due is None:
        due = deadlines_for(category=appeal.category, urgency=appeal.urgency, start=now).resolve_due
    change = Change(
        {"downstream_peer_id": target.pk, "downstream_id": ""},
        {"peer": target.code, "service_code": code, "due": due.isoformat()},
    )
    return APPEALS.apply(
        appeal, action=Action.SEND_DOWN, actor=actor, reason=reason, change=change, at=now
    ).subject


# --- the city hears back -----------------------------------------------------------------


@dataclass(frozen=True)
class DownstreamRecorded:
    event_id: int
    replayed: bool  # True: this update_id was recorded before; nothing new


@dataclass(frozen=True)
class DownstreamUpdate:
    service_request_id: str  # this side's tracking number (the peer's upstream id)
    update_id: str  # the peer's message id, recorded once
    description: str
    status: str = ""  # open / closed, as the peer says
    external_status_code: str = ""  # the peer's step (its action)
    updated_datetime: str = ""
    reply: bool = False


@transaction.atomic(durable=True)
def appeal_downstream_record(*, peer: Peer, update: DownstreamUpdate) -> DownstreamRecorded:
    """An update the peer sent about an appeal sent down to it, recorded once: a resend of the
    same `update_id` finds the first record (two concurrent ones: the unique pair refuses the
    second, whose caller then finds the first). An appeal not sent to this peer is not found."""
    appeal = Appeal.objects.filter(
        tracking_number=update.service_request_id, downstream_peer=peer
    ).first()
    if appeal is None:
        raise NotFound("没有下派给贵平台的该工单")
    first = received_update_find(peer=peer, update_id=update.update_id)
    if first is not None:
        return DownstreamRecorded(event_id=first.event_id, replayed=True)
    action = Action.DOWNSTREAM_REPLY if update.reply else Action.DOWNSTREAM_UPDATE
    locked = APPEALS.lock(pk=appeal.pk, action=action, actor=Actor.system(), expected_version=None)
    payload: dict[str, Any] = {
        "peer": peer.code,
        "update_id": update.update_id,
        "status": update.status,
        "external_status_code": update.external_status_code,
        "updated_datetime": update.updated_datetime,
    }
    applied = APPEALS.apply(
        locked,
        action=action,
        actor=Actor.system(),
        reason=update.description,
        change=Change(payload=payload),
    )
    received_update_record(
        peer=peer, update_id=update.update_id, appeal_id=appeal.pk, event_id=applied.event.pk
    )
    return DownstreamRecorded(event_id=applied.event.pk, replayed=False)


# --- the worker delivers -----------------------------------------------------------------


def _request_fields(appeal: Appeal, event: AppealEvent) -> dict[str, str]:
    """The work order as an Open311 POST requests: the peer's service code, the place, the
    content and the appellant (a peer platform is a government office that must contact
    them), and this side's tracking number and deadline as `attribute[upstream_id]` and
    `attribute[upstream_due]`."""
    fields = {
        "service_code": str(event.payload.get("service_code", "")),
        "description": appeal.content,
        "address_string": appeal.place_text or appeal.title,
        "attribute[kind]": appeal.kind,
        "attribute[upstream_id]": appeal.tracking_number,
        "attribute[upstream_due]": str(event.payload.get("due", "")),
    }
    if appeal.latitude is not None and appeal.longitude is not None:
        fields["lat"], fields["long"] = str(appeal.latitude), str(appeal.longitude)
    if appeal.appellant_phone:
        fields["phone"] = appeal.appellant_phone
    if appeal.appellant_name:
        fields["last_name"] = appeal.appellant_name
    return fields


def _update_fields(message: OutboxMessage, appeal: Appeal, event: AppealEvent) -> dict[str, str]:
    """The step as an Open311 update (mySociety's extension): the peer's id for the appeal,
    the message id (`update_id`, which the peer deduplicates), the time, open/closed after the
    step, the step's code and text — for the reply, the reply released to the citizen."""
    label = APPEALS.label(event.action)
    if message.kind == MessageKind.REPLY:
        reply_id = event.payload.get("reply_id")
        replies = Reply.objects.filter(appeal_id=appeal.pk)
        reply = (replies.filter(pk=reply_id) if reply_id else replies).order_by("-id").first()
        description = reply.content if reply is not None else label
    else:
        description = f"{label}：{event.reason}" if event.reason else label
    return {
        "service_request_id": appeal.upstream_id,
        "update_id": str(message.message_id),
        "updated_datetime": event.created_at.isoformat(),
        "status": "closed" if event.to_status in CLOSED_STATUSES else "open",
        "external_status_code": "reply" if message.kind == MessageKind.REPLY else event.action,
        "description": description,
    }


def _peer_send(message: OutboxMessage) -> str:
    """One try: the document built from the appeal and its (immutable) event, posted; the
    peer's id for what it received."""
    appeal = Appeal.objects.get(pk=message.appeal_id)
    event = AppealEvent.objects.get(pk=message.event_id)
    if message.kind == MessageKind.REQUEST:
        answer = peer_post(
            message.peer,
            "requests",
            _request_fields(appeal, event),
            idempotency_key=str(message.message_id),
        )
        remote = str(answer[0].get("service_request_id", "")) if answer else ""
        if not remote:
            raise PeerTransientError("对方未返回 service_request_id")
        Appeal.objects.filter(pk=appeal.pk).update(downstream_id=remote[:64])
        return remote
    answer = peer_post(
        message.peer, "servicerequestupdates", _update_fields(message, appeal, event)
    )
    return str(answer[0].get("update_id", "")) if answer else ""


def _schedule(message: OutboxMessage) -> None:
    """The next try of a pending message, deferred to its time (a backend that cannot defer
    leaves it to the sweep, `tasks.sweep_peer_outbox_task`)."""
    from django_tasks import task_backends

    from ..tasks import send_peer_message_task

    if task_backends[send_peer_message_task.backend].supports_defer:
        send_peer_message_task.using(run_after=message.next_attempt_at).enqueue(message.pk)


def peer_message_deliver(*, message_id: int) -> str:
    """Deliver one outbox message (the worker's task): claimed, so one worker tries it at a
    time; after any earlier undelivered message about the same appeal; then sent, retried
    later (transient failure, exponential backoff) or left failed for staff (refused). Each
    try is counted on the row with its error. Returns what happened."""
    message = outbox_claim(message_id=message_id)
    if message is None:
        return "skipped"
    earlier = outbox_earlier_pending(message)
    if earlier is not None:
        until = max(earlier.next_attempt_at, timezone.now()) + _AFTER_EARLIER
        _schedule(outbox_wait(message, until=until))
        return "waiting"
    try:
        remote = _peer_send(message)
    except PeerPermanentError as error:
        outbox_failed(message, error=str(error), permanent=True)
        return "failed"
    except PeerTransientError as error:
        _schedule(outbox_failed(message, error=str(error), permanent=False))
        return "retry"
    outbox_sent(message, remote_id=remote)
    following = (
        OutboxMessage.objects.filter(
            peer_id=message.peer_id,
            appeal_id=message.appeal_id,
            id__gt=message.pk,
            status=OutboxStatus.PENDING,
        )
        .order_by("id")
        .first()
    )
    if following is not None:  # the next step of the appeal, now that this one is through
        _schedule(outbox_wait(following, until=timezone.now()))
    return "sent"
