"""Periodic supervision jobs, on django-tasks (run by `minxin db_worker`)."""

from datetime import timedelta

from django_tasks import task

from minxin.core.tasks import book_next_run

from .services import supervision_orders_escalate
from .warnings import deadline_warnings_raise

WARN_EVERY = timedelta(minutes=10)


@task()
def raise_deadline_warnings_task(reschedule: bool = True) -> int:
    """Raise due deadline warnings, then book the next run (booked first by
    `minxin schedule_tasks`; a backend that cannot defer runs it once)."""
    raised = deadline_warnings_raise()
    if reschedule:
        book_next_run(raise_deadline_warnings_task, WARN_EVERY)
    return raised


ESCALATE_EVERY = timedelta(minutes=30)


@task()
def escalate_supervision_orders_task(reschedule: bool = True) -> int:
    """Escalate overdue unanswered supervision orders, then book the next run."""
    done = supervision_orders_escalate()
    if reschedule:
        book_next_run(escalate_supervision_orders_task, ESCALATE_EVERY)
    return done
