"""Supervision on a city's install: a district's office supervises its own appeals and units."""

from datetime import timedelta

import pytest
from django.utils import timezone

from minxin.cases.workflow import AppealStatus
from minxin.core.errors import NotFound, ValidationFailed
from minxin.directory.models import Unit
from minxin.supervision.selectors import order_scope_for
from minxin.supervision.services import appeal_take_charge, supervision_order_issue
from tests.builders import District, appeal_in, other_district_build

pytestmark = pytest.mark.django_db


def _issue(district: District, who: str, **target: int):
    return supervision_order_issue(
        actor=district.user(who),
        content="请尽快办结",
        due_at=timezone.now() + timedelta(days=2),
        **target,
    )


def test_orders_stay_within_the_district(district: District) -> None:
    other_district_build(district)
    appeal = appeal_in(district, AppealStatus.DISPATCHED)
    theirs = Unit.objects.get(name="东风街道办事处")
    with pytest.raises(NotFound):
        _issue(district, "b_supervisor", appeal_id=appeal.pk)
    with pytest.raises(ValidationFailed, match="督办单位"):
        _issue(district, "supervisor", unit_id=theirs.pk)
    ours = _issue(district, "supervisor", appeal_id=appeal.pk)
    on_b = _issue(district, "b_supervisor", unit_id=theirs.pk)
    assert set(order_scope_for(user=district.user("supervisor"))) == {ours}
    assert set(order_scope_for(user=district.user("b_leader"))) == {on_b}
    assert set(order_scope_for(user=district.user("city_leader"))) == {ours, on_b}


def test_a_leader_takes_charge_only_of_the_districts_appeals(district: District) -> None:
    other_district_build(district)
    appeal = appeal_in(district, AppealStatus.DISPATCHED)
    with pytest.raises(NotFound):
        appeal_take_charge(actor=district.user("b_leader"), appeal_id=appeal.pk)
    assert appeal_take_charge(actor=district.user("leader"), appeal_id=appeal.pk).pk
