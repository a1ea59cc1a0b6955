"""Seed a believable district for the demo and for benchmarks: `minxin seed_demo`.

The directory, staff, routing rules and time limits are created idempotently (what exists is
kept; world.py). Appeals are added on every run, N at a time, streamed in chunks: each appeal is
given a status that suits its age and the event history of a path through TRANSITIONS that ends
there, with every field the services would have written along the way (see lifecycle.py).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.db import connection, models, transaction
from django.utils import timezone

from minxin.cases.models import Appeal, AppealEvent, Assignment, Extension, Reply, Revisit
from minxin.deadlines.services import policy_cache_clear
from minxin.directory.models import Unit
from minxin.feedback.models import Rating
from minxin.metrics.facts import metrics_rebuild
from minxin.triage.duplicates import signatures_backfill

from .boundaries import boundaries_seed, community_shapes
from .channels import channels_seed
from .consultation import consultation_seed
from .cti import cti_seed
from .deliberation import deliberation_seed
from .exemptions import exemptions_seed
from .issuelists import issue_lists_seed
from .knowledge import knowledge_seed
from .lifecycle import Lifecycle, World
from .neighbour import neighbour_seed
from .panels import panels_seed
from .proactive import proactive_seed
from .projects import projects_seed
from .selection import selection_seed
from .steps import AppealPlan
from .subdispatch import subdispatch_seed
from .supplements import supplements_seed
from .taskforces import task_forces_seed
from .transfers import transfers_seed
from .world import limits_load, rules_load, world_build

CHUNK_SIZE = 5000

Progress = Callable[[str], None]


@dataclass
class SeedReport:
    skipped: bool = False
    reason: str = ""
    regions: int = 0
    units: int = 0
    categories: int = 0
    users: int = 0
    rules: int = 0
    policies: int = 0
    appeals: int = 0
    events: int = 0
    seconds: float = 0.0
    status_counts: dict[str, int] = field(default_factory=dict)
    posts: int = 0
    suggestions: int = 0
    visits: int = 0
    projects: int = 0
    proactive_tasks: int = 0
    selection_rounds: int = 0
    issue_items: int = 0
    task_forces: int = 0
    calls: int = 0
    neighbour_appeals: int = 0


def seed_demo(
    *,
    appeals: int = 500,
    seed: int = 1,
    if_empty: bool = False,
    chunk_size: int = CHUNK_SIZE,
    now: datetime | None = None,
    progress: Progress | None = None,
    channels: bool = True,
) -> SeedReport:
    """Build the district (idempotent) and add `appeals` appeals received in the last 90 days."""
    started = time.perf_counter()
    report = SeedReport()
    if if_empty:
        if Unit.objects.exists():
            return SeedReport(skipped=True, reason="the directory already has units")
        if Appeal.objects.exists():
            return SeedReport(skipped=True, reason="appeals already exist")
    with transaction.atomic():
        world = world_build(report)
    boundaries_seed()  # the map's outlines, generated, through the admin's import
    world.shapes = community_shapes([c.pk for group in world.communities for c in group])
    policy_cache_clear()  # the limits just written must be the ones the deadlines use
    world.limits = limits_load(world)
    world.rules = rules_load()
    if appeals > 0:
        _appeals_build(
            world=world,
            count=appeals,
            rng=random.Random(seed),  # noqa: S311 - repeatable demo data  # nosec B311
            now=now or timezone.now(),
            chunk_size=chunk_size,
            report=report,
            progress=progress,
        )
    if appeals > 0 and channels:
        _around_the_loop(world, report, seed=seed, now=now)
    if appeals > 0:
        # The bulk writes above bypass the services' change rows and triage: count the figures
        # afresh, and store the duplicate-lookup signatures.
        metrics_rebuild()
        signatures_backfill()
    report.seconds = time.perf_counter() - started
    return report


def _around_the_loop(world: World, report: SeedReport, *, seed: int, now: datetime | None) -> None:
    """The other doors in and the work around the loop, through their services (a few dozen
    records, each service in its own durable transaction, so not inside a caller's atomic
    block)."""
    added = channels_seed(messages=world.messages, rng=random.Random(seed))  # noqa: S311  # nosec B311
    report.posts, report.suggestions, report.visits = (
        added.posts,
        added.suggestions,
        added.visits,
    )
    report.projects = projects_seed(rng=random.Random(seed), now=now).projects  # noqa: S311  # nosec B311
    report.proactive_tasks = proactive_seed(now=now)
    report.selection_rounds = selection_seed(now=now)
    consultation_seed(now=now)
    deliberation_seed(now=now)
    supplements_seed()
    subdispatch_seed()
    transfers_seed()
    panels_seed(now=now)
    knowledge_seed(now=now)
    exemptions_seed(now=now)
    report.issue_items = issue_lists_seed(now=now)
    report.task_forces = task_forces_seed(now=now)
    report.calls = cti_seed(now=now, seed=seed)
    # Last: the district's own seeders above see an install of one district, as before.
    report.neighbour_appeals = neighbour_seed(seed=seed)


# --- the appeals --------------------------------------------------------------------------


def _appeals_build(
    *,
    world: World,
    count: int,
    rng: random.Random,
    now: datetime,
    chunk_size: int,
    report: SeedReport,
    progress: Progress | None,
) -> None:
    if connection.vendor == "sqlite" and not connection.features.can_return_rows_from_bulk_insert:
        raise RuntimeError("seed_demo needs SQLite 3.35 or newer (bulk inserts returning ids)")
    if connection.vendor == "sqlite":
        # A 256 MiB page cache instead of 2 MiB: the appeal indexes take keys in random order
        # (phone, region), and a million rows outgrow the default cache many times over.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
    life = Lifecycle(world=world, rng=rng, now=now, total=count)
    started = time.perf_counter()
    done = 0
    for chunk in _chunks(life.plans(), chunk_size):
        with transaction.atomic(), _historical_timestamps():
            report.events += _chunk_write(chunk)
        done += len(chunk)
        for plan in chunk:
            status = plan.appeal.status
            report.status_counts[status] = report.status_counts.get(status, 0) + 1
        if progress is not None:
            elapsed = time.perf_counter() - started
            progress(f"seed_demo: {done}/{count} appeals, {elapsed:.1f} s ({done / elapsed:.0f}/s)")
    report.appeals = done


def _chunks(plans: Iterator[AppealPlan], size: int) -> Iterator[list[AppealPlan]]:
    chunk: list[AppealPlan] = []
    for plan in plans:
        chunk.append(plan)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@contextmanager
def _historical_timestamps() -> Iterator[None]:
    """bulk_create stamps auto_now(_add) fields with the seeding time; a demo appeal was
    created when it was received and last updated by its last event."""
    fields = [
        cast("models.DateTimeField[datetime, datetime]", Appeal._meta.get_field(name))
        for name in ("created_at", "updated_at")
    ]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _chunk_write(chunk: list[AppealPlan]) -> int:
    """Insert one chunk: appeals first (merged ones after the originals they point to), then
    their history with the new ids. Returns the number of events written."""
    originals = [p for p in chunk if p.merge_target is None]
    duplicates = [p for p in chunk if p.merge_target is not None]
    Appeal.objects.bulk_create([p.appeal for p in originals])
    for p in duplicates:
        assert p.merge_target is not None and p.merge_target.pk is not None
        p.appeal.merged_into_id = p.merge_target.pk
    Appeal.objects.bulk_create([p.appeal for p in duplicates])
    if any(p.appeal.pk is None for p in chunk):  # a backend that returns no ids from them
        raise RuntimeError("bulk_create did not return appeal ids")

    events = _owned(chunk, "events")
    Reply.objects.bulk_create(_owned(chunk, "replies"))
    # The releases name the reply they released (its id only now known).
    for p in chunk:
        for event, reply in p.released:
            event.payload["reply_id"] = reply.pk
    AppealEvent.objects.bulk_create(events)
    Assignment.objects.bulk_create(_owned(chunk, "assignments"))
    Extension.objects.bulk_create(_owned(chunk, "extensions"))
    Revisit.objects.bulk_create(_owned(chunk, "revisits"))
    ratings: list[Rating] = []
    for p in chunk:
        for rating, reply in p.ratings:
            rating.appeal_id = p.appeal.pk
            rating.reply_id = reply.pk
            ratings.append(rating)
    Rating.objects.bulk_create(ratings)
    return len(events)


def _owned(chunk: list[AppealPlan], rows: str) -> list[Any]:
    """The chunk's rows of one kind (its plans' `rows`), each pointed at its appeal's new id."""
    owned = []
    for p in chunk:
        for row in getattr(p, rows):
            row.appeal_id = p.appeal.pk
            owned.append(row)
    return owned
