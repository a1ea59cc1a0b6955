"""Consultations on a city's install: a draft is its creator's district's (for the city's staff,
its issuing unit's); that district's staff and its public site see it, another district's get
404 on every URL and change nothing; the city's staff see every district's."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.consultation import participation, selectors
from minxin.consultation.models import Comment, Consultation, ContactPoint
from minxin.consultation.services import (
    CommentDraft,
    ConsultationDraft,
    comment_answer,
    comment_moderate,
    comment_submit,
    consultation_act,
    consultation_create,
)
from minxin.consultation.workflow import CommentAction, ConsultationAction, ConsultationStatus
from minxin.core.errors import NotFound, ValidationFailed
from minxin.directory.models import Jurisdiction, Region, Unit
from minxin.selection.models import Deputy
from tests.builders import District, other_district_build

from .builders import BODY, open_new

pytestmark = pytest.mark.django_db

OTHERS = ("b_supervisor", "b_leader", "b_admin", "b_dispatcher")
B_TITLE = "《B1区养犬管理规定（征求意见稿）》"


@pytest.fixture(autouse=True)
def _public(public_pages):
    pass


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _b_office() -> Unit:
    return Unit.objects.get(name="东风街道办事处")


def _draft(unit: Unit, title: str) -> ConsultationDraft:
    now = timezone.now()
    return ConsultationDraft(
        title=title,
        issuing_unit_id=unit.pk,
        body=BODY,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=30),
    )


def _closed(d: District) -> tuple[Consultation, Comment, Comment]:
    """An A3 draft whose window has closed, with a published comment (to answer) and a
    pending one (to moderate)."""
    c = open_new(d, at=timezone.now() - timedelta(days=31), title="《A3区已截止的办法》")
    texts = ("建议公示物业收费标准", "建议增加电梯维修条款")
    made = [
        comment_submit(
            consultation_id=c.pk,
            draft=CommentDraft(text=t),
            at=timezone.now() - timedelta(days=20),
        )
        for t in texts
    ]
    comment_moderate(
        actor=d.user("dispatcher"), comment_id=made[0].pk, action=CommentAction.PUBLISH
    )
    closed = consultation_act(
        actor=d.user("supervisor"), consultation_id=c.pk, action=ConsultationAction.CLOSE
    )
    return closed, Comment.objects.get(pk=made[0].pk), Comment.objects.get(pk=made[1].pk)


def test_a_draft_is_its_creators_district(district: District) -> None:
    d = district
    b = other_district_build(d)
    a3 = Jurisdiction.objects.get(pk=d.hotline.jurisdiction_id)
    ours = consultation_create(actor=d.user("supervisor"), draft=_draft(d.departments[1], "甲"))
    theirs = consultation_create(actor=d.user("b_supervisor"), draft=_draft(_b_office(), "乙"))
    # The city's staff: the issuing unit's district; a city unit's: the install's first.
    by_city = consultation_create(actor=d.user("city_leader"), draft=_draft(_b_office(), "丙"))
    city_unit = Unit.objects.get(name="市12345热线中心")
    of_city = consultation_create(actor=d.user("city_leader"), draft=_draft(city_unit, "丁"))
    assert (ours.jurisdiction_id, theirs.jurisdiction_id) == (a3.pk, b.pk)
    assert (by_city.jurisdiction_id, of_city.jurisdiction_id) == (b.pk, a3.pk)
    # A district's office may name its own units or the city's, no other district's.
    with pytest.raises(ValidationFailed, match="请选择起草单位"):
        consultation_create(actor=d.user("supervisor"), draft=_draft(_b_office(), "戊"))
    a3_city = consultation_create(actor=d.user("supervisor"), draft=_draft(city_unit, "己"))
    assert a3_city.jurisdiction_id == a3.pk
    assert Consultation.objects.count() == 5


def test_the_form_offers_the_offices_units_only(district: District) -> None:
    d = district
    other_district_build(d)
    ours = _client(d.user("supervisor")).get(reverse("consultation:new")).content.decode()
    assert d.departments[1].name in ours and "东风街道办事处" not in ours
    city = _client(d.user("city_leader")).get(reverse("consultation:new")).content.decode()
    assert d.departments[1].name in city and "东风街道办事处" in city
    now = timezone.localtime()
    form = {
        "title": "《别区单位起草的办法》",
        "issuing_unit": _b_office().pk,
        "body": BODY,
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
    }
    refused = _client(d.user("supervisor")).post(reverse("consultation:new"), form)
    assert refused.status_code == 400 and "所选单位不存在" in refused.content.decode()
    assert not Consultation.objects.exists()


def test_another_districts_staff_get_404_on_every_url(district: District) -> None:
    d = district
    other_district_build(d)
    c, published, pending = _closed(d)
    urls = {
        "detail": ("get", reverse("consultation:detail", args=[c.pk]), {}),
        "report": ("get", reverse("consultation:report_file", args=[c.pk, "xlsx"]), {}),
        "step": ("post", reverse("consultation:act", args=[c.pk]), {"action": "withdraw"}),
        "comment": (
            "post",
            reverse("consultation:comment_new", args=[c.pk]),
            {"text": "别区的意见"},
        ),
        "answer": (
            "post",
            reverse("consultation:comment_act", args=[c.pk, published.pk]),
            {"action": "answer", "decision": "adopted", "reason": "采纳"},
        ),
        "moderate": (
            "post",
            reverse("consultation:comment_act", args=[c.pk, pending.pk]),
            {"action": "publish"},
        ),
    }
    for key in OTHERS:
        client = _client(d.user(key))
        for name, (method, url, data) in urls.items():
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, (key, name, response.status_code)
    version = c.version
    c.refresh_from_db()
    assert (c.status, c.version) == (ConsultationStatus.CLOSED, version)
    assert Comment.objects.count() == 2
    assert Comment.objects.get(pk=published.pk).decision == ""
    assert Comment.objects.get(pk=pending.pk).status == "pending"
    # The services refuse the same, as unknown.
    with pytest.raises(NotFound):
        consultation_act(
            actor=d.user("b_supervisor"), consultation_id=c.pk, action=ConsultationAction.REPORT
        )
    with pytest.raises(NotFound):
        comment_moderate(
            actor=d.user("b_dispatcher"), comment_id=pending.pk, action=CommentAction.PUBLISH
        )
    # Its own district's office and the city's staff see it.
    assert _client(d.user("supervisor")).get(urls["report"][1]).status_code == 200
    for key in ("supervisor", "city_leader", "city_dispatcher"):
        assert _client(d.user(key)).get(urls["detail"][1]).status_code == 200, key


def test_the_lists_are_the_districts_the_citys_all(district: District) -> None:
    d = district
    other_district_build(d)
    ours = open_new(d, at=timezone.now() - timedelta(hours=1))
    theirs = consultation_create(actor=d.user("b_supervisor"), draft=_draft(_b_office(), B_TITLE))
    assert list(selectors.consultations_for(d.user("supervisor"))) == [ours]
    assert list(selectors.consultations_for(d.user("b_supervisor"))) == [theirs]
    assert set(selectors.consultations_for(d.user("city_leader"))) == {ours, theirs}
    page = _client(d.user("b_leader")).get(reverse("consultation:list")).content.decode()
    assert B_TITLE in page and ours.title not in page
    page = _client(d.user("leader")).get(reverse("consultation:list")).content.decode()
    assert ours.title in page and B_TITLE not in page
    city = _client(d.user("city_leader")).get(reverse("consultation:list")).content.decode()
    assert ours.title in city and B_TITLE in city


def test_the_contact_points_offered_are_the_drafts_districts(district: District) -> None:
    d = district
    other_district_build(d)
    c = open_new(d, at=timezone.now() - timedelta(hours=1))
    ours = ContactPoint.objects.create(name="景蓉社区联系点", region=d.communities[0])
    anywhere = ContactPoint.objects.create(name="区人大联系点")
    theirs = ContactPoint.objects.create(
        name="东风街道联系点", region=Region.objects.get(code="B1-01")
    )
    offered = set(selectors.contact_points_active(district=c.jurisdiction_id))
    assert offered == {ours, anywhere}
    page = _client(d.user("supervisor")).get(reverse("consultation:detail", args=[c.pk]))
    assert "景蓉社区联系点" in page.content.decode()
    assert "东风街道联系点" not in page.content.decode()
    with pytest.raises(ValidationFailed, match="联系点"):
        comment_submit(
            consultation_id=c.pk,
            actor=d.user("supervisor"),
            draft=CommentDraft(text="联系点收集的意见", contact_point_id=theirs.pk),
        )
    assert not Comment.objects.exists()
    made = comment_submit(
        consultation_id=c.pk,
        actor=d.user("supervisor"),
        draft=CommentDraft(text="联系点收集的意见", contact_point_id=ours.pk),
    )
    assert made.contact_point_id == ours.pk


def test_the_public_pages_are_the_hosts_district(district: District) -> None:
    d = district
    b = other_district_build(d)
    ours = open_new(d, at=timezone.now() - timedelta(hours=1))
    theirs = consultation_act(
        actor=d.user("b_supervisor"),
        consultation_id=consultation_create(
            actor=d.user("b_supervisor"), draft=_draft(_b_office(), B_TITLE)
        ).pk,
        action=ConsultationAction.PUBLISH,
    )
    public = Client()
    at_b = {"HTTP_HOST": b.host}
    mine = reverse("public_consultation:detail", args=[ours.pk])
    assert public.get(mine).status_code == 200
    assert public.get(mine, **at_b).status_code == 404
    assert public.get(reverse("public_consultation:detail", args=[theirs.pk])).status_code == 404
    assert (
        public.get(reverse("public_consultation:detail", args=[theirs.pk]), **at_b).status_code
        == 200
    )
    post = reverse("public_consultation:comment", args=[ours.pk])
    assert public.post(post, {"text": "别区网友的意见"}, **at_b).status_code == 404
    assert not Comment.objects.exists()
    assert public.post(post, {"text": "本区网友的意见"}).status_code == 302
    # The feedback report of a reported draft: on its own district's site only.
    done, published, pending = _closed(d)
    comment_moderate(
        actor=d.user("dispatcher"), comment_id=pending.pk, action=CommentAction.PUBLISH
    )
    for comment in (published, pending):
        comment_answer(
            actor=d.user("supervisor"), comment_id=comment.pk, decision="adopted", reason="采纳"
        )
    consultation_act(
        actor=d.user("supervisor"), consultation_id=done.pk, action=ConsultationAction.REPORT
    )
    report = reverse("public_consultation:report_file", args=[done.pk, "xlsx"])
    assert public.get(report).status_code == 200
    assert public.get(report, **at_b).status_code == 404
    assert (
        public.get(reverse("public_consultation:detail", args=[done.pk]), **at_b).status_code == 404
    )
    # The index's section: the host's district's drafts only.
    rows = participation.sections(district=b.pk)[0]["rows"]
    assert list(rows) == [theirs]
    ours_listed = participation.sections(district=ours.jurisdiction_id)[0]["rows"]
    assert set(ours_listed) == {ours, done}
    index = public.get(reverse("public_selection:index"), **at_b).content.decode()
    assert theirs.title in index and ours.title not in index  # the index passes the host's


def test_a_deputy_reads_their_constituencys_districts_drafts(district: District) -> None:
    """A deputy has no unit: their district is their constituency's (selection's Deputy)."""
    d = district
    other_district_build(d)
    ours = open_new(d, at=timezone.now() - timedelta(hours=1))
    theirs = consultation_create(actor=d.user("b_supervisor"), draft=_draft(_b_office(), B_TITLE))
    theirs = consultation_act(
        actor=d.user("b_supervisor"),
        consultation_id=theirs.pk,
        action=ConsultationAction.PUBLISH,
    )

    def deputy(name: str, constituency: str | None) -> User:
        user = User.objects.create_user(username=name, password="x", role=Role.DEPUTY)
        if constituency is not None:
            Deputy.objects.create(user=user, constituency=Region.objects.get(code=constituency))
        return User.objects.get(pk=user.pk)

    b_street = deputy("b_deputy", "B1-01")
    a_street = deputy("a_deputy", d.street_units[0].region.code)
    assert list(selectors.consultations_for(b_street)) == [theirs]
    assert list(selectors.consultations_for(a_street)) == [ours]
    page = _client(b_street).get(reverse("consultation:list")).content.decode()
    assert B_TITLE in page and ours.title not in page
    detail = reverse("consultation:detail", args=[ours.pk])
    assert _client(b_street).get(detail).status_code == 404
    # An account of the deputy role on no roll: no district, as the city's staff.
    assert set(selectors.consultations_for(deputy("unlisted", None))) == {ours, theirs}
