"""Background work of the loop, on django-tasks (run by `minxin db_worker`)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from minxin.core.tasks import book_next_run, runs_waiting, sweep_after, sweep_every
from minxin.notify.models import SmsMessage
from minxin.notify.selectors import sms_messages_due
from minxin.notify.services import sms_message_deliver

from . import notices
from .models import Appeal
from .services import appeals_unrated_archive, peer_message_deliver

# How often the periodic jobs come round; each run schedules the next one.
ARCHIVE_EVERY = timedelta(hours=1)
SWEEP_EVERY = timedelta(minutes=1)
SWEEP_BATCH = 500


@task()
def archive_unrated_appeals_task(reschedule: bool = True) -> int:
    """Archive unrated appeals past the rating period, then book the next run."""
    done = 0
    while True:
        batch = appeals_unrated_archive()
        done += batch
        if batch == 0:
            break
    if reschedule:
        book_next_run(archive_unrated_appeals_task, ARCHIVE_EVERY)
    return done


@task()
def send_appeal_sms_task(message_id: int) -> str:
    """Send one recorded SMS to an appellant: the number and the placeholders are read here
    from the appeal, never carried by the queue; retries are `sms_message_deliver`'s."""
    message = SmsMessage.objects.filter(pk=message_id, subject_type=notices.SUBJECT).first()
    if message is None:
        return "missing"
    appeal = Appeal.objects.select_related("lead_unit").filter(pk=message.subject_id).first()
    if appeal is None:
        return "missing"
    done = sms_message_deliver(
        message_id=message.pk, phone=appeal.appellant_phone, params=notices.sms_params(appeal)
    )
    return done.status


@task()
def sweep_appeal_sms_task(reschedule: bool = True) -> int:
    """The appellants' SMS safety net: a message still to send, later than
    MINXIN_TASK_SWEEP_AFTER_SECONDS, whose sending is not waiting in the queue (its enqueue
    lost between the commit and a crash, or its run with a killed worker) is queued again. The
    next sweep is booked first. A message sent meanwhile is left as it is. The number queued."""
    if reschedule:  # first: a crash in this run does not end the sweeps
        book_next_run(sweep_appeal_sms_task, sweep_every())
    since = timezone.now() - sweep_after()
    waiting = runs_waiting(send_appeal_sms_task, started_since=since)
    queued = 0
    for message_id in sms_messages_due(
        subject_type=notices.SUBJECT, recorded_before=since, limit=SWEEP_BATCH
    ):
        if waiting is None or (message_id,) not in waiting:
            send_appeal_sms_task.enqueue(message_id)
            queued += 1
    return queued


@task()
def send_peer_message_task(message_id: int) -> str:
    """Deliver one message of the city link's outbox to its peer (docs/citylink.md); a failed
    try books the next one itself, with exponential backoff."""
    return peer_message_deliver(message_id=message_id)


@task()
def sweep_peer_outbox_task(reschedule: bool = True) -> int:
    """The outbox's safety net: every pending message whose time has come is queued again (an
    enqueue lost with a crashed process, a message staff sent again from the admin), then the
    next sweep is booked. A message queued twice is tried once at a time (its lease)."""
    from minxin.citylink.services import outbox_due

    due = outbox_due()
    for message_id in due:
        send_peer_message_task.enqueue(message_id)
    if reschedule:
        book_next_run(sweep_peer_outbox_task, SWEEP_EVERY)
    return len(due)
