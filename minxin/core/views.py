import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .replica import replica_state
from .tasks import task_backends_reachable


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers and reaches its database (503 otherwise)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", nothing else to do
        return JsonResponse({"status": "error", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def _database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache() -> bool:
    key = f"minxin:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return ok


def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database, the cache and the task backend each reachable (200), else 503
    with which one is down. The replica is reported, never required: without it reporting
    reads fall back to the primary. Names and states only, no data."""
    checks: dict[str, str] = {}
    for name, check in (
        ("database", _database),
        ("cache", _cache),
        ("tasks", task_backends_reachable),
    ):
        try:
            checks[name] = "up" if check() else "down"
        except Exception:  # unreachable, refused, timed out: all mean "not ready"
            checks[name] = "down"
    ready = all(state == "up" for state in checks.values())
    replica = replica_state()
    if replica.state != "none":
        checks["replica"] = replica.state
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def ratelimited(request: HttpRequest, exception: Exception) -> HttpResponse:
    what = "访问" if request.method == "GET" else "提交"
    return render(
        request, "core/error.html", {"message": f"{what}过于频繁，请稍后再试"}, status=429
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's own 400s, before a view could refuse in its words: a form body it cannot parse,
    more fields or files than DATA_UPLOAD_MAX_NUMBER_FIELDS/FILES, a suspicious host. In
    Chinese, on the same page as the domain's refusals."""
    message = "提交的内容无法处理（格式有误，或字段、文件过多），请返回检查后重试"
    return render(request, "core/error.html", {"message": message}, status=400)
