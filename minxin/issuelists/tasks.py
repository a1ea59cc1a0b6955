"""The issue lists' periodic job, on django-tasks (run by `minxin db_worker`)."""

from datetime import timedelta

from django_tasks import task

from minxin.core.tasks import book_next_run

from .services import issue_items_warn

WARN_EVERY = timedelta(hours=6)


@task()
def warn_issue_items_task(reschedule: bool = True) -> int:
    """Warn of items near or past their deadline, then book the next run."""
    warned = issue_items_warn()
    if reschedule:
        book_next_run(warn_issue_items_task, WARN_EVERY)
    return warned
