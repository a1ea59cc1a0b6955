"""Background work of triage, on django-tasks (run by `minxin db_worker`)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from minxin.core.tasks import (
    backlog_run,
    book_next_run,
    enqueue_unless_waiting,
    runs_waiting,
    sweep_after,
    sweep_every,
)

from .selectors import appeals_untriaged
from .services import appeals_triage_waiting

SWEEP_BATCH = 500


@task()
def triage_waiting_task() -> int:
    """Suggest (and, where a 快速交办 rule allows, screen and dispatch) the appeals waiting for
    their suggestion, batch after batch until none is left (`appeals_triage_waiting`): one run
    drains what waits, so intake queues one only when none is waiting to start
    (`triage_waiting_queue`). Stopped by its time with more left, it queues the next. The
    number of appeals triaged."""
    run = appeals_triage_waiting()
    if run.more:
        triage_waiting_queue()
    if run.failed is not None:
        raise run.failed
    return run.triaged


def triage_waiting_queue() -> None:
    """Have the appeals waiting for their suggestion triaged: a run queued unless one waits to
    start, which will take them (`core.tasks.enqueue_unless_waiting`; inside intake's
    transaction on the database queue, queued with the appeal)."""
    enqueue_unless_waiting(triage_waiting_task)


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
    """Triage's safety net: appeals still waiting for screening without a suggestion, later
    than MINXIN_TASK_SWEEP_AFTER_SECONDS, while no triage run is waiting in the queue or
    started since (their run lost between the commit and a crash, or with a killed worker),
    get a run queued. The next sweep is booked first. The number of late appeals the run was
    queued for (at most SWEEP_BATCH counted)."""
    if reschedule:  # first: a crash in this run does not end the sweeps
        book_next_run(sweep_untriaged_appeals_task, sweep_every())
    since = timezone.now() - sweep_after()
    late = appeals_untriaged(received_before=since, limit=SWEEP_BATCH)
    if not late or runs_waiting(triage_waiting_task, started_since=since):
        return 0
    backlog_run(triage_waiting_task).enqueue()
    return len(late)
