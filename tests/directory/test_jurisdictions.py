"""Many districts on one install: an appeal is received for one district, dispatched and
transferred only to the units that serve it, and a public page's appeal is its host's."""

import pytest
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal, AppealKind, Channel
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import ValidationFailed
from minxin.directory.models import Region, Unit, UnitKind
from minxin.directory.selectors import jurisdiction_of_region, units_handling
from tests.builders import District, appeal_in, other_district_build

pytestmark = pytest.mark.django_db


def _draft(**overrides: object) -> services.AppealDraft:
    values: dict[str, object] = {
        "channel": Channel.HOTLINE,
        "kind": AppealKind.COMPLAINT,
        "title": "路灯不亮",
        "content": "东风路口的路灯一周不亮了。",
        "appellant_phone": "13812345678",
    }
    values.update(overrides)
    return services.AppealDraft(**values)  # type: ignore[arg-type]


def test_staff_receive_for_their_own_district(district: District) -> None:
    b = other_district_build(district)
    ours = services.appeal_create(actor=Actor.of(district.user("call_taker")), draft=_draft())
    theirs = services.appeal_create(actor=Actor.of(district.user("b_call_taker")), draft=_draft())
    assert ours.appeal.jurisdiction.region_id == district.district.pk
    assert theirs.appeal.jurisdiction_id == b.pk


def test_the_city_receives_for_the_district_of_the_place(district: District) -> None:
    b = other_district_build(district)
    street = Region.objects.get(code="B1-01")
    created = services.appeal_create(
        actor=Actor.of(district.user("city_dispatcher")), draft=_draft(region_id=street.pk)
    )
    assert created.appeal.jurisdiction_id == b.pk
    ours = jurisdiction_of_region(district.communities[0].pk)
    assert ours is not None and ours != b.pk


def test_a_place_of_another_district_is_refused(district: District) -> None:
    other_district_build(district)
    street = Region.objects.get(code="B1-01")
    with pytest.raises(ValidationFailed, match="不属于本辖区"):
        services.appeal_create(
            actor=Actor.of(district.user("call_taker")), draft=_draft(region_id=street.pk)
        )
    assert not Appeal.objects.exists()


def test_dispatch_only_to_units_serving_the_appeals_district(district: District) -> None:
    other_district_build(district)
    appeal = appeal_in(district, AppealStatus.SCREENED)
    dispatcher = Actor.of(district.user("dispatcher"))
    theirs = Unit.objects.get(name="东风街道办事处")
    for lead, assists in ((theirs.pk, []), (district.street_units[0].pk, [theirs.pk])):
        with pytest.raises(ValidationFailed):
            services.appeal_dispatch(
                appeal_id=appeal.pk,
                actor=dispatcher,
                expected_version=Appeal.objects.get(pk=appeal.pk).version,
                lead_unit_id=lead,
                assist_unit_ids=assists,
            )
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.SCREENED
    # The city's units serve every district.
    city_office = Unit.objects.create(name="市城市管理局", kind=UnitKind.DEPARTMENT)
    services.appeal_dispatch(
        appeal_id=appeal.pk,
        actor=dispatcher,
        expected_version=Appeal.objects.get(pk=appeal.pk).version,
        lead_unit_id=district.street_units[0].pk,
        assist_unit_ids=[city_office.pk],
    )
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.DISPATCHED


def test_the_pickers_offer_the_districts_units_and_the_citys(district: District) -> None:
    b = other_district_build(district)
    city_office = Unit.objects.create(name="市城市管理局", kind=UnitKind.DEPARTMENT)
    names = set(units_handling(district=b.pk).values_list("name", flat=True))
    assert names == {"东风街道办事处", city_office.name}
    everyone = set(units_handling().values_list("name", flat=True))
    assert names < everyone and district.street_units[0].name in everyone


def test_a_transfer_stays_within_the_district(district: District) -> None:
    other_district_build(district)
    appeal = appeal_in(district, AppealStatus.ACCEPTED)
    theirs = Unit.objects.get(name="东风街道办事处")
    with pytest.raises(ValidationFailed):
        services.transfer_request(
            appeal_id=appeal.pk,
            actor=Actor.of(district.user("handler")),
            expected_version=Appeal.objects.get(pk=appeal.pk).version,
            reason="应由东风街道办理",
            suggested_unit_id=theirs.pk,
        )


def test_the_citizen_form_receives_for_the_host_s_district(client, district, settings) -> None:
    settings.RATELIMIT_ENABLE = False
    b = other_district_build(district)
    submit = reverse("citizen:submit")
    for host, expected in ((b.host, b.pk), ("testserver", None)):
        key = client.get(submit, HTTP_HOST=host).context["submission_key"]
        response = client.post(
            submit,
            {
                "submission_key": key,
                "kind": "complaint",
                "title": f"噪音扰民{host}",
                "content": "夜里施工噪音很大。",
                "appellant_phone": "13812345678",
            },
            HTTP_HOST=host,
        )
        assert response.status_code == 302, response.content.decode()[:300]
        appeal = Appeal.objects.get(title=f"噪音扰民{host}")
        if expected is None:  # a host no district claims: the install's first district
            assert appeal.jurisdiction.region_id == district.district.pk
        else:
            assert appeal.jurisdiction_id == expected
