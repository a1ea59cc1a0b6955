"""Triage on an install of several districts: the unit it suggests for an appeal comes from the
appeal's district's routing rules and the city's, also for an appeal whose place is not known
(no place to tell the district by)."""

import pytest

from minxin.directory.models import Unit
from minxin.dispatch.models import RoutingRule
from minxin.triage import services
from minxin.triage.models import TriageSuggestion
from minxin.triage.services import appeals_triage_waiting
from tests.builders import District, appeal_new, other_district_build


@pytest.mark.django_db
def test_an_appeal_without_a_place_gets_a_unit_of_its_own_district(
    district: District, installed_model, monkeypatch
) -> None:
    b1 = other_district_build(district)
    b1_office = Unit.objects.get(name="东风街道办事处")
    a3_unit = district.departments[0]
    # Each district has a rule for the whole district in the category, A3's written first;
    # the category is the one triage found (whichever the model says: the place is the point).
    for unit, jurisdiction in ((a3_unit, a3_unit.jurisdiction_id), (b1_office, b1.pk)):
        RoutingRule.objects.create(
            category=district.category, unit=unit, jurisdiction_id=jurisdiction, note="测试"
        )
    monkeypatch.setattr(
        services, "_places_of", lambda appeals, found: [(district.category, None) for _ in appeals]
    )
    appeals = [
        appeal_new(
            district,
            title="路灯不亮",
            content="门口的路灯坏了一个星期了，晚上很黑，请尽快修好。",
            place_text="",
            jurisdiction_id=jurisdiction,
        )
        for jurisdiction in (b1.pk, a3_unit.jurisdiction_id)
    ]
    TriageSuggestion.objects.filter(appeal__in=appeals).delete()  # triaged again, in one batch

    assert appeals_triage_waiting().triaged == 2

    b1_appeal, a3_appeal = (TriageSuggestion.objects.get(appeal=a) for a in appeals)
    assert b1_appeal.region_id is None and b1_appeal.category_id == district.category.pk
    assert b1_appeal.suggested_unit_id == b1_office.pk
    assert a3_appeal.suggested_unit_id == a3_unit.pk
