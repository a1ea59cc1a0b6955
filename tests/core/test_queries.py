"""core.queries.filtered: only the filters a user set narrow a list."""

import pytest

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.core.queries import filtered


def test_filters_left_blank_leave_the_rows_as_they_are() -> None:
    rows = User.objects.all()
    assert filtered(rows, role="", unit_id=None, pk__in=[], is_active=0) is rows


@pytest.mark.django_db
def test_the_filters_set_narrow_the_rows_and_the_blank_ones_do_not() -> None:
    User.objects.create_user("a", role=Role.HANDLER)
    User.objects.create_user("b", role=Role.DISPATCHER)
    User.objects.create_user("c", role=Role.HANDLER, is_active=False)
    rows = filtered(User.objects.all(), role=Role.HANDLER, username="", unit_id=None)
    assert sorted(rows.values_list("username", flat=True)) == ["a", "c"]
    both = filtered(User.objects.all(), role=Role.HANDLER, username="a")
    assert list(both.values_list("username", flat=True)) == ["a"]
