"""The figures' background work, on django-tasks (run by `minxin db_worker`): keeping the
pre-aggregated figures and the dashboard's live ones current, building and expiring exports."""

from datetime import timedelta

from django_tasks import task

from minxin.core.tasks import book_next_run

from .facts import metric_facts_apply
from .selectors import dashboard_live_refresh


@task()
def export_build_task(export_id: int) -> int:
    """Build one ledger or bulletin file and notify the requester; the number of rows."""
    from .exports import export_build

    return export_build(export_id).row_count


APPLY_EVERY = timedelta(minutes=1)


@task()
def apply_metric_changes_task(reschedule: bool = True) -> int:
    """Bring the pre-aggregated figures up to date with the appeals changed since the last run
    (readers do it too; this keeps what they find to do small) and refresh the dashboard's
    open-appeal figures, then book the next run (booked first by `minxin schedule_tasks`; a
    backend that cannot defer runs it once)."""
    applied = metric_facts_apply()
    dashboard_live_refresh()
    if reschedule:
        book_next_run(apply_metric_changes_task, APPLY_EVERY)
    return applied


EXPIRE_EVERY = timedelta(hours=6)


@task()
def expire_exports_task(reschedule: bool = True) -> int:
    """Delete export files past their keeping time, then book the next run."""
    from .exports import exports_expire

    expired = exports_expire()
    if reschedule:
        book_next_run(expire_exports_task, EXPIRE_EVERY)
    return expired
