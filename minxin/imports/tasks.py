"""Background work of bulk imports, on django-tasks (run by `minxin db_worker`)."""

import logging
from datetime import timedelta

from django_tasks import task

from minxin.core.tasks import book_next_run
from minxin.triage.services import appeal_triage

logger = logging.getLogger(__name__)


@task()
def check_import_job_task(job_id: int) -> int:
    """The dry run of one import; the number of rows it would reject."""
    from .services import import_job_check

    return import_job_check(job_id).rejected


@task()
def run_import_job_task(job_id: int) -> int:
    """The import itself; the number of appeals it created."""
    from .services import import_job_run

    return import_job_run(job_id).created


@task()
def triage_imported_appeals_task(appeal_ids: list[int]) -> int:
    """Triage suggestions (and 快速交办) for one imported batch, as intake does for one appeal.
    An appeal that fails is logged and the others still get theirs."""
    done = 0
    for appeal_id in appeal_ids:
        try:
            appeal_triage(appeal_id=appeal_id)
        except Exception as error:
            logger.warning(
                "triage of imported appeal %s failed (%s)", appeal_id, type(error).__name__
            )
            continue
        done += 1
    return done


SWEEP_EVERY = timedelta(minutes=10)


@task()
def fail_stalled_imports_task(reschedule: bool = True) -> int:
    """Mark failed the imports whose worker died, so they can be resumed; then book the next
    run (booked first by `minxin schedule_tasks`)."""
    from .services import import_jobs_fail_stalled

    failed = import_jobs_fail_stalled()
    if reschedule:
        book_next_run(fail_stalled_imports_task, SWEEP_EVERY)
    return failed
