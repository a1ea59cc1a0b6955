"""The handlers a unit's notices go to: active accounts of that unit only."""

import pytest

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.accounts.selectors import unit_handlers

pytestmark = pytest.mark.django_db


def test_unit_handlers_are_the_units_active_handlers(district):
    unit = district.street_units[0]
    left = User.objects.create_user("left_handler", role=Role.HANDLER, unit=unit, is_active=False)
    found = set(unit_handlers([unit.pk, None]))
    assert district.user("handler") in found and left not in found
    assert district.user("handler_other") not in found  # another street's
    assert all(u.role == Role.HANDLER and u.unit_id == unit.pk for u in found)
    assert not unit_handlers([None]).exists()
