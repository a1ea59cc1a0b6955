"""A board post runs the whole loop: the dispatcher's queue, screening and dispatch, the
street's handling and reply, the citizen's rating; the public page shows the reply, masked."""

from django.test import Client
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.board.services import post_moderate
from minxin.cases.models import Appeal
from minxin.cases.services import (
    appeal_act,
    appeal_dispatch,
    appeal_screen,
    reply_approve,
    reply_submit,
)
from minxin.cases.workflow import Action, AppealStatus, Satisfaction
from minxin.deadlines.models import Urgency
from minxin.feedback.services import rating_submit

from .posts import post_new

REPLY = "已更换东门路灯灯泡。如仍有问题请联系社区，联系人：王建国，电话13700001111。"


def version(appeal_id: int) -> int:
    return Appeal.objects.get(pk=appeal_id).version


def test_a_board_post_goes_round_the_loop_and_shows_its_reply(district):
    d = district
    post = post_new()
    appeal_id = post.appeal_id
    dispatcher_client = Client()
    dispatcher_client.force_login(d.user("dispatcher"))

    # 1. It is in the dispatcher's screening queue like any appeal, before any moderation.
    queue = dispatcher_client.get(reverse("dispatch:screening")).content.decode()
    assert post.appeal.tracking_number in queue

    # 2. Moderated and published while it is being handled.
    post_moderate(actor=d.user("dispatcher"), post_id=post.pk, action="publish", expected_version=1)
    public = Client()
    page = public.get(reverse("board:post_detail", args=[post.pk])).content.decode()
    assert "待交办" in page and "承办单位正在办理" in page

    dispatcher, handler = Actor.of(d.user("dispatcher")), Actor.of(d.user("handler"))
    appeal_screen(
        appeal_id=appeal_id,
        actor=dispatcher,
        expected_version=version(appeal_id),
        category_id=d.category.pk,
        region_id=d.communities[0].pk,
        urgency=Urgency.NORMAL,
    )
    appeal_dispatch(
        appeal_id=appeal_id,
        actor=dispatcher,
        expected_version=version(appeal_id),
        lead_unit_id=d.street_units[0].pk,
    )
    appeal_act(
        appeal_id=appeal_id,
        action=Action.ACCEPT,
        actor=handler,
        expected_version=version(appeal_id),
    )
    page = public.get(reverse("board:post_detail", args=[post.pk])).content.decode()
    assert "办理中" in page and d.street_units[0].name in page

    appeal_act(
        action=Action.FIRST_CONTACT,
        appeal_id=appeal_id,
        actor=handler,
        expected_version=version(appeal_id),
        reason="已电话联系",
    )
    reply_submit(
        appeal_id=appeal_id, actor=handler, expected_version=version(appeal_id), reason=REPLY
    )
    # A reply naming a person waits for the centre's review; the public sees it once passed.
    assert Appeal.objects.get(pk=appeal_id).status == AppealStatus.REVIEWING
    page = public.get(reverse("board:post_detail", args=[post.pk])).content.decode()
    assert "已更换东门路灯灯泡" not in page
    reply_approve(appeal_id=appeal_id, actor=dispatcher, expected_version=version(appeal_id))

    # 3. The public page: status, lead unit, the official reply with personal data masked.
    page = public.get(reverse("board:post_detail", args=[post.pk])).content.decode()
    assert "已答复" in page and d.street_units[0].name in page
    assert "已更换东门路灯灯泡" in page
    assert "13700001111" not in page and "王建国" not in page
    assert "137******11" in page and "王**" in page

    # 4. The poster rates it; the loop closes and the post still shows its reply.
    rating_submit(
        appeal_id=appeal_id,
        actor=Actor.citizen(),
        expected_version=version(appeal_id),
        satisfaction=Satisfaction.SATISFIED,
        comment="",
    )
    assert Appeal.objects.get(pk=appeal_id).status == AppealStatus.RATED
    listing = public.get(reverse("board:board_list"), {"status": "replied"}).content.decode()
    assert reverse("board:post_detail", args=[post.pk]) in listing
