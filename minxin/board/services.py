"""Writes of the message board: post (an appeal through intake + its board record), moderate,
and 附议 (support).

Moderation is the board's machine (`machine.MODERATION`, its table in `workflow.py`): lock the
post, check the table and the role, change, write one immutable `ModerationEntry`."""

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases.models import CONTENT_MAX, TITLE_MAX, Channel
from minxin.cases.services import AppealDraft
from minxin.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from minxin.core.privacy import mask_public_text
from minxin.core.text import line_clean, text_clean
from minxin.intake.services import appeal_receive
from minxin.machine.engine import Change

from .machine import MODERATION
from .models import HIDDEN_STATUSES, NICKNAME_MAX, AppealSupport, BoardPost
from .permissions import may_moderate
from .workflow import TRANSITIONS, ModerationAction, ModerationStatus

# --- posting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedPost:
    post: BoardPost
    created: bool  # False when a resubmitted form found the post it had already created


def nickname_clean(nickname: str) -> str:
    return line_clean(nickname, label="昵称", max_length=NICKNAME_MAX)


def post_create(
    *,
    nickname: str,
    kind: str,
    title: str,
    content: str,
    phone: str = "",
    photos: Sequence[UploadedFile[bytes]] = (),
    submission_key: str | None = None,
    district: int | None = None,
) -> CreatedPost:
    """A citizen's post: an appeal of channel `board` through intake (so it is screened and
    dispatched like any other, published or not), then its board record, pending moderation.

    `appeal_create` is a durable transaction of its own; the board record follows it. Should
    the second step fail, the same form (same one-time key) finds the appeal and adds the
    record, so a retry completes the post instead of making a second appeal."""
    nickname = nickname_clean(nickname)
    phone = (phone or "").strip()
    result = appeal_receive(
        actor=Actor.citizen(),
        draft=AppealDraft(
            channel=Channel.BOARD,
            kind=kind,
            title=title,
            content=content,
            appellant_name=nickname,
            appellant_phone=phone,
            # No phone: the handler cannot call first; the poster follows it by query code.
            is_anonymous=not phone,
            jurisdiction_id=district,
        ),
        photos=photos,
        submission_key=submission_key,
    )
    appeal = result.appeal
    if appeal.channel != Channel.BOARD:  # a key reused from another form
        raise ValidationFailed("表单已失效，请刷新页面后重新提交")
    post, created = BoardPost.objects.get_or_create(
        appeal=appeal, defaults={"nickname": nickname, "created_at": appeal.received_at}
    )
    return CreatedPost(post=post, created=created)


# --- moderation --------------------------------------------------------------------------------


def _text_clean(title: str, content: str) -> tuple[str, str]:
    return (
        line_clean(title, label="公开标题", max_length=TITLE_MAX),
        text_clean(content, label="公开内容", max_length=CONTENT_MAX),
    )


@transaction.atomic(durable=True)
def post_moderate(
    *,
    actor: User,
    post_id: int,
    action: str,
    expected_version: int | None,
    title: str = "",
    content: str = "",
    reason: str = "",
) -> BoardPost:
    """Publish the post as written, publish an edited copy, or keep it private (reason
    required). What is published is masked here (the public rule of core.privacy), the
    moderator's edits too; the appeal itself is never changed."""
    if not may_moderate(actor):
        raise PermissionDenied("只有派单员、督查员和管理员可以审核留言")
    if action not in TRANSITIONS:
        raise ValidationFailed("未知的审核操作")
    who = Actor.of(actor)
    post = MODERATION.lock(pk=post_id, action=action, actor=who, expected_version=expected_version)
    appeal = post.appeal
    if actor.jurisdiction_scope not in (None, appeal.jurisdiction_id):
        raise NotFound  # another district's post: as unknown as a missing one
    reason = MODERATION.reason_clean(action, reason)
    publishes = TRANSITIONS[ModerationAction(action)].target == ModerationStatus.PUBLISHED
    if publishes and appeal.status in HIDDEN_STATUSES:
        raise IllegalTransition("该诉求已被标记为无效件，不能公开")
    before = (post.public_title, post.public_content)
    after = _public_copy(post, action=action, title=title, content=content)
    now = timezone.now()
    fields: dict[str, object] = {
        "public_title": after[0],
        "public_content": after[1],
        "moderated_by": actor,
        "moderated_at": now,
        "moderation_reason": reason,
    }
    if publishes and post.published_at is None:
        fields["published_at"] = now
    # Before the first publication the "before" is the citizen's own text.
    if not any(before):
        before = (appeal.title, appeal.content)
    return MODERATION.apply(
        post,
        action=action,
        actor=who,
        reason=reason,
        change=Change(fields),
        event_fields={
            "title_before": before[0],
            "content_before": before[1],
            "title_after": after[0],
            "content_after": after[1],
        },
    ).subject


def _public_copy(post: BoardPost, *, action: str, title: str, content: str) -> tuple[str, str]:
    """What the public will read after the action: the citizen's text masked, the moderator's
    edits masked, or (kept private) the last public copy, for the record."""
    appeal = post.appeal
    before = (post.public_title, post.public_content)
    masked = (mask_public_text(appeal.title), mask_public_text(appeal.content))
    if action == ModerationAction.PUBLISH:
        return masked
    if action == ModerationAction.KEEP_PRIVATE:
        return before
    edited = _text_clean(title, content)
    # Compared with what would be published without edits (the form starts from that masked
    # copy): an unchanged copy is a plain publish, not an edit.
    current = before if post.status == ModerationStatus.PUBLISHED else masked
    if edited in (current, (appeal.title, appeal.content)):
        raise ValidationFailed("内容未作修改；不需修改请选择「直接公开」")
    return (mask_public_text(edited[0]), mask_public_text(edited[1]))


# --- 附议 ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportResult:
    count: int
    created: bool  # False when this reader had already supported the post


def supporter_hash(*, reader_id: str) -> str:
    """The stored identity of a reader: an HMAC of a random id the reader's session holds,
    keyed by the site's secret. Never an address, never reversible to the session."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"board-support:{reader_id}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic(durable=True)
def appeal_support(*, appeal_id: int, supporter: str) -> SupportResult:
    """One reader's 附议 on a published post: once per reader; a second is no error, it
    simply does not count again."""
    if not supporter or len(supporter) > 64:
        raise ValidationFailed("无法识别附议人，请刷新页面后重试")
    published = BoardPost.objects.filter(
        appeal_id=appeal_id, status=ModerationStatus.PUBLISHED
    ).exclude(appeal__status__in=HIDDEN_STATUSES)
    if not published.exists():
        raise NotFound("未找到该留言")
    try:
        with transaction.atomic():
            AppealSupport.objects.create(appeal_id=appeal_id, supporter=supporter)
        created = True
    except IntegrityError:
        created = False
    count = AppealSupport.objects.filter(appeal_id=appeal_id).count()
    return SupportResult(count=count, created=created)
