"""Cache busting only: the calendar and policy caches forget what an admin just changed."""

from typing import Any

from django.db import transaction

from .calendar import calendar_cache_clear
from .services import policy_cache_clear


def override_changed(**kwargs: Any) -> None:
    calendar_cache_clear()
    # Again after commit, in case another thread reloaded the old rows meanwhile.
    transaction.on_commit(calendar_cache_clear, using=kwargs.get("using"))


def policy_changed(**kwargs: Any) -> None:
    policy_cache_clear()
    transaction.on_commit(policy_cache_clear, using=kwargs.get("using"))
