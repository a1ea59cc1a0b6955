"""Background work of triage, on django-tasks (run by `minxin db_worker`)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from minxin.core.tasks import book_next_run, runs_waiting, sweep_after, sweep_every

from .selectors import appeals_untriaged
from .services import appeals_triage_waiting

SWEEP_BATCH = 500


@task()
def triage_appeal_task(appeal_id: int) -> int | None:
    """Suggest (and, where a 快速交办 rule allows, screen and dispatch) a new appeal, with the
    others waiting for their suggestion (`appeals_triage_waiting`): under load one run takes a
    batch and the runs queued for its other appeals find them done. Its suggestion's id."""
    return appeals_triage_waiting(appeal_id=appeal_id)


# A scheduled training runs this often, and trains only when there is something new to learn.
TRAIN_EVERY = timedelta(days=7)


@task()
def train_model_version_task(reschedule: bool = True) -> int | None:
    """Weekly (booked first by `minxin schedule_tasks`): when dispatchers have corrected a
    category since the last version was trained, or there is no version yet, train a candidate
    and promote it if it is at least as good as the model in use on the evaluation set
    (`triage.versions`); then book the next run. The new version's id, None when nothing new."""
    from .versions import model_version_due, model_version_train

    try:
        version = model_version_train(actor=None) if model_version_due() else None
    finally:
        if reschedule:
            book_next_run(train_model_version_task, TRAIN_EVERY)
    return version.pk if version is not None else None


@task()
def sweep_untriaged_appeals_task(reschedule: bool = True) -> int:
    """Triage's safety net: an appeal still waiting for screening without a suggestion, later
    than MINXIN_TASK_SWEEP_AFTER_SECONDS, whose triage is not waiting in the queue (its enqueue
    lost between the commit and a crash, or its run with a killed worker) is queued again. The
    next sweep is booked first. The number queued."""
    if reschedule:  # first: a crash in this run does not end the sweeps
        book_next_run(sweep_untriaged_appeals_task, sweep_every())
    since = timezone.now() - sweep_after()
    waiting = runs_waiting(triage_appeal_task, started_since=since)
    queued = 0
    for appeal_id in appeals_untriaged(received_before=since, limit=SWEEP_BATCH):
        if waiting is None or (appeal_id,) not in waiting:
            triage_appeal_task.enqueue(appeal_id)
            queued += 1
    return queued
