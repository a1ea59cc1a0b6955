"""Every write to a suggestion, through the suggestions' machine (`machine.SUGGESTIONS`): the
one place its status changes, always with exactly one SuggestionEvent; the proposer is told
each outcome by SMS after commit."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.roles import Role
from minxin.cases.models import AppealKind, Channel
from minxin.cases.services import AppealDraft, query_code_new
from minxin.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from minxin.core.models import day_numbers_take
from minxin.core.privacy import is_valid_phone
from minxin.core.text import line_clean, text_clean
from minxin.directory.models import jurisdiction_default
from minxin.directory.selectors import units_handling
from minxin.intake.services import appeal_receive
from minxin.machine.engine import NO_CHANGE, Change

from .machine import REASON_MAX, SUGGESTIONS
from .models import CONTENT_MAX, TITLE_MAX, Suggestion, SuggestionField, SuggestionSequence
from .workflow import TRANSITIONS, SuggestionAction


def _decide(
    *,
    suggestion_id: int,
    action: SuggestionAction,
    actor: Actor,
    expected_version: int | None,
    reason: str,
    change: Change = NO_CHANGE,
) -> Suggestion:
    """An outcome (adopted at a level, or declined): the decision and when are recorded with
    the change, once the machine has locked the suggestion and allowed the actor."""
    suggestion = SUGGESTIONS.lock(
        pk=suggestion_id, action=action, actor=actor, expected_version=expected_version
    )
    decision = {
        "adoption_level": TRANSITIONS[action].level or "",
        "decision": SUGGESTIONS.reason_clean(action, reason),
        "decided_at": timezone.now(),
    }
    return SUGGESTIONS.apply(
        suggestion,
        action=action,
        actor=actor,
        reason=reason,
        change=Change({**decision, **change.fields}, change.payload),
    ).subject


# --- submit ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestionDraft:
    field: str
    title: str
    content: str
    proposer_name: str = ""
    proposer_phone: str = ""


@dataclass(frozen=True)
class CreatedSuggestion:
    suggestion: Suggestion
    created: bool  # False when a resubmitted form found the suggestion it had already made


def suggestion_draft_clean(draft: SuggestionDraft) -> SuggestionDraft:
    """Validate a draft; every problem is a Chinese message naming the field."""
    if draft.field not in SuggestionField.values:
        raise ValidationFailed("请选择建议所属领域")
    title = line_clean(draft.title, label="建议标题", short="标题", max_length=TITLE_MAX)
    content = text_clean(draft.content, label="建议内容", max_length=CONTENT_MAX)
    if len(content) < 10:
        raise ValidationFailed("建议内容请至少写10个字，说明问题和您的建议")
    name = text_clean(draft.proposer_name, label="姓名或昵称", max_length=50, required=False)
    phone = draft.proposer_phone.strip().replace(" ", "").replace("-", "")
    if phone and not is_valid_phone(phone):
        raise ValidationFailed("联系电话格式不正确，请填写11位手机号或带区号的固定电话")
    return SuggestionDraft(
        field=draft.field, title=title, content=content, proposer_name=name, proposer_phone=phone
    )


@transaction.atomic(durable=True)
def suggestion_submit(
    *,
    actor: Actor,
    draft: SuggestionDraft,
    submission_key: str | None = None,
    district: int | None = None,
) -> CreatedSuggestion:
    """A citizen's suggestion to `district` (the public page's; else the install's first); a
    resubmitted form returns the one it created."""
    if actor.role != Role.CITIZEN:
        raise PermissionDenied("建议由市民在建议征集页面提交")
    SUGGESTIONS.may_create(action=SuggestionAction.SUBMIT, actor=actor)
    if submission_key:
        existing = Suggestion.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return CreatedSuggestion(suggestion=existing, created=False)
    draft = suggestion_draft_clean(draft)
    now = timezone.now()
    try:
        with transaction.atomic():
            suggestion = Suggestion.objects.create(
                tracking_number=_number_allocate(day=timezone.localdate(now)),
                query_code=query_code_new(),
                jurisdiction_id=district if district is not None else jurisdiction_default(),
                submission_key=submission_key or None,
                field=draft.field,
                title=draft.title,
                content=draft.content,
                proposer_name=draft.proposer_name,
                proposer_phone=draft.proposer_phone,
                created_at=now,
            )
    except IntegrityError:
        # The same form raced itself (a double click reaching two workers): one row won.
        existing = Suggestion.objects.filter(submission_key=submission_key).first()
        if submission_key and existing is not None:
            return CreatedSuggestion(suggestion=existing, created=False)
        raise
    SUGGESTIONS.created(
        suggestion,
        action=SuggestionAction.SUBMIT,
        actor=actor,
        payload={"field": draft.field},
        at=now,
    )
    return CreatedSuggestion(suggestion=suggestion, created=True)


def _number_allocate(*, day: date) -> str:
    (n,) = day_numbers_take(SuggestionSequence, day=day)
    return f"JY{day:%Y%m%d}{n:05d}"


# --- review ------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def suggestion_review_start(
    *, suggestion_id: int, actor: Actor, expected_version: int | None, reason: str = ""
) -> Suggestion:
    return SUGGESTIONS.transition(
        pk=suggestion_id,
        action=SuggestionAction.REVIEW,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
    ).subject


@transaction.atomic(durable=True)
def suggestion_adopt(
    *,
    suggestion_id: int,
    action: SuggestionAction,
    actor: Actor,
    expected_version: int | None,
    reason: str,
) -> Suggestion:
    """Adopt by reporting it to the city or by a leader's endorsement (forwarding to a
    department makes an appeal: `suggestion_forward`)."""
    if action not in (SuggestionAction.REPORT, SuggestionAction.ENDORSE):
        raise IllegalTransition("该操作需要专门的表单")
    return _decide(
        suggestion_id=suggestion_id,
        action=action,
        actor=actor,
        expected_version=expected_version,
        reason=reason,
    )


@transaction.atomic(durable=True)
def suggestion_decline(
    *, suggestion_id: int, actor: Actor, expected_version: int | None, reason: str
) -> Suggestion:
    return _decide(
        suggestion_id=suggestion_id,
        action=SuggestionAction.DECLINE,
        actor=actor,
        expected_version=expected_version,
        reason=reason,
    )


def suggestion_forward(
    *,
    suggestion_id: int,
    actor: Actor,
    expected_version: int | None,
    unit_id: int | None,
    reason: str = "",
) -> Suggestion:
    """Adopt by forwarding to a department: an appeal with channel `suggestion` enters the loop
    (the dispatcher's queue, with the chosen unit named in it) and is linked to the suggestion.

    `appeal_receive` is a durable transaction of its own, so this runs in three steps: check
    (nothing written), create the appeal with a key derived from the suggestion (so a retry
    finds the same appeal, never a second one), then adopt and link in one transaction."""
    with transaction.atomic(durable=True):
        suggestion = SUGGESTIONS.lock(
            pk=suggestion_id,
            action=SuggestionAction.FORWARD,
            actor=actor,
            expected_version=expected_version,
        )
        # Who can act on a forwarded suggestion: the bodies that handle appeals.
        units = units_handling(district=suggestion.jurisdiction_id)
        forward_to = units.filter(pk=unit_id or 0).first()
        if forward_to is None:
            raise ValidationFailed("请选择承办的职能部门或街道")
        reason = text_clean(reason, label="交办意见", max_length=REASON_MAX, required=False)
    provenance = f"（人民建议征集 {suggestion.tracking_number} 采纳，建议交由{forward_to.name}办理"
    provenance += f"；交办意见：{reason[:500]}）" if reason else "）"
    created = appeal_receive(
        actor=actor,
        draft=AppealDraft(
            channel=Channel.SUGGESTION,
            kind=AppealKind.SUGGESTION,
            title=suggestion.title,
            content=f"{suggestion.content}\n\n{provenance}"[:5000],
            appellant_name=suggestion.proposer_name,
            appellant_phone=suggestion.proposer_phone,
            is_anonymous=not suggestion.proposer_phone,
            jurisdiction_id=suggestion.jurisdiction_id,
        ),
        submission_key=f"suggestion-{suggestion.pk}",
    )
    with transaction.atomic(durable=True):
        return _decide(
            suggestion_id=suggestion_id,
            action=SuggestionAction.FORWARD,
            actor=actor,
            expected_version=expected_version,
            reason=reason,
            change=Change(
                {"forward_unit_id": forward_to.pk, "appeal_id": created.appeal.pk},
                {"unit": forward_to.name, "appeal": created.appeal.tracking_number},
            ),
        )


# The services of the actions the review page posts (`views.review_act`). Each takes
# suggestion_id, actor, expected_version, reason and the row's `inputs`, keyword-only.
ACTION_SERVICES: Final[Mapping[str, Callable[..., Suggestion]]] = {
    SuggestionAction.REVIEW: suggestion_review_start,
    SuggestionAction.FORWARD: suggestion_forward,
    SuggestionAction.REPORT: partial(suggestion_adopt, action=SuggestionAction.REPORT),
    SuggestionAction.ENDORSE: partial(suggestion_adopt, action=SuggestionAction.ENDORSE),
    SuggestionAction.DECLINE: suggestion_decline,
}


def suggestion_act(
    *,
    suggestion_id: int,
    action: str,
    actor: Actor,
    expected_version: int | None,
    reason: str = "",
    inputs: Mapping[str, Any] | None = None,
) -> Suggestion:
    """The action the review page posted, by its service."""
    service = ACTION_SERVICES.get(action)
    if service is None:
        raise NotFound("未知的操作")
    named = TRANSITIONS[action].inputs_of(inputs or {})  # type: ignore[index]
    return service(
        suggestion_id=suggestion_id,
        actor=actor,
        expected_version=expected_version,
        reason=reason,
        **named,
    )
