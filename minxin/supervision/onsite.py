"""四不两直 (on-site checks): a supervisor goes, unannounced and straight to the place, to an
appeal the citizen was dissatisfied with, records what was found with photos, and gives the
lead unit a correction deadline — a 督办单 (`services.supervision_order_issue`), which the
orders' machine then follows (answer, escalation). The appeal records it as its
`onsite_check` event; the photos are re-encoded without their metadata (`cases.photos`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases.machine import APPEALS
from minxin.cases.models import Appeal, AppealEvent, Revisit, RevisitStatus
from minxin.cases.photos import photo_validate
from minxin.cases.workflow import Action, Satisfaction
from minxin.core.errors import ValidationFailed
from minxin.core.models import photos_save
from minxin.core.text import text_clean
from minxin.machine.engine import Change

from .models import OnSiteCheck, OnSiteCheckPhoto
from .services import supervision_order_issue

FINDINGS_MAX = 2000
CORRECTION_DAYS_MAX = 90
NOT_DISSATISFIED = "只有群众不满意（评价不满意，或回访未解决、不满意）的诉求才开展四不两直督查"


@dataclass(frozen=True)
class CheckDraft:
    findings: str
    checked_at: datetime | None
    correction_due: datetime | None
    photos: Sequence[UploadedFile[bytes]] = ()


def appeal_dissatisfied(appeal: Appeal) -> bool:
    """A dissatisfied rating, or a revisit that found it unsolved or the citizen dissatisfied."""
    rated = AppealEvent.objects.filter(appeal=appeal, action=Action.RATE_DISSATISFIED).exists()
    return (
        rated
        or Revisit.objects.filter(appeal=appeal, status=RevisitStatus.DONE)
        .filter(Q(solved=False) | Q(satisfaction=Satisfaction.DISSATISFIED))
        .exists()
    )


def _checked(draft: CheckDraft, now: datetime) -> tuple[str, datetime, datetime]:
    findings = text_clean(draft.findings, label="督查发现", max_length=FINDINGS_MAX)
    checked_at = draft.checked_at or now
    if checked_at > now + timedelta(minutes=5):
        raise ValidationFailed("督查时间不能晚于当前时间")
    if checked_at < now - timedelta(days=30):
        raise ValidationFailed("督查时间应在30天以内，请及时记录")
    due = draft.correction_due
    if due is None:
        raise ValidationFailed("请填写整改期限")
    if due <= now:
        raise ValidationFailed("整改期限应晚于当前时间")
    if due > now + timedelta(days=CORRECTION_DAYS_MAX):
        raise ValidationFailed(f"整改期限不能超过{CORRECTION_DAYS_MAX}天")
    if len(draft.photos) > settings.MINXIN_PHOTO_MAX_COUNT:
        raise ValidationFailed(f"照片最多{settings.MINXIN_PHOTO_MAX_COUNT}张")
    return findings, checked_at, due


@transaction.atomic(durable=True)
def onsite_check_record(
    *, appeal_id: int, actor: User, expected_version: int | None, draft: CheckDraft
) -> OnSiteCheck:
    """Record the check, its photos and the correction order, in one transaction."""
    who = Actor.of(actor)
    appeal = APPEALS.lock(
        pk=appeal_id, action=Action.ONSITE_CHECK, actor=who, expected_version=expected_version
    )
    if not appeal_dissatisfied(appeal):
        raise ValidationFailed(NOT_DISSATISFIED)
    if appeal.lead_unit_id is None:
        raise ValidationFailed("该诉求没有主办单位，无法下达整改要求")
    now = timezone.now()
    findings, checked_at, due = _checked(draft, now)
    photos = [photo_validate(p) for p in draft.photos]
    order = supervision_order_issue(
        actor=actor,
        appeal_id=appeal.pk,
        due_at=due,
        content=(
            f"四不两直督查发现：{findings}\n"
            f"请于{timezone.localtime(due):%Y-%m-%d %H:%M}前整改到位，并答复整改情况。"
        ),
    )
    APPEALS.apply(
        appeal,
        action=Action.ONSITE_CHECK,
        actor=who,
        reason=findings,
        change=Change(
            payload={"order_id": order.pk, "correction_due": due.isoformat(), "photos": len(photos)}
        ),
        at=now,
    )
    check = OnSiteCheck.objects.create(
        appeal=appeal,
        unit_id=appeal.lead_unit_id,
        checked_by=actor,
        checked_at=checked_at,
        findings=findings,
        correction_due=due,
        order=order,
        created_at=now,
    )
    photos_save(OnSiteCheckPhoto, photos, onsite_check=check)
    return check


def onsite_checks_of(appeal: Appeal) -> list[OnSiteCheck]:
    """The appeal's checks, newest first, with their photos and orders (two queries)."""
    return list(
        OnSiteCheck.objects.filter(appeal=appeal)
        .select_related("checked_by", "unit", "order")
        .prefetch_related("photos")
        .order_by("-checked_at", "-id")
    )


def onsite_photo_get(*, appeal: Appeal, photo_id: int) -> OnSiteCheckPhoto | None:
    return OnSiteCheckPhoto.objects.filter(pk=photo_id, onsite_check__appeal=appeal).first()
