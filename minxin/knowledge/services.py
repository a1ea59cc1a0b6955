"""知识库: every write. An article's steps go through its machine (`machine.ARTICLES`, one
event each); a revision is kept whole beside the article. An inquiry answered on the spot
from a published article is closed through the appeals' machine (直接答复: the appeal's
ANSWER_DIRECTLY row), with the article's answer as the reply and the use recorded."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases import changes
from minxin.cases.machine import APPEALS
from minxin.cases.models import Appeal, AppealKind, Reply
from minxin.cases.workflow import Action
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from minxin.core.text import line_clean, text_clean
from minxin.directory.models import Category, Jurisdiction, Unit
from minxin.directory.selectors import serving, the_only_district
from minxin.machine.engine import Change

from .machine import ARTICLES, MISSING
from .models import BODY_MAX, TITLE_MAX, Article, ArticleRevision, ArticleUse, UseKind
from .selectors import article_answering
from .workflow import ArticleAction

A = ArticleAction
# How far ahead a review date may be set.
REVIEW_MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    body: str
    category_id: int | None
    review_due: date | None
    owner_unit_id: int | None = None  # at creation; a handler's own unit
    # At creation, by the city's staff: a district's article, or None for the whole city.
    jurisdiction_id: int | None = None


def _review_due(value: date | None, today: date) -> date:
    if value is None:
        raise ValidationFailed("请填写复核日期")
    if value <= today:
        raise ValidationFailed("复核日期应晚于今天")
    if value > today + timedelta(days=REVIEW_MAX_DAYS):
        raise ValidationFailed("复核日期最多设在三年以后")
    return value


def _cleaned(draft: ArticleDraft, today: date) -> tuple[str, str, int | None, date]:
    title = line_clean(draft.title, label="标题", max_length=TITLE_MAX)
    body = text_clean(draft.body, label="答复口径", max_length=BODY_MAX)
    if draft.category_id is not None and not Category.objects.filter(pk=draft.category_id).exists():
        raise ValidationFailed("请选择有效的分类")
    return title, body, draft.category_id, _review_due(draft.review_due, today)


def _district_of_new(actor: User, draft: ArticleDraft) -> int | None:
    """A district's staff write for their district; the city's for the district they choose,
    or for the whole city (on an install of one district: for it, as nothing is the city's
    there and its staff keep every article, as before there were districts)."""
    if actor.jurisdiction_scope is not None:
        return actor.jurisdiction_scope
    chosen = draft.jurisdiction_id
    if chosen is not None and not Jurisdiction.objects.filter(pk=chosen).exists():
        raise ValidationFailed("请选择有效的辖区")
    return chosen if chosen is not None else the_only_district()


def _keeps_district(actor: User, article_id: int) -> None:
    """A district's staff change their district's articles only: another district's is as
    good as missing, the city's they may only read."""
    scope = actor.jurisdiction_scope
    if scope is None:
        return
    found = list(Article.objects.filter(pk=article_id).values_list("jurisdiction_id", flat=True))
    if not found or found[0] not in (None, scope):
        raise NotFound(MISSING)
    if found[0] is None:
        raise PermissionDenied("全市通用的知识条目只能由市级工作人员修改")


@transaction.atomic(durable=True)
def article_create(*, actor: User, draft: ArticleDraft, at: datetime | None = None) -> Article:
    """A draft article and its first revision. A handler writes for its own unit."""
    who = Actor.of(actor)
    ARTICLES.may_create(action=A.CREATE, actor=who)
    now = at or timezone.now()
    title, body, category_id, review_due = _cleaned(draft, timezone.localdate(now))
    owner = draft.owner_unit_id
    if who.role == Role.HANDLER:
        owner = actor.unit_id
    district = _district_of_new(actor, draft)
    if owner is None or not Unit.objects.filter(pk=owner, is_active=True).exists():
        raise ValidationFailed("请选择责任单位")
    if not Unit.objects.filter(serving(district), pk=owner).exists():
        raise ValidationFailed("责任单位不属于该条目的辖区，也不是市级单位，请重新选择")
    article = Article.objects.create(
        title=title,
        body=body,
        category_id=category_id,
        owner_unit_id=owner,
        jurisdiction_id=district,
        review_due=review_due,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    ArticleRevision.objects.create(
        article=article,
        number=1,
        title=title,
        body=body,
        category_id=category_id,
        review_due=review_due,
        created_by=actor,
        created_at=now,
    )
    ARTICLES.created(article, action=A.CREATE, actor=who, payload={"revision": 1}, at=now)
    return article


@transaction.atomic(durable=True)
def article_revise(
    *,
    actor: User,
    article_id: int,
    expected_version: int | None,
    draft: ArticleDraft,
    note: str,
    at: datetime | None = None,
) -> Article:
    """A new revision (the old ones kept); a published article stays published."""
    who = Actor.of(actor)
    _keeps_district(actor, article_id)
    article = ARTICLES.lock(
        pk=article_id, action=A.REVISE, actor=who, expected_version=expected_version
    )
    now = at or timezone.now()
    title, body, category_id, review_due = _cleaned(draft, timezone.localdate(now))
    if (title, body, category_id, review_due) == (
        article.title,
        article.body,
        article.category_id,
        article.review_due,
    ):
        raise ValidationFailed("内容没有改动")
    number = article.revision + 1
    reason = line_clean(note, label="修订说明", max_length=500)
    ArticleRevision.objects.create(
        article=article,
        number=number,
        title=title,
        body=body,
        category_id=category_id,
        review_due=review_due,
        note=reason,
        created_by=actor,
        created_at=now,
    )
    change = Change(
        {
            "title": title,
            "body": body,
            "category_id": category_id,
            "review_due": review_due,
            "revision": number,
            "updated_at": now,
        },
        {"revision": number},
    )
    return ARTICLES.apply(
        article, action=A.REVISE, actor=who, reason=reason, change=change, at=now
    ).subject


@transaction.atomic(durable=True)
def article_act(
    *,
    actor: User,
    article_id: int,
    action: str,
    expected_version: int | None,
    reason: str = "",
    review_due: date | None = None,
    at: datetime | None = None,
) -> Article:
    """Publish, confirm at review (the next review date) or retire."""
    if action not in (A.PUBLISH, A.CONFIRM, A.RETIRE):
        raise ValidationFailed("未知的操作")
    who = Actor.of(actor)
    _keeps_district(actor, article_id)
    article = ARTICLES.lock(
        pk=article_id, action=action, actor=who, expected_version=expected_version
    )
    now = at or timezone.now()
    change = Change({"updated_at": now})
    if action == A.CONFIRM:
        due = _review_due(review_due, timezone.localdate(now))
        change = Change({"review_due": due, "updated_at": now}, {"review_due": due.isoformat()})
    return ARTICLES.apply(
        article, action=action, actor=who, reason=reason, change=change, at=now
    ).subject


@transaction.atomic(durable=True)
def appeal_answer_directly(
    *, actor: User, appeal_id: int, article_id: int, expected_version: int | None = None
) -> Appeal:
    """直接答复: the inquiry closed on the spot with a published article's answer as its reply
    (an article of the appeal's district or the city's); the article and its revision linked
    (ArticleUse, the event's payload)."""
    who = Actor.of(actor)
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.ANSWER_DIRECTLY, actor=who, expected_version=expected_version
    )
    article = article_answering(article_id=article_id, district=appeal.jurisdiction_id)
    if appeal.kind != AppealKind.INQUIRY:
        raise ValidationFailed("只有咨询类诉求可以直接答复")
    if actor.unit_id is None:
        raise PermissionDenied("您尚未归属任何单位，不能答复")
    now = timezone.now()
    Reply.objects.create(
        appeal=appeal, unit_id=actor.unit_id, author=actor, content=article.body, created_at=now
    )
    ArticleUse.objects.create(
        article=article,
        revision=article.revision,
        appeal=appeal,
        kind=UseKind.DIRECT_ANSWER,
        actor=actor,
        created_at=now,
    )
    change = changes.answered_directly(at=now)
    payload = {"article": article.pk, "revision": article.revision, "title": article.title}
    return APPEALS.apply(
        appeal,
        action=Action.ANSWER_DIRECTLY,
        actor=who,
        reason=f"依据知识库「{article.title}」直接答复",
        change=Change(change.fields, payload),
        at=now,
    ).subject
