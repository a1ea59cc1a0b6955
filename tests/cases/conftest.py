"""Fixtures of the appeal tests."""

import pytest

from tests.redis_db import redis_held

REDIS = "redis://127.0.0.1:6379/12"  # the appeal tests' own database of the machine's Redis


@pytest.fixture
def rq_queue(settings):
    """The tasks on the Redis backend (django-tasks-rq), its queues emptied before and after;
    one run of the test at a time."""
    from rq import Queue

    with redis_held(REDIS, name="minxin-test-cases-rq", seconds=300) as connection:
        settings.RQ_QUEUES = {"default": {"URL": REDIS}}
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
        }
        yield Queue("default", connection=connection)
