"""What the benchmarks share: a page requested again and again (its median and p95 in
milliseconds), the queries one request makes, the demo clients of a programme's pages, an
import step's seconds and rows per second, and an import's working folder and sheet.

Imported by the scripts after they have put the repository on the path and set Django up."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")

PG = "postgres://postgres@127.0.0.1:5432/"


def prod_env(*, var: Path, database: str, name: str, **more: str) -> dict[str, str]:
    """The environment minxin runs in under a load benchmark: production settings on this
    machine's PostgreSQL (`database`), plain HTTP on 127.0.0.1, no rate limits, quiet logs; the
    caller's DJANGO_* and DATABASE_* variables dropped, `more` added."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))},
        "DATABASE_URL": PG + database,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": f"bench-{name}-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "MINXIN_BEHIND_PROXY": "0",
        "SECURE_SSL_REDIRECT": "0",
        "RATELIMIT_ENABLE": "0",
        "MINXIN_VAR_DIR": str(var),
        "MINXIN_REQUEST_LOG_LEVEL": "WARNING",
        "MINXIN_TASK_LOG_LEVEL": "WARNING",
        **more,
    }


def busy_ticks() -> int:
    """The machine's busy CPU time so far, in clock ticks (all of /proc/stat's first line but
    idle and iowait): the scripts subtract their own processes' to report the others' load."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    return sum(fields[:8]) - fields[3] - fields[4]


class Timings(NamedTuple):
    median: float
    p95: float
    response: Any  # the last one


def page_timings(
    client: Any,
    url: str,
    query: dict[str, Any] | None = None,
    *,
    runs: int,
    before: Callable[[], object] | None = None,
) -> Timings:
    """`runs` requests of `url` (each must answer 200), each after `before` when given."""
    times = []
    response = None
    for _ in range(runs):
        if before is not None:
            before()
        began = time.perf_counter()
        response = client.get(url, query)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return Timings(statistics.median(times), p95, response)


@contextmanager
def queries_counted() -> Iterator[list[str]]:
    """The SQL run inside the block, in a list. A wrapper, not CaptureQueriesContext: the
    request may reconnect, which clears a log."""
    from django.db import connection

    queries: list[str] = []

    def counted(run: Any, sql: str, *rest: Any) -> Any:
        queries.append(sql)
        return run(sql, *rest)

    with connection.execute_wrapper(counted):
        yield queries


def programme_clients(projects: Any) -> tuple[Any, Any, int]:
    """The demo supervisor's client, a client of a handler of the unit that leads most of
    `projects`, and how many it leads."""
    from django.db.models import Count
    from django.test import Client

    from minxin.accounts.models import User
    from minxin.accounts.roles import Role

    busiest = (
        projects.values("lead_unit").annotate(n=Count("pk")).order_by("-n", "lead_unit").first()
    )
    assert busiest is not None
    handler = User.objects.filter(role=Role.HANDLER, unit_id=busiest["lead_unit"]).first()
    assert handler is not None
    office = Client()
    office.force_login(User.objects.get(username="supervisor"))
    unit = Client()
    unit.force_login(handler)
    return office, unit, busiest["n"]


def timed(label: str, rows: int, fn: Callable[[], T]) -> tuple[T, float]:
    """`fn()` and its seconds, printed with the rows per second."""
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"  {label:<34} {seconds:8.1f} s  {rows / seconds:9,.0f} rows/s", flush=True)
    return result, seconds


def import_work(prefix: str) -> Path:
    """A new folder for the files (uploads land in its media/), the database migrated and the
    demo directory seeded if missing."""
    from django.conf import settings
    from django.core.management import call_command

    work = Path(tempfile.mkdtemp(prefix=prefix))
    settings.MEDIA_ROOT = work / "media"
    call_command("migrate", "--noinput", verbosity=0)
    return work


def xlsx_write(path: Path, title: str, header: list[str], rows: list[list[Any]]) -> Path:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def pages_setup(*, appeals: int) -> None:
    """Django set up for timing pages (DEBUG off, any host), the database migrated with its
    cache table, and the demo district seeded with `appeals` appeals if it has no units."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the pages' cache (DatabaseCache)
    from minxin.directory.models import Unit

    if not Unit.objects.exists():
        from minxin.demo.seed import seed_demo

        began = time.perf_counter()
        seed_demo(appeals=appeals, seed=1, channels=False)
        print(f"seeded the demo district, {appeals} appeals: {time.perf_counter() - began:.1f} s")


def import_dry_run(
    path: Path,
    *,
    actor: Any,
    rows: int,
    label: str,
    source_system: str,
    default_kind: str,
    **upload: Any,
) -> tuple[Any, float, float]:
    """`path` uploaded as `actor` (timed as `label`), mapped as the upload guessed, then the
    dry run: the job and the seconds of the upload and of the dry run."""
    from django.core.files.uploadedfile import UploadedFile

    from minxin.imports import services

    def uploaded() -> Any:
        with path.open("rb") as handle:
            file = UploadedFile(handle, name=path.name, size=path.stat().st_size)
            return services.import_job_upload(actor=actor, upload=file, **upload)

    job, s_upload = timed(label, rows, uploaded)
    services.import_job_map(
        actor=actor,
        job_id=job.pk,
        raw_mapping={k: str(v) for k, v in job.mapping.items()},
        source_system=source_system,
        default_kind=default_kind,
    )
    job, s_check = timed(
        "dry run (import_job_check)", rows, lambda: services.import_job_check(job.pk)
    )
    return job, s_upload, s_check
