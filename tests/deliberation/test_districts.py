"""The deliberation hall on a city's install: a topic is its district's (its proposer's: the
street's, the public page's host's; for the city's staff, its community's); another district's
staff get 404 on every URL and change nothing; the city's staff see every district's; the
public pages are the host's district's; a candidate project goes only into a programme of the
topic's district."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.core.errors import NotFound, ValidationFailed
from minxin.deliberation import participation, selectors
from minxin.deliberation.models import Decision, Topic, TopicSupport
from minxin.deliberation.public_views import PURPOSE
from minxin.deliberation.services import (
    DecisionDraft,
    TopicDraft,
    decision_record,
    topic_hold,
    topic_propose,
    topic_schedule,
)
from minxin.deliberation.workflow import TopicStatus
from minxin.directory.models import Jurisdiction, Region
from minxin.notify.phone import phone_confirmed_keep
from tests.builders import District, other_district_build
from tests.projects.builders import programme_new

from .builders import hashed, topic_new

pytestmark = pytest.mark.django_db

OTHERS = ("b_supervisor", "b_leader", "b_admin", "b_handler")


@pytest.fixture(autouse=True)
def _public(public_pages):
    pass


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _b_street() -> Region:
    return Region.objects.get(code="B1-01")


def _theirs(d: District) -> Topic:
    """A topic of B1's street, proposed by its handler."""
    return topic_propose(
        draft=TopicDraft(
            "东风路口增设非机动车停车区", "路口电动车乱停，影响通行。", _b_street().pk
        ),
        actor=d.user("b_handler"),
    )


def _held(topic: Topic, actor) -> Topic:
    topic_schedule(
        actor=actor,
        topic_id=topic.pk,
        meeting_at=timezone.now() + timedelta(days=1),
        place="社区党群服务中心",
    )
    return topic_hold(
        actor=actor,
        topic_id=topic.pk,
        minutes="一致同意。",
        participants={"residents": ["王秀兰"]},
    )


def _confirmed(client: Client) -> Client:
    session = client.session
    phone_confirmed_keep(session, purpose=PURPOSE, phone_hash=hashed(7))
    session.save()
    return client


def test_a_topic_is_its_proposers_district(district: District) -> None:
    d = district
    b = other_district_build(d)
    a3 = d.hotline.jurisdiction_id
    assert topic_new(d).jurisdiction_id == a3  # a resident on the district's own site
    assert topic_new(d, by_resident=False, title="街道提出").jurisdiction_id == a3
    assert _theirs(d).jurisdiction_id == b.pk
    # The city's staff: the community's district.
    by_city = topic_propose(
        draft=TopicDraft("东风街道议题", "说明", _b_street().pk), actor=d.user("city_leader")
    )
    assert by_city.jurisdiction_id == b.pk
    # A community of another district is refused, for staff and for a host's residents.
    with pytest.raises(ValidationFailed, match="所选社区不属于本辖区"):
        topic_propose(draft=TopicDraft("议题", "说明", _b_street().pk), actor=d.user("supervisor"))
    with pytest.raises(ValidationFailed, match="所选社区不属于本辖区"):
        topic_propose(
            draft=TopicDraft("议题", "说明", d.communities[0].pk),
            phone_hash=hashed(3),
            district=b.pk,
        )
    assert Topic.objects.count() == 4


def test_another_districts_staff_get_404_on_every_url(district: District) -> None:
    d = district
    other_district_build(d)
    proposed = topic_new(d)
    held = _held(topic_new(d, by_resident=False, title="已开会的议题"), d.user("handler"))
    when = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    steps = [
        (proposed, {"action": "schedule", "meeting_at": when, "place": "别处"}),
        (proposed, {"action": "decline", "reason": "不予议事"}),
        (held, {"action": "decide", "reason": "别区的议定", "kind": "note"}),
        (held, {"action": "close"}),
    ]
    before = {t.pk: (t.status, t.version) for t in Topic.objects.all()}
    for key in OTHERS:
        client = _client(d.user(key))
        for topic in (proposed, held):
            url = reverse("deliberation:detail", args=[topic.pk])
            assert client.get(url).status_code == 404, (key, topic.title)
        for topic, data in steps:
            response = client.post(reverse("deliberation:act", args=[topic.pk]), data)
            assert response.status_code == 404, (key, data["action"])
    assert {t.pk: (t.status, t.version) for t in Topic.objects.all()} == before
    assert not Decision.objects.exists()
    # The services refuse the same, as unknown.
    with pytest.raises(NotFound):
        topic_schedule(
            actor=d.user("b_supervisor"),
            topic_id=proposed.pk,
            meeting_at=timezone.now() + timedelta(days=1),
            place="别处",
        )
    with pytest.raises(NotFound):
        decision_record(
            actor=d.user("b_supervisor"), topic_id=held.pk, draft=DecisionDraft("x", "note")
        )
    # The district's own office and the city's staff see both.
    for key in ("supervisor", "city_leader"):
        client = _client(d.user(key))
        for topic in (proposed, held):
            assert client.get(reverse("deliberation:detail", args=[topic.pk])).status_code == 200


def test_the_lists_are_the_districts_the_citys_all(district: District) -> None:
    d = district
    other_district_build(d)
    ours = topic_new(d)
    theirs = _theirs(d)
    assert list(selectors.topics_for(d.user("supervisor"))) == [ours]
    assert list(selectors.topics_for(d.user("b_supervisor"))) == [theirs]
    assert list(selectors.topics_for(d.user("b_handler"))) == [theirs]
    assert set(selectors.topics_for(d.user("city_leader"))) == {ours, theirs}
    page = _client(d.user("b_leader")).get(reverse("deliberation:list")).content.decode()
    assert theirs.title in page and ours.title not in page
    page = _client(d.user("leader")).get(reverse("deliberation:list")).content.decode()
    assert ours.title in page and theirs.title not in page
    city = _client(d.user("city_leader")).get(reverse("deliberation:list")).content.decode()
    assert ours.title in city and theirs.title in city


def test_the_pickers_offer_the_districts_places_and_programmes(district: District) -> None:
    d = district
    b = other_district_build(d)
    ours_programme = programme_new(name="A3区民心工程")
    theirs_programme = programme_new(name="B1区民心工程", jurisdiction=b)
    places = _client(d.user("supervisor")).get(reverse("deliberation:new")).context["regions"]
    assert d.communities[0] in places and _b_street() not in places
    places = _client(d.user("city_leader")).get(reverse("deliberation:new")).context["regions"]
    assert d.communities[0] in places and _b_street() in places
    refused = _client(d.user("supervisor")).post(
        reverse("deliberation:new"),
        {"title": "别区议题", "description": "说明", "region": _b_street().pk},
    )
    assert refused.status_code == 400 and "所选社区不属于本辖区" in refused.content.decode()
    # A topic's page offers its district's programmes, to its office and to the city's staff.
    ours, theirs = topic_new(d), _theirs(d)
    for key in ("supervisor", "city_leader"):
        page = _client(d.user(key)).get(reverse("deliberation:detail", args=[ours.pk]))
        assert list(page.context["programmes"]) == [ours_programme], key
    page = _client(d.user("city_leader")).get(reverse("deliberation:detail", args=[theirs.pk]))
    assert list(page.context["programmes"]) == [theirs_programme]


def test_a_candidate_project_goes_into_the_topics_districts_programme(district: District) -> None:
    d = district
    b = other_district_build(d)
    theirs_programme = programme_new(name="B1区民心工程", jurisdiction=b)
    ours_programme = programme_new(name="A3区民心工程")
    topic = _held(topic_new(d, by_resident=False), d.user("handler"))
    act = reverse("deliberation:act", args=[topic.pk])
    for key in ("supervisor", "city_leader"):
        refused = _client(d.user(key)).post(
            act,
            {
                "action": "decide",
                "reason": "口袋公园建设",
                "kind": "project",
                "programme": theirs_programme.pk,
            },
        )
        assert refused.status_code == 400, key
        assert "所选年度计划不属于本议题所在辖区" in refused.content.decode()
    assert not Decision.objects.exists()
    made = decision_record(
        actor=d.user("city_leader"),
        topic_id=topic.pk,
        draft=DecisionDraft("口袋公园建设", "project", programme_id=ours_programme.pk),
    )
    assert made.project is not None and made.project.programme_id == ours_programme.pk


def test_the_city_records_an_appeal_of_the_topics_district(district: District) -> None:
    d = district
    b = other_district_build(d)
    topic = _held(_theirs(d), d.user("city_leader"))
    decided = decision_record(
        actor=d.user("city_leader"),
        topic_id=topic.pk,
        draft=DecisionDraft("请城管部门清理路口", "appeal"),
    )
    appeal = Appeal.objects.get(pk=decided.appeal_id)
    assert appeal.jurisdiction_id == b.pk
    assert Topic.objects.get(pk=topic.pk).status == TopicStatus.DELIBERATED


def test_the_public_pages_are_the_hosts_district(district: District) -> None:
    d = district
    b = other_district_build(d)
    ours, theirs = topic_new(d), _theirs(d)
    public = _confirmed(Client())
    at_b = {"HTTP_HOST": b.host}
    mine = reverse("public_deliberation:detail", args=[ours.pk])
    assert public.get(mine).status_code == 200
    assert public.get(mine, **at_b).status_code == 404
    other = reverse("public_deliberation:detail", args=[theirs.pk])
    assert public.get(other).status_code == 404
    assert public.get(other, **at_b).status_code == 200
    support = reverse("public_deliberation:support", args=[ours.pk])
    assert public.post(support, **at_b).status_code == 404
    assert not TopicSupport.objects.exists()
    assert public.post(support).status_code == 302
    # The form under B1's host: its communities, and the topic is B1's.
    new = reverse("public_deliberation:new")
    regions = public.get(new, **at_b).context["regions"]
    assert _b_street() in regions and d.communities[0] not in regions
    refused = public.post(
        new, {"title": "别区议题", "description": "说明", "region": d.communities[0].pk}, **at_b
    )
    assert refused.status_code == 400 and "所选社区不属于本辖区" in refused.content.decode()
    made = public.post(
        new, {"title": "东风路口加装护栏", "description": "说明", "region": _b_street().pk}, **at_b
    )
    assert made.status_code == 302
    assert Topic.objects.get(title="东风路口加装护栏").jurisdiction_id == b.pk
    # The index's section: the host's district's topics only.
    listed = set(participation.sections(district=b.pk)[0]["rows"])
    assert listed == {theirs, Topic.objects.get(title="东风路口加装护栏")}
    a3 = Jurisdiction.objects.get(pk=ours.jurisdiction_id)
    assert list(participation.sections(district=a3.pk)[0]["rows"]) == [ours]
