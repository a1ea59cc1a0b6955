"""Recording a visit (走访): the visit, then each matter raised there as an appeal with channel
`visit` through `intake.services.appeal_receive`, linked by a VisitMatter row.

`appeal_receive` is a durable transaction of its own, so a visit and its appeals cannot be one
transaction. Instead: everything is validated before anything is written (a bad matter stores
nothing), and every write is keyed by the form's one-time key (the visit by the key, each
matter's appeal by key + position), so a resubmitted form — or a retry after a failure half-way
— finds what exists and completes what is missing, never creating anything twice."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import STAFF_ROLES
from minxin.cases.models import AppealKind, Channel
from minxin.cases.services import AppealDraft, appeal_draft_clean
from minxin.core.errors import PermissionDenied, ValidationFailed
from minxin.core.text import line_clean, text_clean
from minxin.directory.models import Region
from minxin.intake.services import appeal_receive

from .models import NOTES_MAX, PLACE_MAX, TEXT_MAX, Visit, VisitMatter
from .permissions import may_record_visits

MATTERS_MAX = 20
KEY_MAX = 40  # the matters' appeal keys add a prefix and a position: 64 in all


@dataclass(frozen=True)
class MatterDraft:
    title: str
    content: str
    kind: str = AppealKind.HELP
    raiser_name: str = ""
    raiser_phone: str = ""


@dataclass(frozen=True)
class VisitDraft:
    place_text: str
    visited_at: datetime | None
    met_text: str
    region_id: int | None = None
    participant_ids: Sequence[int] = field(default_factory=tuple)
    participants_text: str = ""
    notes: str = ""


@dataclass(frozen=True)
class RecordedVisit:
    visit: Visit
    created: bool  # False when a resubmitted form found the visit it had already recorded


def visit_draft_clean(draft: VisitDraft) -> VisitDraft:
    place = line_clean(draft.place_text, label="走访地点", max_length=PLACE_MAX)
    if draft.visited_at is None:
        raise ValidationFailed("请填写走访时间")
    now = timezone.now()
    if draft.visited_at > now + timedelta(minutes=10):
        raise ValidationFailed("走访时间不能晚于现在")
    if draft.visited_at < now - timedelta(days=366):
        raise ValidationFailed("走访时间不能早于一年前")
    met = text_clean(draft.met_text, label="走访对象", max_length=TEXT_MAX)
    others = line_clean(
        draft.participants_text, label="其他走访人员", max_length=500, required=False
    )
    if not others and not draft.participant_ids:
        raise ValidationFailed("请选择或填写走访人员")
    notes = text_clean(draft.notes, label="走访情况", max_length=NOTES_MAX, required=False)
    if draft.region_id is not None and not Region.objects.filter(pk=draft.region_id).exists():
        raise ValidationFailed("所选区域不存在")
    return VisitDraft(
        place_text=place,
        visited_at=draft.visited_at,
        met_text=met,
        region_id=draft.region_id,
        participant_ids=tuple(sorted({int(i) for i in draft.participant_ids})),
        participants_text=others,
        notes=notes,
    )


def _appeal_draft(visit: VisitDraft, matter: MatterDraft, position: int) -> AppealDraft:
    """A matter as an appeal draft, checked by the appeals' own rules (named by position)."""
    draft = AppealDraft(
        channel=Channel.VISIT,
        kind=matter.kind,
        title=matter.title,
        content=matter.content,
        place_text=visit.place_text,
        region_id=visit.region_id,
        appellant_name=matter.raiser_name,
        appellant_phone=matter.raiser_phone,
        # People met on a visit often leave no number: they are then reached through the visit.
        is_anonymous=not matter.raiser_phone.strip(),
    )
    try:
        return appeal_draft_clean(draft)
    except ValidationFailed as exc:
        raise ValidationFailed(f"第{position}项事项：{exc.message}") from exc


def visit_record(
    *,
    actor: Actor,
    draft: VisitDraft,
    matters: Sequence[MatterDraft],
    submission_key: str | None = None,
) -> RecordedVisit:
    """Record a visit and turn each matter into an appeal in the loop."""
    if actor.user is None or not may_record_visits(actor.user):
        raise PermissionDenied("只有工作人员可以记录走访")
    if actor.unit_id is None:
        raise PermissionDenied("您尚未归属任何单位，不能记录走访")
    if submission_key is not None and not 0 < len(submission_key) <= KEY_MAX:
        raise ValidationFailed("表单已失效，请刷新页面后重新填写")
    key = submission_key or uuid.uuid4().hex
    existing = Visit.objects.filter(submission_key=key).first()
    draft = visit_draft_clean(draft)
    if not matters:
        raise ValidationFailed("请至少记录一项群众反映的事项")
    if len(matters) > MATTERS_MAX:
        raise ValidationFailed(f"一次走访最多记录{MATTERS_MAX}项事项")
    appeal_drafts = [_appeal_draft(draft, m, n) for n, m in enumerate(matters, start=1)]
    participants = list(
        User.objects.filter(pk__in=draft.participant_ids, is_active=True, role__in=STAFF_ROLES)
    )
    if len(participants) != len(draft.participant_ids):
        raise ValidationFailed("走访人员中有无效的工作人员")

    visit = existing or _visit_create(actor=actor, draft=draft, key=key, people=participants)
    for position, appeal_draft in enumerate(appeal_drafts, start=1):
        _matter_add(actor=actor, visit=visit, position=position, draft=appeal_draft, key=key)
    return RecordedVisit(visit=visit, created=existing is None)


@transaction.atomic(durable=True)
def _visit_create(*, actor: Actor, draft: VisitDraft, key: str, people: list[User]) -> Visit:
    # Checked by the caller and by visit_draft_clean.
    assert actor.user is not None and actor.unit_id is not None and draft.visited_at is not None
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                submission_key=key,
                unit_id=actor.unit_id,
                region_id=draft.region_id,
                place_text=draft.place_text,
                visited_at=draft.visited_at,
                participants_text=draft.participants_text,
                met_text=draft.met_text,
                notes=draft.notes,
                recorded_by=actor.user,
            )
    except IntegrityError:
        # The same form raced itself (a double click reaching two workers): one row won.
        return Visit.objects.get(submission_key=key)
    visit.participants.set(people)
    return visit


def _matter_add(
    *, actor: Actor, visit: Visit, position: int, draft: AppealDraft, key: str
) -> VisitMatter:
    found = VisitMatter.objects.filter(visit=visit, position=position).first()
    if found is not None:
        return found
    received = appeal_receive(actor=actor, draft=draft, submission_key=f"visit-{key}-{position}")
    try:
        with transaction.atomic(durable=True):
            return VisitMatter.objects.create(
                visit=visit, position=position, appeal=received.appeal
            )
    except IntegrityError:
        # A double click got there first with the same key, hence the same appeal.
        return VisitMatter.objects.get(visit=visit, position=position)
