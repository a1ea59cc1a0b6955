"""What a running web process says about itself: one log line and two Prometheus series per
request (`RequestMetricsMiddleware`), and the registry the /metrics endpoint reads.

Under gunicorn several processes serve: with PROMETHEUS_MULTIPROC_DIR set (deploy/gunicorn.conf.py
sets it under MINXIN_VAR_DIR) each writes its figures to a file there and a scrape adds them
up (prometheus_client's multiprocess mode); without it, the process's own registry."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess

logger = logging.getLogger("minxin.request")

REQUESTS = Counter(
    "minxin_http_requests",
    "HTTP requests answered, by method, route (the URL pattern, not the path) and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "minxin_http_request_duration_seconds",
    "Time to answer a request, by method and route.",
    ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def process_registry() -> CollectorRegistry:
    """The request figures of every web process (multiprocess mode) or of this one."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or match.view_name or "unknown").lstrip("^")


class RequestMetricsMiddleware:
    """First in the chain: counts and times every request, and logs one line — the method, the
    path without its query string, the route, the status and the time (no field, no user)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        method = request.method if request.method in _METHODS else "OTHER"
        route = _route(request)
        REQUESTS.labels(method, route, str(response.status_code)).inc()
        LATENCY.labels(method, route).observe(elapsed)
        logger.info(
            "%s %s %s",
            method,
            request.path,
            response.status_code,
            extra={
                "method": method,
                "path": request.path,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
                "request_id": request.headers.get("X-Request-ID", "")[:64],
            },
        )
        return response
