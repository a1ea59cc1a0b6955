"""Staff looked up by what they do: the handlers a unit's notices go to."""

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import User
from .roles import Role


def unit_handlers(unit_ids: Iterable[int | None]) -> QuerySet[User]:
    """The handlers of these units whose accounts are active: a disabled account (someone who
    has left) is told nothing, by the inbox or by SMS."""
    return User.objects.filter(
        unit_id__in=[u for u in unit_ids if u is not None], role=Role.HANDLER, is_active=True
    )
