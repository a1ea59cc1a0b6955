from collections.abc import Iterator

import pytest

from minxin.deadlines.calendar import calendar_cache_clear
from minxin.deadlines.services import policy_cache_clear


@pytest.fixture(autouse=True)
def _fresh_deadline_caches() -> Iterator[None]:
    # A rolled-back test transaction fires no signals, so caches could outlive their rows.
    calendar_cache_clear()
    policy_cache_clear()
    yield
    calendar_cache_clear()
    policy_cache_clear()
