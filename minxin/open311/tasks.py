"""Background work of the Open311 server, on django-tasks (run by `minxin db_worker`)."""

from datetime import timedelta

from django_tasks import task

from minxin.core.tasks import book_next_run

PRUNE_EVERY = timedelta(hours=6)


@task()
def prune_idempotency_keys_task(reschedule: bool = True) -> int:
    """Forget idempotency keys past their retention (at least a day), then book the next run.
    Each client's expired keys are also pruned whenever it claims a new one, so the table stays
    small even where this task is not in `MINXIN_PERIODIC_TASKS`."""
    from .services import idempotency_keys_prune

    pruned = idempotency_keys_prune()
    if reschedule:
        book_next_run(prune_idempotency_keys_task, PRUNE_EVERY)
    return pruned
