"""Panel evaluations on a city's install: an evaluation is its creator's district's (the
city's staff pick one). Its office sees and runs it (another district's is missing and
unchanged), grades the district's units (and the city's), seats the district's deputies,
and its results are published on the district's site."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.core.errors import NotFound, ValidationFailed
from minxin.directory.models import Jurisdiction, Region, Unit
from minxin.panels import selectors
from minxin.panels.models import Evaluation
from minxin.panels.services import (
    EvaluationDraft,
    HearingDraft,
    evaluation_act,
    evaluation_create,
    hearing_record,
    panellist_invite,
)
from minxin.panels.workflow import EvaluationAction, EvaluationStatus
from minxin.selection.models import Deputy
from tests.builders import District, other_district_build

from .builders import T0, deputy_account, evaluation_new

pytestmark = pytest.mark.django_db

B1_UNIT = "东风街道办事处"
B1_HOST = "b1.example.gov.cn"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _draft(*unit_ids: int, district_id: int | None = None) -> EvaluationDraft:
    return EvaluationDraft(
        title="2026年度街道背对背测评",
        opens_at=T0,
        closes_at=T0 + timedelta(days=10),
        unit_ids=unit_ids,
        items=(("服务态度", 10), ("办理效率", 10)),
        district_id=district_id,
    )


def _b_evaluation(d: District) -> Evaluation:
    unit = Unit.objects.get(name=B1_UNIT)
    return evaluation_create(actor=d.user("b_supervisor"), draft=_draft(unit.pk), at=T0)


def _closed(d: District, evaluation: Evaluation, actor: str) -> Evaluation:
    user = d.user(actor)
    panellist_invite(actor=user, evaluation_id=evaluation.pk, name="李大妈", group="resident")
    evaluation_act(actor=user, evaluation_id=evaluation.pk, action=EvaluationAction.OPEN, at=T0)
    return evaluation_act(
        actor=user,
        evaluation_id=evaluation.pk,
        action=EvaluationAction.CLOSE,
        at=T0 + timedelta(days=11),
    )


def test_an_evaluation_is_its_creators_district(district: District) -> None:
    d = district
    b = other_district_build(d)
    b_unit, city = Unit.objects.get(name=B1_UNIT), Unit.objects.get(name="市12345热线中心")
    made = evaluation_create(actor=d.user("b_supervisor"), draft=_draft(b_unit.pk, city.pk))
    assert made.jurisdiction_id == b.pk
    assert evaluation_new(d).jurisdiction_id == Jurisdiction.objects.order_by("pk")[0].pk
    # Only the district's own units (and the city's); only its own district.
    with pytest.raises(ValidationFailed, match="本辖区的单位"):
        evaluation_create(actor=d.user("b_supervisor"), draft=_draft(d.departments[0].pk))
    with pytest.raises(ValidationFailed, match="只能新建本辖区的测评"):
        evaluation_create(
            actor=d.user("b_supervisor"),
            draft=_draft(b_unit.pk, district_id=d.departments[0].jurisdiction_id),
        )
    # The city's staff pick the district (else the install's first).
    picked = evaluation_create(
        actor=d.user("city_leader"), draft=_draft(b_unit.pk, district_id=b.pk)
    )
    assert picked.jurisdiction_id == b.pk
    first = evaluation_create(actor=d.user("city_leader"), draft=_draft(d.departments[0].pk))
    assert first.jurisdiction_id == d.departments[0].jurisdiction_id
    with pytest.raises(ValidationFailed, match="本辖区的单位"):
        evaluation_create(actor=d.user("city_leader"), draft=_draft(b_unit.pk))
    assert Evaluation.objects.count() == 4


def test_the_new_evaluation_form(district: District) -> None:
    d = district
    b = other_district_build(d)
    page = _client(d.user("b_supervisor")).get(reverse("panels:new"))
    assert page.context["districts"] == []
    assert {u.name for u in page.context["units"]} == {B1_UNIT}
    city = _client(d.user("city_leader"))
    assert (b.pk, "B1区") in city.get(reverse("panels:new")).context["districts"]
    posted = city.post(
        reverse("panels:new"),
        {
            "title": "B1区街道测评",
            "opens_at": "2026-11-02T09:00",
            "closes_at": "2026-11-12T09:00",
            "units": [Unit.objects.get(name=B1_UNIT).pk],
            "item_1": "服务态度",
            "max_1": "10",
            "district": b.pk,
        },
    )
    assert posted.status_code == 302
    assert Evaluation.objects.get().jurisdiction_id == b.pk


def test_a_districts_office_sees_and_runs_its_evaluations_only(district: District) -> None:
    d = district
    other_district_build(d)
    ours, theirs = evaluation_new(d), _b_evaluation(d)
    assert list(selectors.evaluations_for(d.user("supervisor"))) == [ours]
    assert list(selectors.evaluations_for(d.user("b_supervisor"))) == [theirs]
    assert set(selectors.evaluations_for(d.user("city_leader"))) == {ours, theirs}
    with pytest.raises(NotFound):
        selectors.evaluation_get_for(d.user("b_leader"), ours.pk)
    office = _client(d.user("b_supervisor"))
    assert office.get(reverse("panels:detail", args=[ours.pk])).status_code == 404
    for posted in (
        {"action": "invite", "name": "王秀兰", "group": "resident"},
        {"action": "open", "version": ours.version},
    ):
        assert office.post(reverse("panels:act", args=[ours.pk]), posted).status_code == 404
    b_sup = d.user("b_supervisor")
    with pytest.raises(NotFound):
        panellist_invite(actor=b_sup, evaluation_id=ours.pk, name="王秀兰", group="resident")
    with pytest.raises(NotFound):
        evaluation_act(actor=b_sup, evaluation_id=ours.pk, action=EvaluationAction.OPEN, at=T0)
    with pytest.raises(NotFound):
        hearing_record(
            actor=b_sup,
            evaluation_id=ours.pk,
            draft=HearingDraft(
                unit_id=d.departments[0].pk,
                held_at=T0,
                question="为何拖延？",
                asked_by="王秀兰",
                answer="已整改",
            ),
        )
    after = Evaluation.objects.get(pk=ours.pk)
    assert (after.status, after.version) == (EvaluationStatus.DRAFT, ours.version)
    assert not after.panellists.exists() and not after.hearings.exists()
    listing = office.get(reverse("panels:list")).content.decode()
    assert f'data-evaluation="{theirs.pk}"' in listing
    assert f'data-evaluation="{ours.pk}"' not in listing
    city = _client(d.user("city_leader"))
    assert city.get(reverse("panels:detail", args=[ours.pk])).status_code == 200


def test_the_districts_deputies_sit_on_its_panels(district: District) -> None:
    d = district
    other_district_build(d)
    theirs = _b_evaluation(d)
    a_dep, b_dep, unlisted = deputy_account(1), deputy_account(2), deputy_account(3)
    Deputy.objects.create(user=a_dep, constituency=d.communities[0])
    Deputy.objects.create(user=b_dep, constituency=Region.objects.get(code="B1-01"))
    assert set(selectors.deputies_to_seat(theirs)) == {b_dep, unlisted}
    assert set(selectors.deputies_to_seat(evaluation_new(d))) == {a_dep, unlisted}
    with pytest.raises(ValidationFailed, match="不是本辖区的人大代表"):
        panellist_invite(actor=d.user("b_supervisor"), evaluation_id=theirs.pk, user_id=a_dep.pk)
    panellist_invite(actor=d.user("b_supervisor"), evaluation_id=theirs.pk, user_id=b_dep.pk)
    assert list(theirs.panellists.values_list("user", flat=True)) == [b_dep.pk]
    assert User.objects.filter(role=Role.DEPUTY).count() == 3


def test_the_results_are_public_on_the_districts_site(
    client: Client, district: District, public_pages
) -> None:
    d = district
    other_district_build(d)
    ours = _closed(d, evaluation_new(d), "supervisor")
    theirs = _closed(d, _b_evaluation(d), "b_supervisor")
    ours_page = reverse("public_panels:results", args=[ours.pk])
    assert client.get(ours_page).status_code == 200
    assert client.get(ours_page, HTTP_HOST=B1_HOST).status_code == 404
    theirs_page = reverse("public_panels:results", args=[theirs.pk])
    assert client.get(theirs_page, HTTP_HOST=B1_HOST).status_code == 200
    assert client.get(theirs_page).status_code == 404
    index = reverse("public_selection:index")
    here = client.get(index).content.decode()
    there = client.get(index, HTTP_HOST=B1_HOST).content.decode()
    assert ours_page in here and theirs_page not in here
    assert theirs_page in there and ours_page not in there
