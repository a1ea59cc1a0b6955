"""办结审核 end to end through the services and the pages: a held reply stays hidden from the
citizen, a reviewer approves it (released) or sends it back with a reason; the policy's rules
decide which replies are held; the quality check is shown to the handler and the reviewer."""

import pytest
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal, AppealEvent, Reply
from minxin.cases.workflow import Action, AppealStatus
from minxin.notify.models import SmsMessage
from minxin.review.models import ReviewRule
from minxin.review.policy import rule_for, verdict
from minxin.triage.nlp.reply_quality import reply_quality
from tests.builders import appeal_in, other_district_build
from tests.citizen.test_track import detail_url, prove

GOOD_REPLY = (
    "您好！您反映的小区垃圾无人清运问题，我街道已于3月5日安排环卫所工作人员到现场查看，"
    "已清运堆积垃圾并加密清运频次，目前已恢复正常。如有疑问请联系街道城管科张同志，"
    "联系电话：0731-84512345。"
)


def _held(district) -> Appeal:
    return appeal_in(district, AppealStatus.REVIEWING)


def _post(client, user, appeal: Appeal, action: str, **data):
    client.force_login(user)
    version = Appeal.objects.get(pk=appeal.pk).version
    return client.post(
        reverse("cases:appeal_act", args=[appeal.pk, action]), {"version": version, **data}
    )


def test_a_held_reply_is_hidden_from_the_citizen_until_approved(client, district):
    appeal = _held(district)
    reply = Reply.objects.get(appeal=appeal)
    assert reply.released_at is None and reply.review_note == "按规则「测试：全部审核」全部审核"
    prove(client, appeal)
    page = client.get(detail_url(appeal)).content.decode()
    assert reply.content not in page  # neither in the replies nor on the timeline

    staff = district.user("dispatcher")
    queue = client_get(client, staff, reverse("review:queue"))
    assert appeal.tracking_number in queue and str(reply.quality_score) in queue
    response = _post(client, staff, appeal, Action.APPROVE_REPLY)
    assert response.status_code == 302
    released = Appeal.objects.get(pk=appeal.pk)
    assert released.status == AppealStatus.RESOLVED and released.released_at is not None
    event = AppealEvent.objects.filter(appeal=appeal).latest("id")
    assert event.payload["reviewed"] and event.payload["reply_id"] == reply.pk

    client.logout()
    prove(client, appeal)
    page = client.get(detail_url(appeal)).content.decode()
    assert reply.content in page


def client_get(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_send_back_needs_a_reason_and_returns_the_appeal_to_the_unit(client, district):
    appeal = _held(district)
    staff = district.user("supervisor")
    refused = _post(client, staff, appeal, Action.SEND_BACK, reason="  ")
    assert refused.status_code == 400 and "退回理由" in refused.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.REVIEWING
    assert (
        _post(client, staff, appeal, Action.SEND_BACK, reason="请补充联系电话").status_code == 302
    )
    back = Appeal.objects.get(pk=appeal.pk)
    assert back.status == AppealStatus.IN_PROGRESS and back.resolved_at is None
    # The handler sees why on the appeal page, and resolves again: a second reply.
    handler_page = client_get(
        client, district.user("handler"), reverse("cases:appeal_detail", args=[appeal.pk])
    )
    assert "请补充联系电话" in handler_page
    services.reply_submit(
        appeal_id=appeal.pk,
        actor=Actor.of(district.user("handler")),
        expected_version=back.version,
        reason=GOOD_REPLY,
    )
    assert Reply.objects.filter(appeal=appeal).count() == 2


def test_only_the_centre_reviews(client, district):
    appeal = _held(district)
    for key in ("handler", "call_taker", "leader"):
        response = _post(client, district.user(key), appeal, Action.APPROVE_REPLY)
        assert response.status_code == 403, key
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.REVIEWING
    client.force_login(district.user("handler"))
    assert client.get(reverse("review:queue")).status_code == 404  # not a page of theirs


def test_the_handler_checks_a_draft_before_submitting(client, district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    client.force_login(district.user("handler"))
    url = reverse("review:check", args=[appeal.pk])
    html = client.post(
        url, {"reason": "您好，留言已收悉。感谢您对我们工作的支持！"}
    ).content.decode()
    assert "答复基本是套话" in html and "答复没有留联系电话" in html
    good = client.post(url, {"reason": GOOD_REPLY}).content.decode()
    assert "答复留有联系方式" in good
    assert client.post(url, {"reason": " "}).status_code == 400
    client.force_login(district.user("handler_other"))  # not its unit's appeal
    assert client.post(url, {"reason": GOOD_REPLY}).status_code == 404


def test_the_rule_that_fits_best_decides(district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    street = district.street_units[0]
    everywhere = ReviewRule.objects.create(name="全区", sample_percent=0, priority=1)
    by_category = ReviewRule.objects.create(
        name="分类", category=district.category.parent or district.category, sample_percent=100
    )
    by_unit = ReviewRule.objects.create(name="单位", unit=street, sample_percent=100, pass_score=60)
    rules = list(ReviewRule.objects.all())
    appeal.category = district.category
    assert rule_for(appeal, rules) == by_unit
    assert rule_for(appeal, [everywhere, by_category]) == by_category
    assert rule_for(appeal, [everywhere]) == everywhere
    assert rule_for(appeal, []) is None

    # A district's rule covers its own appeals only, and beats the city's.
    b = other_district_build(district)
    ours = ReviewRule.objects.create(
        name="本区", jurisdiction_id=appeal.jurisdiction_id, sample_percent=100, priority=9
    )
    theirs = ReviewRule.objects.create(name="B1区", jurisdiction=b, sample_percent=100)
    assert rule_for(appeal, [everywhere, ours, theirs]) == ours
    assert rule_for(appeal, [everywhere, theirs]) == everywhere
    assert rule_for(appeal, [theirs]) is None
    assert rule_for(appeal, [ours, by_category]) == by_category

    good = reply_quality(title=appeal.title, content=appeal.content, reply=GOOD_REPLY)
    poor = reply_quality(title=appeal.title, content=appeal.content, reply="已收悉。")
    assert good.score >= 60 > poor.score
    assert not verdict(appeal=appeal, replies=1, quality=good, rule=by_unit).review
    assert verdict(appeal=appeal, replies=1, quality=poor, rule=by_unit).review
    assert not verdict(appeal=appeal, replies=1, quality=poor, rule=everywhere).review
    assert not verdict(appeal=appeal, replies=1, quality=poor, rule=None).review
    leaky = reply_quality(
        title=appeal.title, content=appeal.content, reply=GOOD_REPLY + "邻居电话13912345678。"
    )
    assert verdict(appeal=appeal, replies=1, quality=leaky, rule=None).review  # always a person
    # A sample is drawn by the appeal's number: the same reply is always in or out.
    half = ReviewRule(name="一半", sample_percent=50)
    drawn = [
        verdict(appeal=appeal, replies=n, quality=poor, rule=half).review for n in range(1, 41)
    ]
    assert drawn == [
        verdict(appeal=appeal, replies=n, quality=poor, rule=half).review for n in range(1, 41)
    ]
    assert 8 <= sum(drawn) <= 32


@pytest.mark.parametrize("auto", [True, False])
def test_an_auto_passed_reply_is_released_by_the_system(district, auto):
    if not auto:
        ReviewRule.objects.create(name="全部审核", sample_percent=100)
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    reply = services.reply_submit(
        appeal_id=appeal.pk,
        actor=Actor.of(district.user("handler")),
        expected_version=appeal.version,
        reason=GOOD_REPLY,
    )
    status = Appeal.objects.get(pk=appeal.pk).status
    assert status == (AppealStatus.RESOLVED if auto else AppealStatus.REVIEWING)
    assert (reply.released_at is not None) == auto
    assert reply.quality_score is not None and reply.quality["score"] == reply.quality_score


def test_the_reply_sms_goes_at_release_not_at_submission(district):
    """The citizen is told of the reply when they can read it (notices.CITIZEN_SMS)."""
    appeal = _held(district)

    def sent() -> list[str]:
        rows = SmsMessage.objects.filter(subject_id=appeal.pk).order_by("pk")
        return [m.template_key for m in rows]

    assert sent() == ["appeal_received"]
    services.reply_approve(
        appeal_id=appeal.pk,
        actor=Actor.of(district.user("dispatcher")),
        expected_version=Appeal.objects.get(pk=appeal.pk).version,
    )
    assert sent() == ["appeal_received", "appeal_replied"]
