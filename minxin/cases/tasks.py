"""Background work of the loop, on django-tasks (run by `minxin db_worker`)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task, task_backends

from .services import archive_unrated_appeals

# How often the periodic jobs come round; each run schedules the next one.
ARCHIVE_EVERY = timedelta(hours=1)


@task()
def archive_unrated_appeals_task(reschedule: bool = True) -> int:
    """Archive unrated appeals past the rating period, then book the next run.

    django-tasks has no scheduler: a periodic job is a task that enqueues its own next run
    (`run_after`), started once by `minxin schedule_tasks`.
    """
    done = 0
    while True:
        batch = archive_unrated_appeals()
        done += batch
        if batch == 0:
            break
    # A backend that cannot defer (the immediate one of the tests) runs it once.
    if reschedule and task_backends[archive_unrated_appeals_task.backend].supports_defer:
        archive_unrated_appeals_task.using(run_after=timezone.now() + ARCHIVE_EVERY).enqueue()
    return done
