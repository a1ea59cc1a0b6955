"""/healthz, /readyz, /metrics and the JSON log lines (docs/deploy.md)."""

import json
import logging
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.core.logs import JsonFormatter
from minxin.directory.models import Jurisdiction
from tests.builders import appeal_in, appeal_new, other_district_build

pytestmark = pytest.mark.django_db
TOKEN = "s3cret-scrape-token-0123456789"


def test_liveness_answers_ok(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_readiness_names_each_dependency(client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "up", "cache": "up", "tasks": "up"},
    }


def test_readiness_is_503_when_the_cache_is_down(client, settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 1: refused at once.
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "up", "cache": "down", "tasks": "up"}


def test_readiness_is_503_when_the_redis_task_queue_is_down(client, settings) -> None:
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"] == "down"


def test_metrics_are_hidden_without_the_token(client, settings) -> None:
    settings.MINXIN_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    settings.MINXIN_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def _metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{name}(?:\{{{re.escape(wanted)}\}})? (\S+)$" if labels else rf"^{name} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"{name} {labels} not in the metrics"
    return float(found.group(1))


def test_metrics_count_requests_queue_triage_lag_and_overdue(client, settings, district) -> None:
    settings.MINXIN_METRICS_TOKEN = TOKEN
    other_district_build(district)
    waiting = appeal_new(district)
    Appeal.objects.filter(pk=waiting.pk).update(received_at=timezone.now() - timedelta(minutes=5))
    late = appeal_in(district, "accepted")
    Appeal.objects.filter(pk=late.pk).update(resolve_due=timezone.now() - timedelta(hours=1))
    appeal_in(district, "accepted")  # open, not late
    from minxin.triage.tasks import triage_waiting_task

    # The queue from here on (the appeals above were built on the tests' immediate backend).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    triage_waiting_task.enqueue()  # the database backend: it waits for a worker
    client.get("/healthz")
    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()

    assert _metric(text, "minxin_task_queue_depth", backend="default", queue="default") == 1
    ours = Jurisdiction.objects.get(pk=waiting.jurisdiction_id).code
    assert _metric(text, "minxin_triage_pending_appeals", district=ours) == 1
    assert 290 < _metric(text, "minxin_triage_lag_seconds", district=ours) < 400
    assert _metric(text, "minxin_appeals_open", district=ours) == 2
    assert _metric(text, "minxin_appeals_overdue", district=ours) == 1
    # Every district has its series, at 0 when it has nothing.
    for name in ("minxin_triage_pending_appeals", "minxin_appeals_open"):
        assert _metric(text, name, district="B1") == 0
    healthz = _metric(
        text, "minxin_http_requests_total", method="GET", route="/healthz", status="200"
    )
    assert healthz >= 1
    assert "13812345678" not in text and "张三" not in text


def test_a_json_log_line_masks_personal_data() -> None:
    record = logging.LogRecord(
        "minxin.test", logging.INFO, __file__, 1, "SMS to %s failed", ("13812345678",), None
    )
    record.path = "/track/我叫王小明/"
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "INFO" and line["logger"] == "minxin.test"
    assert line["message"] == "SMS to 138******78 failed"
    assert line["path"] == "/track/我叫王**/"
    assert "13812345678" not in json.dumps(line, ensure_ascii=False)


def test_a_request_is_logged_as_json_without_its_query_string(client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="minxin.request"):
        client.get("/healthz?phone=13812345678", HTTP_X_REQUEST_ID="abc-123")
    (record,) = [r for r in caplog.records if r.name == "minxin.request"]
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/healthz" and line["route"] == "/healthz"
    assert line["status"] == 200 and line["request_id"] == "abc-123"
    assert "13812345678" not in json.dumps(line)
