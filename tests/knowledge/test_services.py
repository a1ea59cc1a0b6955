"""知识库 writes: an article's steps through its machine, revisions kept whole, the owner
unit's scope, refusals in Chinese; 直接答复 closing an inquiry with the article linked."""

from datetime import timedelta

import pytest
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.cases.models import AppealEvent, AppealKind, Channel, Reply
from minxin.cases.workflow import Action, AppealStatus
from minxin.core.errors import (
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from minxin.knowledge.models import ArticleEvent, ArticleRevision, ArticleUse
from minxin.knowledge.services import (
    ArticleDraft,
    appeal_answer_directly,
    article_act,
    article_create,
    article_revise,
)
from minxin.knowledge.workflow import ArticleAction, ArticleStatus
from tests.builders import appeal_new

from .builders import article_new

LATER = timezone.localdate() + timedelta(days=365)


def _draft(d, **kw):
    values = {
        "title": "新建住宅加装电梯补贴标准",
        "body": "既有多层住宅加装电梯，每台补贴20万元，由街道受理申请。",
        "category_id": d.category.pk,
        "review_due": LATER,
        "owner_unit_id": d.street_units[1].pk,
    }
    values.update(kw)
    return ArticleDraft(**values)


def test_an_article_is_drafted_published_revised_confirmed_and_retired(district):
    d = district
    article = article_create(actor=d.user("supervisor"), draft=_draft(d))
    assert article.status == ArticleStatus.DRAFT and article.revision == 1
    article = article_act(
        actor=d.user("admin"),
        article_id=article.pk,
        action=ArticleAction.PUBLISH,
        expected_version=article.version,
    )
    assert article.status == ArticleStatus.PUBLISHED
    revised = article_revise(
        actor=d.user("supervisor"),
        article_id=article.pk,
        expected_version=article.version,
        draft=_draft(d, body="既有多层住宅加装电梯，每台补贴25万元（2026年起）。"),
        note="补贴标准调整",
    )
    assert revised.revision == 2 and revised.status == ArticleStatus.PUBLISHED
    assert "25万元" in revised.body
    kept = ArticleRevision.objects.filter(article=article).order_by("number")
    assert kept[0].body.endswith("由街道受理申请。")
    assert kept[1].note == "补贴标准调整"
    confirmed = article_act(
        actor=d.user("supervisor"),
        article_id=article.pk,
        action=ArticleAction.CONFIRM,
        expected_version=revised.version,
        review_due=LATER + timedelta(days=30),
    )
    assert confirmed.review_due == LATER + timedelta(days=30)
    retired = article_act(
        actor=d.user("supervisor"),
        article_id=article.pk,
        action=ArticleAction.RETIRE,
        expected_version=confirmed.version,
        reason="政策已废止",
    )
    assert retired.status == ArticleStatus.RETIRED
    actions = list(
        ArticleEvent.objects.filter(article=article).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["create", "publish", "revise", "confirm", "retire"]


def test_a_handler_writes_and_keeps_only_its_own_units_articles(district):
    d = district
    own = article_create(actor=d.user("handler"), draft=_draft(d))
    assert own.owner_unit_id == d.user("handler").unit_id  # not the unit it asked for
    with pytest.raises(PermissionDenied):  # only the centre publishes
        article_act(
            actor=d.user("handler"),
            article_id=own.pk,
            action=ArticleAction.PUBLISH,
            expected_version=own.version,
        )
    other = article_new(d)  # street 0's: the handler's own unit
    theirs = article_create(actor=d.user("supervisor"), draft=_draft(d))  # street 1's
    article_revise(
        actor=d.user("handler"),
        article_id=other.pk,
        expected_version=other.version,
        draft=_draft(d, title=other.title, body=other.body + "（补充）"),
        note="补充",
    )
    with pytest.raises(PermissionDenied, match="责任单位"):
        article_revise(
            actor=d.user("handler_other"),
            article_id=other.pk,
            expected_version=None,
            draft=_draft(d, body="改"),
            note="改",
        )
    with pytest.raises(PermissionDenied):
        article_create(actor=d.user("leader"), draft=_draft(d))
    assert theirs.owner_unit_id == d.street_units[1].pk


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "标题"),
        ({"body": "  "}, "答复口径"),
        ({"review_due": None}, "复核日期"),
        ({"review_due": timezone.localdate()}, "晚于今天"),
        ({"review_due": timezone.localdate() + timedelta(days=2000)}, "三年"),
        ({"category_id": 999999}, "分类"),
        ({"owner_unit_id": None}, "责任单位"),
    ],
)
def test_bad_drafts_are_refused_in_chinese(district, change, message):
    with pytest.raises(ValidationFailed, match=message):
        article_create(actor=district.user("supervisor"), draft=_draft(district, **change))


def test_a_revision_that_changes_nothing_is_refused(district):
    article = article_new(district)
    with pytest.raises(ValidationFailed, match="没有改动"):
        article_revise(
            actor=district.user("supervisor"),
            article_id=article.pk,
            expected_version=article.version,
            draft=ArticleDraft(
                title=article.title,
                body=article.body,
                category_id=article.category_id,
                review_due=article.review_due,
            ),
            note="无",
        )


def _inquiry(d, **kw):
    return appeal_new(
        d, channel=Channel.HOTLINE, kind=AppealKind.INQUIRY, title="孩子上小学要带什么", **kw
    )


def test_an_inquiry_answered_directly_is_closed_with_the_article(district):
    d = district
    article = article_new(d)
    appeal = _inquiry(d)
    answered = appeal_answer_directly(
        actor=d.user("call_taker"), appeal_id=appeal.pk, article_id=article.pk
    )
    assert answered.status == AppealStatus.ARCHIVED
    assert answered.resolved_at is not None and answered.closed_at is not None
    reply = Reply.objects.get(appeal=appeal)
    assert reply.content == article.body and reply.unit_id == d.hotline.pk
    use = ArticleUse.objects.get(appeal=appeal)
    assert (use.article_id, use.revision, use.kind) == (article.pk, 1, "direct_answer")
    event = AppealEvent.objects.get(appeal=appeal, action=Action.ANSWER_DIRECTLY)
    assert event.payload["article"] == article.pk and event.payload["revision"] == 1


def test_a_direct_answer_needs_an_inquiry_a_published_article_and_a_received_appeal(district):
    d = district
    draft = article_new(d, published=False)
    published = article_new(d, title="另一条")
    with pytest.raises(NotFound, match="未发布"):
        appeal_answer_directly(
            actor=d.user("call_taker"), appeal_id=_inquiry(d).pk, article_id=draft.pk
        )
    complaint = appeal_new(d, channel=Channel.HOTLINE)
    with pytest.raises(ValidationFailed, match="咨询"):
        appeal_answer_directly(
            actor=d.user("call_taker"), appeal_id=complaint.pk, article_id=published.pk
        )
    with pytest.raises(PermissionDenied):
        appeal_answer_directly(
            actor=d.user("handler"), appeal_id=_inquiry(d).pk, article_id=published.pk
        )
    done = _inquiry(d)
    appeal_answer_directly(actor=d.user("call_taker"), appeal_id=done.pk, article_id=published.pk)
    with pytest.raises(IllegalTransition):
        appeal_answer_directly(
            actor=d.user("call_taker"), appeal_id=done.pk, article_id=published.pk
        )
    assert ArticleUse.objects.count() == 1


def test_the_generic_appeal_form_cannot_answer_directly(district):
    from minxin.cases.services import appeal_act

    appeal = _inquiry(district)
    with pytest.raises(PermissionDenied, match="面板"):
        appeal_act(
            appeal_id=appeal.pk,
            action=Action.ANSWER_DIRECTLY,
            actor=Actor.of(district.user("call_taker")),
            expected_version=appeal.version,
        )
