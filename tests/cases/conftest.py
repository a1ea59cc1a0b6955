"""Fixtures of the appeal tests."""

import pytest

REDIS = "redis://127.0.0.1:6379/12"  # the appeal tests' own database of the machine's Redis


@pytest.fixture
def rq_queue(settings):
    """The tasks on the Redis backend (django-tasks-rq), its queues emptied before and after;
    one run of the test at a time."""
    import redis
    from rq import Queue

    connection = redis.Redis.from_url(REDIS)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.fail("this test needs the Redis of the machine at 127.0.0.1:6379")
    lock = connection.lock("minxin-test-cases-rq", timeout=300, blocking_timeout=300)
    assert lock.acquire(), "another run held Redis database 12 for 5 minutes"
    settings.RQ_QUEUES = {"default": {"URL": REDIS}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}

    def empty() -> None:
        for key in connection.scan_iter("rq:*"):
            connection.delete(key)

    empty()
    try:
        yield Queue("default", connection=connection)
    finally:
        empty()
        lock.release()
