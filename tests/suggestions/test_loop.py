"""A forwarded suggestion runs the whole loop: the dispatcher's queue, dispatch to the chosen
unit, accept, first contact, reply; the proposer sees the reply and may rate it."""

from django.test import Client
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.cases import selectors as case_selectors
from minxin.cases import services as case_services
from minxin.cases.models import Appeal
from minxin.cases.workflow import Action, AppealStatus
from minxin.deadlines.models import Urgency
from minxin.suggestions import services

from .conftest import under_review


def test_forwarded_suggestion_completes_the_loop(client, district):
    s = under_review(district)
    unit = district.street_units[0]  # the handler's unit
    s = services.suggestion_forward(
        suggestion_id=s.pk,
        actor=Actor.of(district.user("supervisor")),
        expected_version=s.version,
        unit_id=unit.pk,
        reason="请桂花坪街道会同交警落实",
    )
    appeal = s.appeal
    assert appeal is not None

    # It is in the dispatcher's queue, on the screening page too.
    assert appeal in case_selectors.screening_queue(user=district.user("dispatcher"))
    dispatcher = Client()
    dispatcher.force_login(district.user("dispatcher"))
    screening = dispatcher.get(reverse("dispatch:screening")).content.decode()
    assert appeal.tracking_number in screening

    d = Actor.of(district.user("dispatcher"))
    h = Actor.of(district.user("handler"))

    def v() -> int:
        return Appeal.objects.get(pk=appeal.pk).version

    case_services.appeal_screen(
        appeal_id=appeal.pk,
        actor=d,
        expected_version=v(),
        category_id=district.category.pk,
        region_id=district.communities[0].pk,
        urgency=Urgency.NORMAL,
    )
    case_services.appeal_dispatch(
        appeal_id=appeal.pk, actor=d, expected_version=v(), lead_unit_id=unit.pk
    )
    assert appeal in case_selectors.unit_queue(user=district.user("handler"))
    case_services.appeal_act(
        appeal_id=appeal.pk, action=Action.ACCEPT, actor=h, expected_version=v()
    )
    case_services.appeal_act(
        action=Action.FIRST_CONTACT,
        appeal_id=appeal.pk,
        actor=h,
        expected_version=v(),
        reason="已电话联系建议人",
    )
    case_services.reply_submit(
        appeal_id=appeal.pk,
        actor=h,
        expected_version=v(),
        reason="已在校门口设置护学岗，并划定临时停车区。",
    )
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.RESOLVED

    # The proposer, with the suggestion's number and code, sees the reply and can rate it.
    client.post(
        reverse("suggestions:track"),
        {"tracking_number": s.tracking_number, "query_code": s.query_code},
    )
    page = client.get(reverse("suggestions:track_detail", args=[s.tracking_number]))
    body = page.content.decode()
    assert "已在校门口设置护学岗" in body and "已办结待评价" in body
    rate = client.post(
        reverse("citizen:rate", args=[appeal.tracking_number]),
        {"satisfaction": "satisfied", "version": v()},
    )
    assert rate.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.RATED
