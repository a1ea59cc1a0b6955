"""Background work of the loop, on django-tasks (run by `minxin db_worker`)."""

from datetime import timedelta

from django_tasks import task

from minxin.core.tasks import book_next_run

from .services import appeals_unrated_archive

# How often the periodic jobs come round; each run schedules the next one.
ARCHIVE_EVERY = timedelta(hours=1)


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
