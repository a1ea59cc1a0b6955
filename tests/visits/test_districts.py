"""Visits on a city's install: a district's office sees its own units' visits."""

from minxin.visits.selectors import visit_scope_for
from tests.builders import District, other_district_build

from .conftest import visit_record


def test_a_districts_office_sees_its_own_units_visits(district: District) -> None:
    other_district_build(district)
    ours = visit_record(district).visit
    assert list(visit_scope_for(user=district.user("supervisor"))) == [ours]
    assert list(visit_scope_for(user=district.user("b_supervisor"))) == []
    assert list(visit_scope_for(user=district.user("city_leader"))) == [ours]
    assert list(visit_scope_for(user=district.user("b_handler"))) == []
