"""Triage on an install of several districts: the unit it suggests for an appeal comes from the
appeal's district's routing rules and the city's, also for an appeal whose place is not known
(no place to tell the district by)."""

import pytest

from minxin.cases.models import Appeal
from minxin.directory.models import Category, Unit
from minxin.dispatch.models import RoutingRule
from minxin.triage.models import TriageSuggestion
from minxin.triage.services import appeals_triage_waiting
from tests.builders import District, appeal_new, other_district_build


@pytest.mark.django_db
def test_an_appeal_without_a_place_gets_a_unit_of_its_own_district(
    district: District, installed_model
) -> None:
    b1 = other_district_build(district)
    b1_office = Unit.objects.get(name="东风街道办事处")
    a3_unit = district.departments[0]
    # A rule for the whole district in every category, in each district: whatever category
    # triage finds, both districts have a rule for it, A3's written first.
    for category in Category.objects.all():
        for unit, jurisdiction in ((a3_unit, a3_unit.jurisdiction_id), (b1_office, b1.pk)):
            RoutingRule.objects.create(
                category=category, unit=unit, jurisdiction_id=jurisdiction, note="测试"
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
    Appeal.objects.filter(pk__in=[a.pk for a in appeals]).update(region=None)

    assert appeals_triage_waiting().triaged == 2

    b1_appeal, a3_appeal = (TriageSuggestion.objects.get(appeal=a) for a in appeals)
    assert b1_appeal.region_id is None and b1_appeal.category_id is not None
    assert b1_appeal.suggested_unit_id == b1_office.pk
    assert a3_appeal.suggested_unit_id == a3_unit.pk
