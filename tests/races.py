"""Two writers at once: a call run in threads released together, for the tests that show the
database (not the form) keeps one vote per voter per question."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from minxin.core.errors import MinxinError


def needs_concurrent_writers() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("needs a database that runs two writers at once (PostgreSQL)")


def race(call: Callable[[], object], n: int = 2) -> list[object]:
    """`call` in n threads released together; what each returned or raised."""
    barrier = threading.Barrier(n)
    results: list[object] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(call())
        except MinxinError as error:
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def refused(results: list[object]) -> list[MinxinError]:
    return [r for r in results if isinstance(r, MinxinError)]
