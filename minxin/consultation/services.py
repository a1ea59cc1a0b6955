"""征求意见: every write of a consultation and its comments, each step through its machine
(`machine.CONSULTATIONS`, `machine.COMMENTS`): one event per step, in the transaction that
makes the change.

A comment is taken only while its consultation is open and inside its window; it is published
(masked, or as the moderator edited it) or kept private; once the window has closed, the
office answers each one adopted / partly / not adopted with its reason, and publishes the
feedback report when every comment is answered.

A consultation is one district's (its creator's; for the city's staff, its issuing unit's):
staff of another district act on none of it (NotFound, as for a missing one)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.core.errors import IllegalTransition, NotFound, ValidationFailed
from minxin.core.privacy import mask_personal_data
from minxin.core.text import line_clean, text_clean
from minxin.directory.models import Unit, jurisdiction_default
from minxin.directory.selectors import units_active
from minxin.machine.engine import Change

from .articles import split_articles
from .machine import COMMENT_MISSING, COMMENTS, CONSULTATIONS, MISSING
from .models import Article, Comment, CommentSource, Consultation, ContactPoint, Decision
from .selectors import contact_points_active
from .workflow import CommentAction, CommentStatus, ConsultationAction, ConsultationStatus

A = ConsultationAction
COMMENT_MAX = 2000
ARTICLES_MAX = 300


@dataclass(frozen=True)
class ConsultationDraft:
    title: str
    issuing_unit_id: int | None
    body: str
    opens_at: datetime | None
    closes_at: datetime | None
    summary: str = ""


def _district_of(actor: User, issuing: Unit) -> int:
    """The district a new draft is out in: its creator's; for the city's staff, the issuing
    unit's; for a city unit's, the install's first."""
    for district in (actor.jurisdiction_scope, issuing.jurisdiction_id):
        if district is not None:
            return district
    return jurisdiction_default()


def _in_scope(actor: User, *, consultation_id: int = 0, comment_id: int = 0) -> None:
    """Another district's draft (or its comment) is as unknown to its staff as a missing one:
    checked before the row is locked, so that not even its status tells them it is there."""
    district = actor.jurisdiction_scope
    if district is None:
        return
    if comment_id:
        theirs = Comment.objects.filter(pk=comment_id, consultation__jurisdiction_id=district)
        if not theirs.exists():
            raise NotFound(COMMENT_MISSING)
    elif not Consultation.objects.filter(pk=consultation_id, jurisdiction_id=district).exists():
        raise NotFound(MISSING)


@transaction.atomic(durable=True)
def consultation_create(
    *, actor: User, draft: ConsultationDraft, at: datetime | None = None
) -> Consultation:
    """A draft with its text cut into articles (第X条), to be published for comment."""
    who = Actor.of(actor)
    CONSULTATIONS.may_create(action=A.CREATE, actor=who)
    now = at or timezone.now()
    title = line_clean(draft.title, label="标题", max_length=200)
    summary = text_clean(draft.summary, label="起草说明", max_length=5000, required=False)
    body = text_clean(draft.body, label="草案全文", max_length=100_000)
    # Only a unit serving the creator's district (its own or the city's) is offered.
    unit = units_active(district=actor.jurisdiction_scope).filter(pk=draft.issuing_unit_id or 0)
    issuing = unit.first()
    if issuing is None:
        raise ValidationFailed("请选择起草单位")
    if draft.opens_at is None or draft.closes_at is None:
        raise ValidationFailed("请填写征求意见的开始和截止时间")
    if draft.closes_at <= draft.opens_at:
        raise ValidationFailed("截止时间应晚于开始时间")
    if draft.closes_at <= now:
        raise ValidationFailed("截止时间应晚于当前时间")
    split = split_articles(body)
    if not split.articles:
        raise ValidationFailed("草案全文中没有条文")
    if len(split.articles) > ARTICLES_MAX:
        raise ValidationFailed(f"条文不能超过{ARTICLES_MAX}条")
    consultation = Consultation.objects.create(
        jurisdiction_id=_district_of(actor, issuing),
        title=title,
        issuing_unit=issuing,
        summary=summary,
        preamble=split.preamble,
        opens_at=draft.opens_at,
        closes_at=draft.closes_at,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    Article.objects.bulk_create(
        Article(
            consultation=consultation,
            position=n,
            chapter=a.chapter[:200],
            heading=a.heading[:30],
            text=a.text,
        )
        for n, a in enumerate(split.articles, start=1)
    )
    CONSULTATIONS.created(
        consultation,
        action=A.CREATE,
        actor=who,
        payload={"articles": len(split.articles)},
        at=now,
    )
    return consultation


@transaction.atomic(durable=True)
def consultation_act(
    *,
    actor: User,
    consultation_id: int,
    action: ConsultationAction,
    reason: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Consultation:
    """Publish, close (after the window), publish the feedback report (every comment that
    is not pending answered), or withdraw."""
    if action == A.CREATE:
        raise ValidationFailed("新建请使用表单")
    who = Actor.of(actor)
    _in_scope(actor, consultation_id=consultation_id)
    consultation = CONSULTATIONS.lock(
        pk=consultation_id, action=action, actor=who, expected_version=expected_version
    )
    now = at or timezone.now()
    change = Change()
    if action == A.PUBLISH and consultation.closes_at <= now:
        raise ValidationFailed("截止时间已过，不能发布")
    if action == A.CLOSE and now < consultation.closes_at:
        raise ValidationFailed(
            f"征求意见截止时间为{timezone.localtime(consultation.closes_at):%Y-%m-%d %H:%M}，"
            "截止后才能结束"
        )
    if action == A.REPORT:
        comments = consultation.comments.all()
        pending = comments.filter(status=CommentStatus.PENDING).count()
        unanswered = comments.exclude(status=CommentStatus.PENDING).filter(decision="").count()
        if pending or unanswered:
            raise ValidationFailed(
                f"尚有{pending}条意见未审核、{unanswered}条意见未答复，全部答复后才能公布采纳情况"
            )
        counts = {d: comments.filter(decision=d).count() for d in Decision.values}
        note = text_clean(reason, label="采纳情况说明", max_length=2000, required=False)
        change = Change(
            fields={"reported_at": now, "report_note": note},
            payload={"comments": comments.count(), **counts},
        )
    return CONSULTATIONS.apply(
        consultation, action=action, actor=who, reason=reason, change=change, at=now
    ).subject


# --- comments --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentDraft:
    text: str
    article_id: int | None = None
    author: str = ""
    contact_point_id: int | None = None


def _open(consultation: Consultation | None, now: datetime) -> Consultation:
    if consultation is None or consultation.status == ConsultationStatus.DRAFT:
        raise NotFound(MISSING)
    if consultation.status != ConsultationStatus.OPEN or not (
        consultation.opens_at <= now < consultation.closes_at
    ):
        raise IllegalTransition("该草案不在征求意见期内，不能提交意见")
    return consultation


@transaction.atomic(durable=True)
def comment_submit(
    *,
    consultation_id: int,
    draft: CommentDraft,
    actor: User | None = None,
    at: datetime | None = None,
) -> Comment:
    """A comment on the whole draft or an article: a citizen's (no account), a deputy's, or a
    contact point's entered by the office. Waits for a moderator."""
    now = at or timezone.now()
    who = Actor.citizen() if actor is None else Actor.of(actor)
    COMMENTS.may_create(action=CommentAction.SUBMIT, actor=who)
    if actor is not None:
        _in_scope(actor, consultation_id=consultation_id)
    consultation = _open(Consultation.objects.filter(pk=consultation_id).first(), now)
    text = text_clean(draft.text, label="意见", max_length=COMMENT_MAX)
    author = line_clean(draft.author, label="署名", max_length=50, required=False)
    if (
        draft.article_id is not None
        and not consultation.articles.filter(pk=draft.article_id).exists()
    ):
        raise ValidationFailed("所选条文不属于该草案")
    source = CommentSource.CITIZEN
    point: ContactPoint | None = None
    if who.role == Role.DEPUTY:
        source = CommentSource.DEPUTY
        author = author or str(actor)
    elif who.role != Role.CITIZEN:
        point = None
        if draft.contact_point_id is not None:
            # A point of the draft's district (or of none): the ones the form offers.
            points = contact_points_active(district=consultation.jurisdiction_id)
            point = points.filter(pk=draft.contact_point_id).first()
        if point is None:
            raise ValidationFailed("请选择意见来自哪个基层立法联系点")
        source = CommentSource.CONTACT_POINT
    comment = Comment.objects.create(
        consultation=consultation,
        article_id=draft.article_id,
        source=source,
        author=author,
        contact_point=point,
        submitted_by=actor,
        text=text,
        created_at=now,
        updated_at=now,
    )
    COMMENTS.created(comment, action=CommentAction.SUBMIT, actor=who, at=now)
    return comment


def _comment_locked(
    *, comment_id: int, action: CommentAction, actor: User, expected_version: int | None
) -> Comment:
    _in_scope(actor, comment_id=comment_id)
    comment = COMMENTS.lock(
        pk=comment_id, action=action, actor=Actor.of(actor), expected_version=expected_version
    )
    return comment


@transaction.atomic(durable=True)
def comment_moderate(
    *,
    actor: User,
    comment_id: int,
    action: CommentAction,
    public_text: str = "",
    reason: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Comment:
    """Publish a comment (its text masked, or as the moderator edited it, masked again) or
    keep it private with the reason."""
    if action not in (CommentAction.PUBLISH, CommentAction.KEEP_PRIVATE):
        raise ValidationFailed("未知的审核操作")
    comment = _comment_locked(
        comment_id=comment_id, action=action, actor=actor, expected_version=expected_version
    )
    change = Change()
    if action == CommentAction.PUBLISH:
        edited = text_clean(public_text, label="公开文本", max_length=COMMENT_MAX, required=False)
        shown = mask_personal_data(edited or comment.text)
        change = Change(fields={"public_text": shown}, payload={"edited": bool(edited)})
    return COMMENTS.apply(
        comment, action=action, actor=Actor.of(actor), reason=reason, change=change, at=at
    ).subject


@transaction.atomic(durable=True)
def comment_answer(
    *,
    actor: User,
    comment_id: int,
    decision: str,
    reason: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Comment:
    """The answer: adopted / partly / not adopted and why, once the window has closed and
    before the report is published (again to correct it)."""
    comment = _comment_locked(
        comment_id=comment_id,
        action=CommentAction.ANSWER,
        actor=actor,
        expected_version=expected_version,
    )
    if comment.consultation.status != ConsultationStatus.CLOSED:
        raise IllegalTransition("征求意见结束后、公布采纳情况前才能答复意见")
    if decision not in Decision.values:
        raise ValidationFailed("请选择采纳、部分采纳或未采纳")
    now = at or timezone.now()
    why = COMMENTS.reason_clean(CommentAction.ANSWER, reason)
    change = Change(
        fields={"decision": decision, "decision_reason": why, "answered_at": now},
        payload={"decision": decision, "before": comment.decision},
    )
    return COMMENTS.apply(
        comment,
        action=CommentAction.ANSWER,
        actor=Actor.of(actor),
        reason=why,
        change=change,
        at=now,
    ).subject


def comment_get(comment_id: int) -> Comment:
    found = Comment.objects.filter(pk=comment_id).first()
    if found is None:
        raise NotFound(COMMENT_MISSING)
    return found
