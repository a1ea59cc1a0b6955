"""The Prometheus figures of an install (GET /metrics, docs/deploy.md): the web processes'
requests (`core/observability.py`) and, computed at each scrape, the state of the work —
background tasks waiting, appeals waiting for their triage suggestion and for how long,
open and overdue appeals (each per district, labelled with its code), the replica. Counts
only: no appeal, no person."""

from __future__ import annotations

import hmac
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.db.models import Count, Min, QuerySet
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.base import TaskResultStatus
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from minxin.cases.models import Appeal
from minxin.cases.selectors import overdue_q
from minxin.cases.workflow import OPEN_STATUSES, AppealStatus
from minxin.core.observability import process_registry
from minxin.core.replica import replica_state
from minxin.core.tasks import queue_kind
from minxin.directory.models import Jurisdiction

T = TypeVar("T")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def metrics_token_valid(header: str) -> bool:
    """`Authorization: Bearer <MINXIN_METRICS_TOKEN>`, compared in constant time."""
    token = settings.MINXIN_METRICS_TOKEN
    if not token or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())


def task_queue_depths() -> dict[tuple[str, str], int]:
    """Tasks waiting to run, per (backend, queue): the database backend's ready rows, the
    length of each Redis queue."""
    depths: dict[tuple[str, str], int] = {}
    for alias in settings.TASKS:
        backend = task_backends[alias]
        kind = queue_kind(alias)
        if kind == "database":
            from django_tasks_db.models import DBTaskResult

            rows = (
                DBTaskResult.objects.filter(backend_name=alias, status=TaskResultStatus.READY)
                .values("queue_name")
                .annotate(n=Count("pk"))
            )
            for queue in backend.queues or {"default"}:
                depths[(alias, queue)] = 0
            for row in rows:
                depths[(alias, row["queue_name"])] = row["n"]
        elif kind == "redis":
            import django_rq

            for queue in backend.queues:
                depths[(alias, queue)] = django_rq.get_queue(queue).count
    return depths


def _district_codes() -> dict[int, str]:
    return dict(Jurisdiction.objects.values_list("pk", "code"))


def _per_district(codes: Mapping[int, str], found: Mapping[int, T], empty: T) -> dict[str, T]:
    """Every district's figure (`empty` where it has none), by its code."""
    figures = dict.fromkeys(codes.values(), empty)
    for district, figure in found.items():
        figures[codes.get(district, str(district))] = figure
    return figures


def triage_waiting(now: datetime, codes: Mapping[int, str]) -> dict[str, tuple[int, float]]:
    """Per district: appeals waiting for screening with no stored triage suggestion, and the
    age in seconds of the oldest of them (0 when none)."""
    rows = (
        Appeal.objects.filter(status=AppealStatus.RECEIVED, triage_suggestion__isnull=True)
        .values("jurisdiction_id")
        .annotate(n=Count("pk"), oldest=Min("received_at"))
        .order_by()
    )
    found = {r["jurisdiction_id"]: (r["n"], (now - r["oldest"]).total_seconds()) for r in rows}
    return _per_district(codes, found, (0, 0.0))


def _counts(codes: Mapping[int, str], appeals: QuerySet[Appeal]) -> dict[str, int]:
    rows = appeals.values("jurisdiction_id").annotate(n=Count("pk")).order_by()
    return _per_district(codes, {r["jurisdiction_id"]: r["n"] for r in rows}, 0)


def _gauge(name: str, text: str, figures: Mapping[str, float]) -> GaugeMetricFamily:
    """One gauge with a `district` label (its code): sum() over it for the install."""
    gauge = GaugeMetricFamily(name, text, labels=["district"])
    for code, value in sorted(figures.items()):
        gauge.add_metric([code], value)
    return gauge


class WorkCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        depth = GaugeMetricFamily(
            "minxin_task_queue_depth",
            "Background tasks waiting to run.",
            labels=["backend", "queue"],
        )
        for (alias, queue), n in sorted(task_queue_depths().items()):
            depth.add_metric([alias, queue], n)
        yield depth
        codes = _district_codes()
        waiting = triage_waiting(now, codes)
        yield _gauge(
            "minxin_triage_pending_appeals",
            "Appeals waiting for screening without a stored triage suggestion.",
            {code: n for code, (n, _) in waiting.items()},
        )
        yield _gauge(
            "minxin_triage_lag_seconds",
            "Age of the oldest appeal waiting for its triage suggestion (0 when none).",
            {code: age for code, (_, age) in waiting.items()},
        )
        yield _gauge(
            "minxin_appeals_open",
            "Appeals being handled (dispatched, accepted, in progress).",
            _counts(codes, Appeal.objects.filter(status__in=OPEN_STATUSES)),
        )
        yield _gauge(
            "minxin_appeals_overdue",
            "Open appeals past their first-contact or completion deadline.",
            _counts(codes, Appeal.objects.filter(overdue_q(now))),
        )
        replica = replica_state()
        if replica.state != "none":
            yield GaugeMetricFamily(
                "minxin_replica_usable",
                "1 while reporting reads go to the replica (up and within the allowed lag).",
                value=1 if replica.usable else 0,
            )
            yield GaugeMetricFamily(
                "minxin_replica_lag_seconds",
                "Replay lag of the replica (-1 when it does not answer).",
                value=-1 if replica.lag is None else replica.lag,
            )


def exposition() -> bytes:
    """The text a scrape reads: the web processes' figures, then the work's."""
    work = CollectorRegistry()
    work.register(WorkCollector())
    return generate_latest(process_registry()) + generate_latest(work)
