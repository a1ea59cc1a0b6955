"""Staff told of what concerns them (issue 14): a unit of a new dispatch (lead and assisting),
a reopen and a reply sent back; the dispatchers of a return and an extension request; the lead
unit of the decision on its extension. In-app, never with the citizen's words or phone."""

from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal
from minxin.cases.workflow import Action, AppealStatus
from minxin.notify.models import Notification
from tests.builders import District, appeal_in

BUILDER_PHONE = "13812345678"


def _v(appeal: Appeal) -> int:
    return Appeal.objects.values_list("version", flat=True).get(pk=appeal.pk)


def _told(appeal: Appeal) -> set[tuple[str, str]]:
    number = appeal.tracking_number
    return {
        (n.recipient.username, n.title.replace(number, "N"))
        for n in Notification.objects.filter(link=f"/console/appeals/{appeal.pk}/").select_related(
            "recipient"
        )
    }


def test_a_dispatch_tells_the_lead_and_the_assisting_units_handlers(district: District):
    d = district
    appeal = appeal_in(d, AppealStatus.DISPATCHED)
    told = _told(appeal)
    assert ("handler", "新派单：N") in told
    assert ("handler_dept", "协办派单：N") in told
    assert not any(user == "handler_other" for user, _ in told)  # another street
    lead = Notification.objects.get(recipient=d.user("handler"), title__startswith="新派单")
    assert appeal.title in lead.body and "办结时限" in lead.body
    assert lead.link == reverse("cases:appeal_detail", args=[appeal.pk])
    assert BUILDER_PHONE not in lead.body and appeal.content not in lead.body
    # The nav's count: one unread for the handler.
    assert d.user("handler").notifications.filter(read_at__isnull=True).count() == 1


def test_a_return_and_an_extension_request_tell_the_dispatchers(district: District):
    d = district
    returned = appeal_in(d, AppealStatus.RETURNED)
    assert ("dispatcher", "退单待处理：N") in _told(returned)
    body = Notification.objects.get(title__startswith="退单待处理").body
    assert body == "桂花坪街道办事处退单：不属于本街道"

    waiting = appeal_in(d, AppealStatus.IN_PROGRESS)
    services.extension_request(
        appeal_id=waiting.pk,
        actor=Actor.of(d.user("handler")),
        expected_version=_v(waiting),
        days=5,
        reason="需协调物业增设垃圾桶",
    )
    assert ("dispatcher", "延期申请待审批：N") in _told(waiting)
    asked = Notification.objects.get(title__startswith="延期申请待审批")
    assert asked.body == "桂花坪街道办事处申请延期5个工作日：需协调物业增设垃圾桶"


def test_the_decision_on_an_extension_tells_the_lead_units_handlers(district: District):
    d = district
    dispatcher, handler = Actor.of(d.user("dispatcher")), Actor.of(d.user("handler"))
    outcomes = {}
    for approve in (True, False):
        appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
        services.extension_request(
            appeal_id=appeal.pk,
            actor=handler,
            expected_version=_v(appeal),
            days=3,
            reason="等待材料",
        )
        services.extension_decide(
            appeal_id=appeal.pk,
            actor=dispatcher,
            expected_version=_v(appeal),
            approve=approve,
            reason="" if approve else "时限内可以办结",
        )
        outcomes[approve] = Notification.objects.get(
            recipient=d.user("handler"), title__contains="延期", link__contains=f"/{appeal.pk}/"
        )
    assert outcomes[True].title.startswith("延期已同意")
    assert outcomes[True].body.startswith("办结时限延至 ")
    assert outcomes[False].title.startswith("延期被驳回")
    assert "时限内可以办结" in outcomes[False].body


def test_a_reopen_and_a_reply_sent_back_tell_the_lead_unit(district: District):
    d = district
    reopened = appeal_in(d, AppealStatus.FOLLOW_UP)
    services.appeal_reopen(
        appeal_id=reopened.pk,
        actor=Actor.of(d.user("supervisor")),
        expected_version=_v(reopened),
        reason="回访不满意：垃圾仍未清运",
        days=3,
    )
    assert ("handler", "重办：N") in _told(reopened)
    note = Notification.objects.get(title__startswith="重办")
    assert note.body.startswith("回访不满意：垃圾仍未清运（新的办结时限 ")

    reviewing = appeal_in(d, AppealStatus.REVIEWING)
    services.appeal_act(
        appeal_id=reviewing.pk,
        action=Action.SEND_BACK,
        actor=Actor.of(d.user("dispatcher")),
        expected_version=_v(reviewing),
        reason="答复未说明清运时间",
    )
    assert ("handler", "答复被审核退回：N") in _told(reviewing)


def test_the_actor_is_not_told_of_their_own_action_and_other_events_tell_nobody(
    district: District,
):
    d = district
    appeal = appeal_in(d, AppealStatus.IN_PROGRESS)  # received, screened, dispatched, accepted
    titles = [t for _, t in _told(appeal)]
    assert sorted(titles) == ["协办派单：N", "新派单：N"]
    assert not Notification.objects.filter(recipient=d.user("dispatcher")).exists()
