"""A database of the machine's Redis (127.0.0.1:6379) held by one test run at a time, its rq
keys emptied before and after: the tests of background work on Redis."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis


@contextmanager
def redis_held(url: str, *, name: str, seconds: int) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.fail("this test needs the Redis of the machine at 127.0.0.1:6379")
    lock = connection.lock(name, timeout=seconds, blocking_timeout=seconds)
    assert lock.acquire(), f"another run held {url} for {seconds} s"
    try:
        _rq_keys_delete(connection)
        yield connection
    finally:
        _rq_keys_delete(connection)
        lock.release()


def _rq_keys_delete(connection: redis.Redis) -> None:
    for key in connection.scan_iter("rq:*"):
        connection.delete(key)
