"""The units offered for an appeal (issue 14): the routing rule's unit first, then the units
that resolved appeals of the same category (a street office only in its own street), then the
place's own street office for a street-led matter; never units picked for their kind alone
(a noise complaint was offered 生态环境局, 交通运输局 and 人社局)."""

from datetime import timedelta

from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.directory.models import Category, UnitKind
from minxin.dispatch.models import RoutingRule
from minxin.dispatch.selectors import units_suggested_for
from tests.builders import District, appeal_in


def _names(units):
    return [u.name for u in units]


def test_no_rule_and_no_history_offers_nothing_rather_than_any_department(district: District):
    d = district
    top = Category.objects.create(name="环境保护", responsible_unit_kind=UnitKind.DEPARTMENT)
    noise = Category.objects.create(name="噪声污染", parent=top)
    assert units_suggested_for(category=noise, region=d.communities[0]) == []


def test_a_street_led_matter_without_a_rule_goes_to_the_places_own_street(district: District):
    d = district
    for community, office in zip(d.communities, d.street_units, strict=True):
        assert _names(units_suggested_for(category=d.category, region=community)) == [office.name]
    assert units_suggested_for(category=d.category, region=None) == []


def test_the_rule_first_then_who_resolved_similar_appeals_then_the_own_street(
    district: District,
):
    d = district
    RoutingRule.objects.create(category=d.category, unit=d.departments[1], note="测试")
    by_street = [appeal_in(d, AppealStatus.RESOLVED, assist=False) for _ in range(2)]
    by_department = appeal_in(d, AppealStatus.RESOLVED, assist=False)
    Appeal.objects.filter(pk=by_department.pk).update(lead_unit=d.departments[0])
    appeal_in(d, AppealStatus.IN_PROGRESS)  # not resolved: not counted
    street0, street1 = d.street_units
    here = units_suggested_for(category=d.category, region=d.communities[0])
    assert _names(here) == [d.departments[1].name, street0.name, d.departments[0].name]
    # Street 0's office resolved more, but is never offered for street 1's appeal.
    there = units_suggested_for(category=d.category, region=d.communities[1])
    assert _names(there) == [d.departments[1].name, d.departments[0].name, street1.name]
    # Counted up to a time: before these appeals, only the rule and the own street.
    earlier = min(a.received_at for a in [*by_street, by_department]) - timedelta(minutes=1)
    assert _names(
        units_suggested_for(category=d.category, region=d.communities[0], before=earlier)
    ) == [d.departments[1].name, street0.name]
    assert timezone.now() > earlier


def test_the_parents_history_when_the_category_has_none(district: District):
    d = district
    sibling = Category.objects.create(name="绿化养护", parent=d.category.parent)
    resolved = appeal_in(d, AppealStatus.RESOLVED, assist=False)
    Appeal.objects.filter(pk=resolved.pk).update(category=d.category.parent)
    Appeal.objects.filter(pk=resolved.pk).update(lead_unit=d.departments[0])
    offered = units_suggested_for(category=sibling, region=d.communities[0])
    assert _names(offered) == [d.departments[0].name, d.street_units[0].name]


def test_the_accuracy_counts_the_suggestion_at_the_first_dispatch(district: District):
    from io import StringIO

    from django.core.management import call_command

    from minxin.dispatch.selectors import suggestion_accuracy

    d = district
    appeal_in(d, AppealStatus.RESOLVED, assist=False)  # street 0: its own office, top 1
    moved = appeal_in(d, AppealStatus.RESOLVED, assist=False)
    Appeal.objects.filter(pk=moved.pk).update(lead_unit=d.departments[0])  # offered nowhere
    appeal_in(d, AppealStatus.IN_PROGRESS)  # not resolved: not scored
    found = suggestion_accuracy()
    assert (found.appeals, found.top1, found.top3) == (2, 1, 1)
    out = StringIO()
    call_command("suggestion_accuracy", stdout=out)
    assert out.getvalue().strip() == (
        "2 appeals resolved by their lead unit: top-1 1 (50.0%), top-3 1 (50.0%)"
    )
