"""Selection rounds on a city's install: a round is its programme's district's. Its office
creates, sees and runs it (another district's is missing and unchanged), its deputies see
and vote on it, its candidates are the district's units, places, suggestions and hotspots,
and its public pages are under the district's host."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.core.errors import NotFound, ValidationFailed
from minxin.directory.models import Jurisdiction, Region, Unit
from minxin.projects.models import Programme
from minxin.selection import selectors
from minxin.selection.models import Candidate, Deputy, DeputyVote, SelectionRound
from minxin.selection.services import (
    RoundDraft,
    candidate_add,
    deputy_vote,
    round_act,
    round_create,
)
from minxin.selection.workflow import RoundAction, RoundStatus
from tests.builders import District, other_district_build

from .builders import candidate_draft, candidates_add, deputies_new, round_new

pytestmark = pytest.mark.django_db

B1_UNIT = "东风街道办事处"
B1_HOST = "b1.example.gov.cn"


@pytest.fixture(autouse=True)
def _public(public_pages):
    return None


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _programme(b: Jurisdiction) -> Programme:
    return Programme.objects.create(name="B1区民生实事项目", year=2027, jurisdiction=b)


def _round(d: District, actor: str, programme: Programme, region_id: int) -> SelectionRound:
    now = timezone.now()
    return round_create(
        actor=d.user(actor),
        draft=RoundDraft(
            title=f"{programme.name}票决",
            programme_id=programme.pk,
            region_id=region_id,
            comment_closes_at=now + timedelta(days=7),
            vote_opens_at=now + timedelta(days=7),
            vote_closes_at=now + timedelta(days=9),
        ),
        at=now,
    )


def _b_candidate(d: District, name: str, **overrides: object):
    street, unit = Region.objects.get(code="B1-01"), Unit.objects.get(name=B1_UNIT)
    fields: dict[str, object] = {"lead_unit_id": unit.pk, "region_id": street.pk}
    return candidate_draft(d, name, **{**fields, **overrides})


def _b_round(d: District, b: Jurisdiction) -> SelectionRound:
    """A round of B1's programme over the whole of B1, with two candidates of B1's street."""
    assert b.region_id is not None
    selection = _round(d, "b_supervisor", _programme(b), b.region_id)
    for name in ("东风路加装路灯", "东风社区老年食堂"):
        candidate_add(
            actor=d.user("b_supervisor"), round_id=selection.pk, draft=_b_candidate(d, name)
        )
    return selection


def _published(d: District, selection: SelectionRound, actor: str) -> SelectionRound:
    return round_act(actor=d.user(actor), round_id=selection.pk, action=RoundAction.PUBLISH)


def _voting(d: District, selection: SelectionRound, actor: str) -> SelectionRound:
    _published(d, selection, actor)
    now = timezone.now()
    SelectionRound.objects.filter(pk=selection.pk).update(  # test-only: the comment ended
        comment_closes_at=now - timedelta(hours=2), vote_opens_at=now - timedelta(hours=1)
    )
    return round_act(actor=d.user(actor), round_id=selection.pk, action=RoundAction.OPEN_VOTE)


def _a_round(d: District) -> SelectionRound:
    now = timezone.now()
    selection = round_new(d, at=now)
    candidates_add(d, selection, ["景蓉小区加装电梯", "银杉社区老年食堂"], at=now)
    return selection


def _b_deputy() -> Deputy:
    user = User.objects.create_user(
        username="b_dep", password="pw-b_dep", role=Role.DEPUTY, display_name="B1代表"
    )
    return Deputy.objects.create(user=user, constituency=Region.objects.get(code="B1-01"))


def test_a_round_is_its_programmes_district(district: District) -> None:
    d = district
    b = other_district_build(d)
    assert b.region_id is not None
    theirs = _programme(b)
    # A district's office may not put a round into another district's programme.
    with pytest.raises(ValidationFailed, match="所选年度计划不属于本辖区"):
        _round(d, "supervisor", theirs, b.region_id)
    ours = round_new(d)
    assert ours.jurisdiction_id == ours.programme.jurisdiction_id != b.pk
    assert _round(d, "b_supervisor", theirs, b.region_id).jurisdiction_id == b.pk
    # Its region lies in the programme's district (its roll is that district's deputies).
    with pytest.raises(ValidationFailed, match="所属的辖区内"):
        _round(d, "b_supervisor", theirs, d.district.pk)
    # The city's staff put a round into any district's programme: it is that district's.
    assert _round(d, "city_leader", theirs, b.region_id).jurisdiction_id == b.pk
    assert (
        _round(d, "city_leader", ours.programme, d.district.pk).jurisdiction_id
        == ours.jurisdiction_id
    )


def test_the_new_rounds_form_offers_the_viewers_district(district: District) -> None:
    d = district
    b = other_district_build(d)
    theirs = _programme(b)
    ours = Programme.objects.create(name="A3区民生实事项目", year=2027)
    page = _client(d.user("b_supervisor")).get(reverse("selection:round_new"))
    assert list(page.context["programmes"]) == [theirs]
    assert {r.code for r in page.context["regions"]} == {"B1", "B1-01"}
    city = _client(d.user("city_leader")).get(reverse("selection:round_new"))
    assert set(city.context["programmes"]) == {ours, theirs}
    # Posted anyway, another district's programme is refused with the reason and a 400.
    now = timezone.localtime()
    form = {
        "title": "2027年民生实事项目票决",
        "programme": ours.pk,
        "region": b.region_id,
        "comment_closes_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "vote_opens_at": (now + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M"),
        "vote_closes_at": (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "pass_base": "present",
        "pass_percent": "50",
    }
    refused = _client(d.user("b_supervisor")).post(reverse("selection:round_new"), form)
    assert refused.status_code == 400
    assert "所选年度计划不属于本辖区" in refused.content.decode()
    assert not SelectionRound.objects.exists()


def test_a_districts_office_sees_and_runs_its_rounds_only(district: District) -> None:
    d = district
    b = other_district_build(d)
    ours, theirs = _a_round(d), _b_round(d, b)
    ours.refresh_from_db()
    assert list(selectors.rounds_for(d.user("supervisor"))) == [ours]
    assert list(selectors.rounds_for(d.user("b_supervisor"))) == [theirs]
    assert set(selectors.rounds_for(d.user("city_leader"))) == {ours, theirs}
    with pytest.raises(NotFound):
        selectors.round_get_for(d.user("b_leader"), ours.pk)
    # Every page and step of another district's round: 404, and the round unchanged.
    office = _client(d.user("b_supervisor"))
    for url in (
        reverse("selection:round_detail", args=[ours.pk]),
        reverse("selection:candidate_new", args=[ours.pk]),
    ):
        assert office.get(url).status_code == 404, url
    step = office.post(
        reverse("selection:round_act", args=[ours.pk]),
        {"action": "publish", "version": ours.version},
    )
    assert step.status_code == 404
    with pytest.raises(NotFound):
        round_act(actor=d.user("b_supervisor"), round_id=ours.pk, action=RoundAction.PUBLISH)
    with pytest.raises(NotFound):
        candidate_add(
            actor=d.user("b_supervisor"), round_id=ours.pk, draft=_b_candidate(d, "东风路")
        )
    after = SelectionRound.objects.get(pk=ours.pk)
    assert (after.status, after.version) == (RoundStatus.DRAFT, ours.version)
    assert ours.candidates.count() == 2
    listing = office.get(reverse("selection:round_list")).content.decode()
    assert theirs.title in listing and ours.title not in listing
    # The city's leader runs either.
    assert (
        _client(d.user("city_leader"))
        .get(reverse("selection:round_detail", args=[ours.pk]))
        .status_code
        == 200
    )


def test_candidates_are_the_rounds_districts(district: District) -> None:
    d = district
    b = other_district_build(d)
    theirs = _b_round(d, b)
    add = {"actor": d.user("b_supervisor"), "round_id": theirs.pk}
    with pytest.raises(ValidationFailed, match="本辖区的牵头单位"):
        candidate_add(**add, draft=_b_candidate(d, "桂花坪", lead_unit_id=d.street_units[0].pk))
    with pytest.raises(ValidationFailed, match="不在本辖区内"):
        candidate_add(**add, draft=_b_candidate(d, "景蓉", region_id=d.communities[0].pk))
    # A unit of the city serves every district.
    city = Unit.objects.get(name="市12345热线中心")
    assert candidate_add(**add, draft=_b_candidate(d, "市级", lead_unit_id=city.pk)).pk
    assert theirs.candidates.count() == 3
    page = _client(d.user("b_supervisor")).get(reverse("selection:candidate_new", args=[theirs.pk]))
    assert B1_UNIT in {u.name for u in page.context["units"]}
    assert not {u.pk for u in page.context["units"]} & {u.pk for u in d.street_units}
    assert {r.code for r in page.context["regions"]} == {"B1-01"}


def test_a_deputy_sees_and_votes_on_their_districts_rounds(district: District) -> None:
    d = district
    b = other_district_build(d)
    ours, theirs = _a_round(d), _b_round(d, b)
    (a_deputy,), b_deputy = deputies_new(d, 1), _b_deputy()
    _published(d, ours, "supervisor")
    _published(d, theirs, "b_supervisor")
    assert list(selectors.rounds_for(a_deputy.user)) == [ours]
    assert list(selectors.rounds_for(b_deputy.user)) == [theirs]
    assert (
        _client(b_deputy.user).get(reverse("selection:round_detail", args=[ours.pk])).status_code
        == 404
    )
    # The vote: each round's roll is its district's deputies; another's round is missing.
    SelectionRound.objects.filter(pk__in=[ours.pk, theirs.pk]).update(
        comment_closes_at=timezone.now() - timedelta(hours=2),
        vote_opens_at=timezone.now() - timedelta(hours=1),
    )
    round_act(actor=d.user("supervisor"), round_id=ours.pk, action=RoundAction.OPEN_VOTE)
    round_act(actor=d.user("b_supervisor"), round_id=theirs.pk, action=RoundAction.OPEN_VOTE)
    assert list(ours.roster.values_list("deputy", flat=True)) == [a_deputy.pk]
    assert list(theirs.roster.values_list("deputy", flat=True)) == [b_deputy.pk]
    choices = {c.pk: "for" for c in Candidate.objects.filter(round=ours)}
    with pytest.raises(NotFound):
        deputy_vote(actor=b_deputy.user, round_id=ours.pk, choices=choices)
    assert not DeputyVote.objects.exists()
    deputy_vote(actor=a_deputy.user, round_id=ours.pk, choices=choices)
    assert DeputyVote.objects.filter(round=ours).count() == 2


def test_the_public_pages_are_the_hosts_district(client: Client, district: District) -> None:
    d = district
    b = other_district_build(d)
    ours, theirs = _a_round(d), _b_round(d, b)
    _published(d, ours, "supervisor")
    _published(d, theirs, "b_supervisor")
    index = reverse("public_selection:index")
    here = client.get(index).content.decode()
    there = client.get(index, HTTP_HOST=B1_HOST).content.decode()
    assert ours.title in here and theirs.title not in here
    assert theirs.title in there and ours.title not in there
    ours_page = reverse("public_selection:round_detail", args=[ours.pk])
    assert client.get(ours_page).status_code == 200
    assert client.get(ours_page, HTTP_HOST=B1_HOST).status_code == 404
    theirs_page = reverse("public_selection:round_detail", args=[theirs.pk])
    assert client.get(theirs_page, HTTP_HOST=B1_HOST).status_code == 200
    assert client.get(reverse("public_selection:vote", args=[theirs.pk])).status_code == 404
    # A comment on another district's round under this host: 404, nothing kept.
    candidate = theirs.candidates.first()
    assert candidate is not None
    posted = client.post(
        reverse("public_selection:comment", args=[theirs.pk, candidate.pk]), {"text": "支持"}
    )
    assert posted.status_code == 404
    assert not candidate.comments.exists()
