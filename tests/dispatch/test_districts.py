"""Routing rules on a city's install: a rule is one district's or the city's; an appeal is
matched against its district's rules and the city's (the district's winning a tie); a
district's admins write their district's rules only and read the city's."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from minxin.directory.models import Jurisdiction, Region, Unit
from minxin.dispatch.models import RoutingRule, RoutingRuleHistory
from minxin.dispatch.selectors import units_suggested_for
from minxin.dispatch.services import routing_rule_save
from tests.builders import District, other_district_build


def _rule(**fields: object) -> RoutingRule:
    return RoutingRule.objects.create(note="测试", **fields)  # type: ignore[arg-type]


def _city(d: District) -> tuple[Jurisdiction, Unit, User]:
    """The second district, the city's hotline and an admin of the city (all districts)."""
    b = other_district_build(d)
    city = Unit.objects.get(name="市12345热线中心")
    admin = User.objects.create_user(
        username="city_admin", role=Role.ADMIN, unit=city, is_staff=True, is_superuser=True
    )
    return b, city, admin


def test_an_appeal_is_matched_with_its_districts_rules_and_the_citys(district: District):
    d = district
    b, city, _ = _city(d)
    a3 = d.hotline.jurisdiction_id
    b_office = Unit.objects.get(name="东风街道办事处")
    b_street = Region.objects.get(code="B1-01")
    _rule(category=d.category, unit=city)  # the city's: every district
    _rule(category=d.category, unit=d.departments[1], jurisdiction_id=a3)
    _rule(category=d.category, unit=b_office, jurisdiction=b)

    here = units_suggested_for(category=d.category, region=d.communities[0], district=a3)
    assert here[:2] == [d.departments[1], city]  # the district's wins the tie
    # The district read from the place when not given; no place, no district: every rule.
    assert units_suggested_for(category=d.category, region=d.communities[0])[:2] == here[:2]
    there = units_suggested_for(category=d.category, region=b_street)
    assert there[:2] == [b_office, city] and d.departments[1] not in there
    assert units_suggested_for(category=d.category, region=None, district=b.pk)[:2] == [
        b_office,
        city,
    ]
    # A nearer category wins over the district: the city's rule for the leaf comes before
    # the district's rule for the whole class.
    RoutingRule.objects.filter(jurisdiction_id=a3).update(category=d.category_top)
    mine = units_suggested_for(category=d.category, region=d.communities[0], district=a3)
    assert mine[:2] == [city, d.departments[1]]


def test_a_districts_admin_writes_only_their_districts_rules(district: District):
    d = district
    b, city, city_admin = _city(d)
    b_admin = d.user("b_admin")
    b_office = Unit.objects.get(name="东风街道办事处")
    ours = routing_rule_save(
        rule=RoutingRule(category=d.category, unit=b_office), actor=b_admin, note="新增"
    )
    assert ours.jurisdiction_id == b.pk
    assert RoutingRuleHistory.objects.get(rule=ours).jurisdiction_name == "B1区"
    with pytest.raises(ValidationFailed, match="承办单位不属于该规则的辖区"):
        routing_rule_save(
            rule=RoutingRule(category=d.category_top, unit=d.departments[0]),
            actor=b_admin,
            note="新增",
        )
    with pytest.raises(ValidationFailed, match="所选区域不属于该规则的辖区"):
        routing_rule_save(
            rule=RoutingRule(category=d.category, region=d.streets[0], unit=b_office),
            actor=b_admin,
            note="新增",
        )
    theirs = routing_rule_save(
        rule=RoutingRule(category=d.category, unit=d.departments[0]),
        actor=d.user("admin"),
        note="新增",
    )
    citys = routing_rule_save(
        rule=RoutingRule(category=d.category_top, unit=city), actor=city_admin, note="全市"
    )
    assert (theirs.jurisdiction_id, citys.jurisdiction_id) == (d.hotline.jurisdiction_id, None)
    theirs.unit = b_office
    with pytest.raises(NotFound):
        routing_rule_save(rule=theirs, actor=b_admin, note="改派")
    citys.is_active = False
    with pytest.raises(PermissionDenied, match="市级路由规则"):
        routing_rule_save(rule=citys, actor=b_admin, note="停用")
    assert RoutingRule.objects.get(pk=theirs.pk).unit_id == d.departments[0].pk
    assert RoutingRule.objects.get(pk=citys.pk).is_active
    # The city's admin: a rule for a place is the place's district's; a unit must serve it.
    placed = routing_rule_save(
        rule=RoutingRule(category=d.category_top, region=d.streets[1], unit=d.street_units[1]),
        actor=city_admin,
        note="街道",
    )
    assert placed.jurisdiction_id == d.hotline.jurisdiction_id
    with pytest.raises(ValidationFailed, match="承办单位不属于该规则的辖区"):
        routing_rule_save(
            rule=RoutingRule(category=d.category_top, unit=d.departments[0], jurisdiction=b),
            actor=city_admin,
            note="新增",
        )


def _add(client, **fields: object):  # type: ignore[no-untyped-def]
    data = {"history-TOTAL_FORMS": "0", "history-INITIAL_FORMS": "0", "is_active": "on"}
    data |= {k: str(v) for k, v in fields.items()}
    return client.post(reverse("admin:dispatch_routingrule_add"), data)


def test_the_admin_pages_of_a_districts_admin(client, district: District):
    d = district
    b, city, city_admin = _city(d)
    b_office = Unit.objects.get(name="东风街道办事处")
    a3_rule = _rule(category=d.category, unit=d.departments[0], jurisdiction=d.hotline.jurisdiction)
    city_rule = _rule(category=d.category_top, unit=city)
    User.objects.filter(username="b_admin").update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(username="b_admin"))

    listed = client.get(reverse("admin:dispatch_routingrule_changelist")).content.decode()
    assert "市12345热线中心" in listed and "A3区城市管理局" not in listed
    change = reverse("admin:dispatch_routingrule_change", args=[a3_rule.pk])
    assert client.get(change).status_code == 302  # the admin's "no such rule"
    client.post(change, {"unit": b_office.pk, "category": d.category.pk, "note": "改"})
    assert RoutingRule.objects.get(pk=a3_rule.pk).unit_id == d.departments[0].pk
    readonly = reverse("admin:dispatch_routingrule_change", args=[city_rule.pk])
    page = client.get(readonly)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(readonly, {"is_active": "", "note": "停"}).status_code == 403
    assert RoutingRule.objects.get(pk=city_rule.pk).is_active

    refused = _add(client, category=d.category.pk, unit=d.departments[1].pk, note="新增")
    assert refused.status_code == 200
    assert "承办单位不属于该规则的辖区" in refused.content.decode()
    assert 'name="jurisdiction"' not in refused.content.decode()  # theirs, not chosen
    added = _add(client, category=d.category.pk, unit=b_office.pk, note="新增")
    assert added.status_code == 302
    assert RoutingRule.objects.get(unit=b_office).jurisdiction_id == b.pk
    again = _add(client, category=d.category.pk, unit=b_office.pk, note="再加一条")
    assert "本辖区已有该分类的全辖区规则" in again.content.decode()

    client.force_login(city_admin)
    page = client.get(reverse("admin:dispatch_routingrule_add")).content.decode()
    assert 'name="jurisdiction"' in page and "全市（适用于所有辖区）" in page
    assert (
        "A3区城市管理局"
        in client.get(reverse("admin:dispatch_routingrule_changelist")).content.decode()
    )


def _placed() -> None:
    module = importlib.import_module("minxin.dispatch.migrations.0003_routing_rule_jurisdiction")
    module.rules_placed(apps, None)


def test_the_rules_so_far_are_the_only_districts(district: District):
    d = district
    rule = routing_rule_save(
        rule=RoutingRule(category=d.category, unit=d.departments[0]), actor=None, note="旧规则"
    )
    RoutingRule.objects.filter(pk=rule.pk).update(jurisdiction=None)
    _placed()
    assert RoutingRule.objects.get(pk=rule.pk).jurisdiction_id == d.hotline.jurisdiction_id
    assert RoutingRuleHistory.objects.get(rule=rule).jurisdiction_name == "A3区"


def test_with_several_districts_the_rules_go_to_their_place_or_units(district: District):
    d = district
    b, city, _ = _city(d)
    in_b = _rule(
        category=d.category, region=Region.objects.get(code="B1-01"), unit=d.departments[0]
    )
    of_a3 = _rule(category=d.category, unit=d.departments[0])
    of_city = _rule(category=d.category_top, unit=city)
    _placed()
    assert [RoutingRule.objects.get(pk=r.pk).jurisdiction_id for r in (in_b, of_a3, of_city)] == [
        b.pk,
        d.hotline.jurisdiction_id,
        None,
    ]


def test_on_an_install_of_one_district_every_rule_is_its(district: District):
    """A district's own install has no city: a rule given no district, by an admin of no
    unit, is the district's, so the district's admins keep changing it as before."""
    d = district
    root = User.objects.create_user(username="root", role=Role.ADMIN, is_superuser=True)
    rule = routing_rule_save(
        rule=RoutingRule(category=d.category, unit=d.departments[0]), actor=root, note="新增"
    )
    assert rule.jurisdiction_id == d.hotline.jurisdiction_id
    rule.unit = d.departments[1]
    routing_rule_save(rule=rule, actor=d.user("admin"), note="改派")
    assert RoutingRule.objects.get(pk=rule.pk).unit_id == d.departments[1].pk
