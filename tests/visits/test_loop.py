"""A matter raised on a visit runs the whole loop as an appeal with channel `visit`."""

from django.test import Client
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.cases import selectors as case_selectors
from minxin.cases import services as case_services
from minxin.cases.models import Appeal
from minxin.cases.workflow import Action, AppealStatus
from minxin.deadlines.models import Urgency
from minxin.feedback.services import rating_submit

from .conftest import visit_of


def test_visit_matter_completes_the_loop(district):
    visit = visit_of(district, key="handler")
    appeal = visit.matters.get(position=1).appeal
    assert appeal in case_selectors.screening_queue(user=district.user("dispatcher"))
    dispatcher = Client()
    dispatcher.force_login(district.user("dispatcher"))
    assert appeal.tracking_number in dispatcher.get(reverse("dispatch:screening")).content.decode()

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
        appeal_id=appeal.pk,
        actor=d,
        expected_version=v(),
        lead_unit_id=district.street_units[0].pk,
    )
    case_services.appeal_act(
        appeal_id=appeal.pk, action=Action.ACCEPT, actor=h, expected_version=v()
    )
    case_services.appeal_act(
        action=Action.FIRST_CONTACT,
        appeal_id=appeal.pk,
        actor=h,
        expected_version=v(),
        reason="已上门联系王阿姨",
    )
    case_services.reply_submit(
        appeal_id=appeal.pk, actor=h, expected_version=v(), reason="楼道灯已全部更换。"
    )
    rating_submit(
        appeal_id=appeal.pk,
        actor=Actor.of(district.user("call_taker")),
        expected_version=v(),
        satisfaction="satisfied",
    )
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.RATED

    # The visit page shows where each matter stands, and now links the handler to it.
    handler = Client()
    handler.force_login(district.user("handler"))
    page = handler.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "已评价" in page
    assert reverse("cases:appeal_detail", args=[appeal.pk]) in page
