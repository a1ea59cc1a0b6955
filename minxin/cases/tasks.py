"""Background work of the loop, on django-tasks (run by `minxin db_worker`)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from minxin.core.tasks import backlog_run, book_next_run, runs_waiting, sweep_after, sweep_every
from minxin.notify.selectors import sms_messages_due
from minxin.notify.services import sms_outbox_deliver

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
def appeal_sms_waiting_task() -> int:
    """Send the appellants' SMS waiting in the outbox, oldest first, until none is left
    (`notify.services.sms_outbox_deliver`), the number and the placeholders read from the
    appeal now: every event that tells the citizen queues one run unless one waits to start
    (`notices.appeal_sms_queue`). Stopped by its time with more left, it queues the next. The
    number of messages dealt with."""
    run = sms_outbox_deliver(subject_type=notices.SUBJECT, recipient=_appellant)
    if run.more:
        notices.appeal_sms_queue()
    return run.delivered


def _appellant(appeal_id: int) -> tuple[str, dict[str, str]] | None:
    appeal = Appeal.objects.select_related("lead_unit").filter(pk=appeal_id).first()
    return None if appeal is None else (appeal.appellant_phone, notices.sms_params(appeal))


@task()
def sweep_appeal_sms_task(reschedule: bool = True) -> int:
    """The appellants' SMS safety net: when a message is still to send later than
    MINXIN_TASK_SWEEP_AFTER_SECONDS and no run of the outbox waits or runs (its enqueue lost
    between the commit and a crash, or its run with a killed worker), a run is queued. The next
    sweep is booked first. The number of late messages the run queued will find."""
    if reschedule:  # first: a crash in this run does not end the sweeps
        book_next_run(sweep_appeal_sms_task, sweep_every())
    since = timezone.now() - sweep_after()
    late = sms_messages_due(subject_type=notices.SUBJECT, recorded_before=since, limit=SWEEP_BATCH)
    if not late or runs_waiting(appeal_sms_waiting_task, started_since=since):
        return 0
    backlog_run(appeal_sms_waiting_task).enqueue()
    return len(late)


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
