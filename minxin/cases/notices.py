"""What the citizen is told by SMS (and a peer platform by the city link), and when:
`CITIZEN_SMS` maps the appeal event that sends a message to its template — the one place to
change it. The reply's SMS goes when the citizen can read it: at its release (`approve_reply`,
by a reviewer or by the policy's automatic pass), not at the unit's submission, which waits for
the centre's review (办结审核). The message is recorded in the event's transaction
(`notify.services.sms_message_record`, an outbox) and sent by the worker once it commits: one
run of the outbox queued unless one waits to start (`appeal_sms_queue`,
`tasks.appeal_sms_waiting_task`), the number and the text read from the appeal then.

`peer_message_record` does the same for the city link (docs/citylink.md): an appeal sent down
by a peer platform tells it every public step and its released reply
(`PEER_REPLIES`); an appeal sent down to a peer (`send_down`) is the work order itself. The
message is an outbox row in the event's transaction, sent once it commits by
`tasks.send_peer_message_task`, the document built then from the event."""

from collections.abc import Mapping
from typing import Final

from django.conf import settings

from minxin.citylink.models import MessageKind, OutboxMessage
from minxin.citylink.services import outbox_message_record
from minxin.core.tasks import enqueue_on_commit, enqueue_unless_waiting
from minxin.notify.models import SmsMessage
from minxin.notify.services import sms_message_record
from minxin.notify.texts import SmsTemplateKey

from .models import Appeal, AppealEvent
from .workflow import TRANSITIONS, Action

SUBJECT: Final = "appeal"

CITIZEN_SMS: Final[Mapping[str, str]] = {
    Action.RECEIVE: SmsTemplateKey.APPEAL_RECEIVED,  # tracking number and query code
    Action.APPROVE_REPLY: SmsTemplateKey.APPEAL_REPLIED,  # the reply released
    Action.REOPEN: SmsTemplateKey.APPEAL_REOPENED,
    Action.CLOSE: SmsTemplateKey.APPEAL_CLOSED,  # closed after the follow-up
    Action.ARCHIVE: SmsTemplateKey.APPEAL_CLOSED,  # archived, rated or left unrated
}


def citizen_sms_record(appeal: Appeal, event: AppealEvent) -> SmsMessage | None:
    """The SMS this event sends the appellant, recorded now and queued once it commits; none
    for other events or an appeal without a mobile number. (Bulk intake — an import — writes
    its events without this hook and sends nothing: those appeals were received elsewhere.)"""
    template_key = CITIZEN_SMS.get(event.action)
    if template_key is None or not appeal.appellant_phone:
        return None
    message = sms_message_record(
        phone=appeal.appellant_phone,
        template_key=template_key,
        subject_type=SUBJECT,
        subject_id=appeal.pk,
    )
    if message is not None:
        appeal_sms_queue()
    return message


def appeal_sms_queue() -> None:
    """Have the appellants' SMS waiting in the outbox sent: a run queued unless one waits to
    start, which will take them (`core.tasks.enqueue_unless_waiting`): a thousand appeals
    received are one run of the worker, not a thousand rows in its queue."""
    from .tasks import appeal_sms_waiting_task

    enqueue_unless_waiting(appeal_sms_waiting_task)


def sms_params(appeal: Appeal) -> dict[str, str]:
    """The placeholders' values for the appeal's messages (`notify.texts.PLACEHOLDERS`)."""
    return {
        "tracking_number": appeal.tracking_number,
        "query_code": appeal.query_code,
        "unit": appeal.lead_unit.name if appeal.lead_unit else "承办单位",
        "district": str(settings.MINXIN["DISTRICT_NAME"]),
    }


# The released reply goes up as the peer's reply; every other step the citizen sees, as an
# update. The steps a peer itself reported, and receiving (the peer made it), are not echoed.
PEER_REPLIES: Final = frozenset({Action.APPROVE_REPLY, Action.ANSWER_DIRECTLY})
PEER_NOT_ECHOED: Final = frozenset(
    {Action.RECEIVE, Action.SEND_DOWN, Action.DOWNSTREAM_UPDATE, Action.DOWNSTREAM_REPLY}
)


def peer_message_kind(appeal: Appeal, event: AppealEvent) -> tuple[int, MessageKind] | None:
    """Which peer this event is for, and as what; None for most events."""
    action = event.action
    if action == Action.SEND_DOWN and appeal.downstream_peer_id is not None:
        return appeal.downstream_peer_id, MessageKind.REQUEST
    if appeal.upstream_peer_id is None or action in PEER_NOT_ECHOED:
        return None
    if action in PEER_REPLIES:
        return appeal.upstream_peer_id, MessageKind.REPLY
    transition = TRANSITIONS.get(action)  # type: ignore[call-overload]
    if transition is not None and transition.public:
        return appeal.upstream_peer_id, MessageKind.UPDATE
    return None


def peer_message_record(appeal: Appeal, event: AppealEvent) -> OutboxMessage | None:
    """The outbox row telling a peer platform about this event, recorded now and queued once it
    commits; none for an event no peer hears of."""
    target = peer_message_kind(appeal, event)
    if target is None:
        return None
    peer_id, kind = target
    message = outbox_message_record(
        peer_id=peer_id, kind=kind, appeal_id=appeal.pk, event_id=event.pk
    )
    message_id = message.pk

    def enqueue() -> None:
        from .tasks import send_peer_message_task

        send_peer_message_task.enqueue(message_id)

    enqueue_on_commit(enqueue)
    return message
