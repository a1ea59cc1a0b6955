"""考核申诉: every write. A request is made by a handler of the appeal's lead unit, for a
dissatisfied rating the appeal actually received or a completion deadline it actually missed,
within `settings.MINXIN_EXEMPTION_REQUEST_WORKING_DAYS` working days of the rating or the
deadline, one per appeal and kind waiting at a time; the supervision office approves or
refuses it with a reason; the unit may withdraw it while it waits. Each step goes through the
machine (`machine.EXEMPTIONS`, one event each). The appeal is only read, never changed."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.accounts.selectors import unit_handlers
from minxin.cases.models import Appeal
from minxin.cases.photos import photo_validate
from minxin.cases.selectors import appeal_visible_to
from minxin.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from minxin.core.models import photos_save
from minxin.core.text import text_clean
from minxin.machine.engine import Change
from minxin.notify.services import notifications_send

from .machine import EXEMPTIONS, MISSING
from .models import STATEMENT_MAX, Exemption, ExemptionPhoto
from .selectors import exemption_refusal, exemption_scope_for
from .workflow import ExemptionAction, ExemptionKind, Ground

A = ExemptionAction
K = ExemptionKind


@dataclass(frozen=True)
class ExemptionDraft:
    appeal_id: int
    kind: str
    ground: str
    statement: str
    photos: Sequence[UploadedFile[bytes]] = ()


def _draft_clean(draft: ExemptionDraft) -> tuple[str, str, list[tuple[ContentFile[bytes], str]]]:
    if draft.kind not in K.values:
        raise ValidationFailed("请选择申诉事项")
    if draft.ground not in Ground.values:
        raise ValidationFailed("请选择申诉理由类别")
    statement = text_clean(draft.statement, label="申诉理由及证据说明", max_length=STATEMENT_MAX)
    if len(draft.photos) > settings.MINXIN_PHOTO_MAX_COUNT:
        raise ValidationFailed(f"照片最多{settings.MINXIN_PHOTO_MAX_COUNT}张")
    photos = [photo_validate(p) for p in draft.photos]
    return draft.kind, statement, photos


@transaction.atomic(durable=True)
def exemption_request(
    *, actor: User, draft: ExemptionDraft, at: datetime | None = None
) -> Exemption:
    """A request of the appeal's lead unit, with its evidence photos."""
    who = Actor.of(actor)
    EXEMPTIONS.may_create(action=A.REQUEST, actor=who)
    now = at or timezone.now()
    # The appeal's row locked so that two requests of one unit are taken one after the other;
    # it is read, never written.
    appeal = Appeal.objects.select_for_update().filter(pk=draft.appeal_id).first()
    if appeal is None or not appeal_visible_to(user=actor, appeal_id=appeal.pk):
        raise NotFound
    if actor.unit_id is None or actor.unit_id != appeal.lead_unit_id:
        raise PermissionDenied("只有该诉求的主办单位可以申请免考核")
    kind, statement, photos = _draft_clean(draft)
    subject, why_not = exemption_refusal(appeal=appeal, kind=kind, now=now)
    if why_not is not None or subject is None:
        raise why_not or ValidationFailed("请选择申诉事项")
    try:
        with transaction.atomic():
            exemption = Exemption.objects.create(
                appeal=appeal,
                unit_id=appeal.lead_unit_id,
                kind=kind,
                ground=draft.ground,
                statement=statement,
                rating_event_id=subject.rating_event_id,
                deadline=subject.deadline,
                requested_by=actor,
                requested_at=now,
            )
    except IntegrityError as exc:  # a request made at the same moment by a colleague
        raise IllegalTransition("该诉求已有待审核的免考核申请") from exc
    EXEMPTIONS.created(
        exemption,
        action=A.REQUEST,
        actor=who,
        reason=statement,
        payload={"kind": kind, "ground": draft.ground, "photos": len(photos)},
        at=now,
    )
    notifications_send(
        recipients=User.objects.filter(role=Role.SUPERVISOR, is_active=True),
        title=f"【考核申诉】{appeal.tracking_number} {ExemptionKind(kind).label}免考核待审核",
        body=statement[:200],
        link=reverse("exemptions:list"),
        kind="exemption_request",
    )
    photos_save(ExemptionPhoto, photos, exemption=exemption)
    return exemption


@transaction.atomic(durable=True)
def exemption_act(
    *,
    actor: User,
    exemption_id: int,
    action: str,
    reason: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Exemption:
    """Approve, refuse (the supervision office, with a reason) or withdraw (the unit)."""
    if action not in (A.APPROVE, A.REFUSE, A.WITHDRAW):
        raise NotFound("没有该操作")
    if not exemption_scope_for(user=actor).filter(pk=exemption_id).exists():
        raise NotFound(MISSING)
    who = Actor.of(actor)
    now = at or timezone.now()
    exemption = EXEMPTIONS.lock(
        pk=exemption_id, action=action, actor=who, expected_version=expected_version
    )
    if action == A.WITHDRAW:
        return EXEMPTIONS.apply(exemption, action=action, actor=who, at=now).subject
    decision = EXEMPTIONS.reason_clean(action, reason)
    change = Change({"decided_by": actor, "decided_at": now, "decision": decision})
    decided = EXEMPTIONS.apply(
        exemption, action=action, actor=who, reason=decision, change=change, at=now
    ).subject
    appeal = Appeal.objects.only("tracking_number").get(pk=decided.appeal_id)
    notifications_send(
        recipients=unit_handlers([decided.unit_id]),
        title=f"【考核申诉】{appeal.tracking_number} {decided.get_kind_display()}免考核"
        f"{decided.get_status_display()}",
        body=decision[:200],
        link=reverse("cases:appeal_detail", args=[decided.appeal_id]),
        kind="exemption_decision",
    )
    return decided
