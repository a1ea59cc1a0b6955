"""Periodic project jobs, on django-tasks (run by `minxin db_worker`)."""

from datetime import timedelta

from django_tasks import task

from minxin.core.tasks import book_next_run

from .services import project_warnings_raise

# Progress is reported in days, not minutes: a few checks a day find a project that fell
# behind or a milestone that passed its date the same day.
WARN_EVERY = timedelta(hours=6)


@task()
def raise_project_warnings_task(reschedule: bool = True) -> int:
    """Warn the projects behind plan and the milestones missed, then book the next run."""
    raised = project_warnings_raise()
    if reschedule:
        book_next_run(raise_project_warnings_task, WARN_EVERY)
    return raised
