"""Configuration that cannot work is refused at start-up, by name, with the remedy."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from minxin.core import checks

REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "x"}}
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_shipped_backends_need_nothing_more() -> None:
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert checks.configuration_problems(caches=locmem, tasks=DB_TASKS) == []


def test_a_redis_cache_without_its_client_is_named(monkeypatch) -> None:
    real = checks.find_spec
    monkeypatch.setattr(checks, "find_spec", lambda name: None if name == "redis" else real(name))
    (problem,) = checks.configuration_problems(caches=REDIS, tasks=DB_TASKS)
    assert "RedisCache" in problem and "未安装 redis" in problem


def test_a_task_backend_from_a_missing_extra_is_named() -> None:
    rq = {"default": {"BACKEND": "no_such_package.RQBackend"}}
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    (problem,) = checks.configuration_problems(caches=locmem, tasks=rq)
    assert "TASKS['default']" in problem and "no_such_package" in problem


def test_the_process_does_not_start(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "no_such_package.RQBackend"}}
    with pytest.raises(ImproperlyConfigured, match="no_such_package"):
        apps.get_app_config("core").ready()


@pytest.mark.django_db
def test_a_rate_limited_post_counts_in_redis(client, settings) -> None:
    """REDIS_URL gives a Redis cache: the client is installed, so a rate-limited public POST
    counts there instead of failing (the probe's 500 on every such POST)."""
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.fail("this test needs the Redis of the test machine at 127.0.0.1:6379")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    assert checks.configuration_problems(caches=settings.CACHES, tasks=DB_TASKS) == []
    redis.Redis.from_url(url).flushdb()
    response = client.post("/track/", {"tracking_number": "X", "query_code": "Y"})
    assert response.status_code < 500
    assert redis.Redis.from_url(url).dbsize() > 0
