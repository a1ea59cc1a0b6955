"""Writes of the city link: the outbox (recorded in the caller's transaction, claimed and
settled by the worker, retried with exponential backoff) and the record of received updates.

Backoff: after the n-th failed try the next one is `BACKOFF_SECONDS * 2**(n-1)` later, at most
`BACKOFF_MAX_SECONDS` (settings `MINXIN_CITYLINK`). A transient failure is tried again for as
long as it takes: nothing is dropped while a peer is down. A permanent refusal marks the
message failed, for staff to look at in the admin and send again."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import MessageKind, OutboxMessage, OutboxStatus, Peer, ReceivedUpdate

LEASE = timedelta(seconds=60)


def _conf(name: str, default: float) -> float:
    return float(getattr(settings, "MINXIN_CITYLINK", {}).get(name, default))


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: base, twice that, four times… capped."""
    base = _conf("BACKOFF_SECONDS", 30)
    cap = _conf("BACKOFF_MAX_SECONDS", 3600)
    return timedelta(seconds=min(cap, base * 2 ** max(attempts - 1, 0)))


def outbox_message_record(
    *, peer_id: int, kind: MessageKind, appeal_id: int, event_id: int
) -> OutboxMessage:
    """The message telling `peer_id` about an appeal event, in the event's transaction (the
    outbox: it exists exactly when the event does). The caller enqueues the sending once it
    commits."""
    return OutboxMessage.objects.create(
        peer_id=peer_id, kind=kind, appeal_id=appeal_id, event_id=event_id
    )


def outbox_claim(*, message_id: int, now: datetime | None = None) -> OutboxMessage | None:
    """The pending message, leased to this worker for a minute, if it is due and nobody holds
    it; None otherwise (sent, failed, not yet due or being sent)."""
    now = now or timezone.now()
    claimed = (
        OutboxMessage.objects.filter(
            pk=message_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + LEASE)
    )
    if claimed != 1:
        return None
    return OutboxMessage.objects.select_related("peer").get(pk=message_id)


def outbox_earlier_pending(message: OutboxMessage) -> OutboxMessage | None:
    """An earlier message to the same peer about the same appeal not yet delivered: the peer
    hears an appeal's steps in their order, so this one waits for it."""
    return (
        OutboxMessage.objects.filter(
            peer_id=message.peer_id,
            appeal_id=message.appeal_id,
            id__lt=message.pk,
            status__in=(OutboxStatus.PENDING, OutboxStatus.FAILED),
        )
        .order_by("id")
        .first()
    )


def outbox_wait(message: OutboxMessage, *, until: datetime) -> OutboxMessage:
    """Put a message back without a try (an earlier one goes first)."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=until, claimed_until=None, updated_at=timezone.now()
    )
    message.refresh_from_db()
    return message


def outbox_sent(message: OutboxMessage, *, remote_id: str = "") -> OutboxMessage:
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENT,
        attempts=message.attempts + 1,
        last_error="",
        remote_id=remote_id[:64],
        sent_at=now,
        claimed_until=None,
        updated_at=now,
    )
    message.refresh_from_db()
    return message


def outbox_failed(message: OutboxMessage, *, error: str, permanent: bool) -> OutboxMessage:
    """A failed try counted with its error: due again after the backoff, or (refused for good)
    failed, waiting for staff."""
    now = timezone.now()
    attempts = message.attempts + 1
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.FAILED if permanent else OutboxStatus.PENDING,
        attempts=attempts,
        last_error=error[:300],
        next_attempt_at=now + backoff(attempts),
        claimed_until=None,
        updated_at=now,
    )
    message.refresh_from_db()
    return message


def outbox_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending messages whose time has come (the sweep's safety net for a lost enqueue)."""
    now = now or timezone.now()
    return list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


@transaction.atomic
def outbox_retry_now(*, message_ids: list[int]) -> int:
    """Staff send messages again now (the admin's action): failed ones become pending."""
    return OutboxMessage.objects.filter(
        pk__in=message_ids, status__in=(OutboxStatus.PENDING, OutboxStatus.FAILED)
    ).update(
        status=OutboxStatus.PENDING,
        next_attempt_at=timezone.now(),
        claimed_until=None,
        updated_at=timezone.now(),
    )


def received_update_find(*, peer: Peer, update_id: str) -> ReceivedUpdate | None:
    return ReceivedUpdate.objects.filter(peer=peer, update_id=update_id).first()


def received_update_record(
    *, peer: Peer, update_id: str, appeal_id: int, event_id: int
) -> ReceivedUpdate:
    """In the event's transaction: a concurrent resend of the same update fails here on the
    unique pair, and its whole transaction (its event) with it."""
    return ReceivedUpdate.objects.create(
        peer=peer, update_id=update_id, appeal_id=appeal_id, event_id=event_id
    )
