"""Intake: every new appeal, from one channel's form or many at once from an import."""

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.core.errors import ValidationFailed
from minxin.core.models import day_numbers_take
from minxin.core.privacy import is_valid_phone
from minxin.core.text import line_clean, text_clean
from minxin.deadlines.models import Urgency
from minxin.directory.models import Category, Region, jurisdiction_default
from minxin.directory.selectors import jurisdiction_of_region

from .. import changes
from ..machine import APPEALS
from ..models import (
    CONTENT_MAX,
    TITLE_MAX,
    Appeal,
    AppealEvent,
    AppealKind,
    Attachment,
    ChangedAppeal,
    Channel,
    DailySequence,
)
from ..photos import photos_validate
from ..workflow import Action

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone
QUERY_CODE_LENGTH = 6


@dataclass(frozen=True)
class AppealDraft:
    channel: str
    kind: str
    title: str
    content: str
    place_text: str = ""
    region_id: int | None = None
    category_id: int | None = None
    urgency: str = Urgency.NORMAL
    appellant_name: str = ""
    appellant_phone: str = ""
    is_anonymous: bool = False
    latitude: float | None = None
    longitude: float | None = None
    # The district it is received for, when the channel knows (a public page's host, Open311's
    # jurisdiction_id); else the receiving staff's, else its place's (`_district_of`).
    jurisdiction_id: int | None = None


@dataclass(frozen=True)
class Upstream:
    """Where an appeal a peer platform sent down came from (docs/citylink.md): the peer, its
    id for the work order (one appeal per peer and id) and its deadline, if it gave one."""

    peer_id: int
    upstream_id: str
    due: datetime | None = None


@dataclass(frozen=True)
class CreatedAppeal:
    appeal: Appeal
    created: bool  # False when a resubmitted form found the appeal it had already created


def appeal_draft_clean(draft: AppealDraft) -> AppealDraft:
    """Validate an intake draft; every problem is a Chinese message naming the field."""
    title = line_clean(draft.title, label="诉求标题", short="标题", max_length=TITLE_MAX)
    content = text_clean(draft.content, label="诉求内容", max_length=CONTENT_MAX)
    if draft.channel not in Channel.values:
        raise ValidationFailed("未知的受理渠道")
    if draft.kind not in AppealKind.values:
        raise ValidationFailed("请选择诉求类型")
    if draft.urgency not in Urgency.values:
        raise ValidationFailed("未知的紧急程度")
    phone = draft.appellant_phone.strip().replace(" ", "")
    if phone and not is_valid_phone(phone):
        raise ValidationFailed("联系电话格式不正确，请填写11位手机号或带区号的固定电话")
    if not draft.is_anonymous and not phone:
        raise ValidationFailed("请填写联系电话，或选择匿名反映")
    name = text_clean(draft.appellant_name, label="姓名或昵称", max_length=50, required=False)
    place = text_clean(draft.place_text, label="地点", max_length=200, required=False)
    for value, low, high, label in (
        (draft.latitude, -90, 90, "纬度"),
        (draft.longitude, -180, 180, "经度"),
    ):
        if value is not None and not low <= value <= high:
            raise ValidationFailed(f"{label}超出范围")
    return AppealDraft(
        channel=draft.channel,
        kind=draft.kind,
        title=title,
        content=content,
        place_text=place,
        region_id=draft.region_id,
        category_id=draft.category_id,
        urgency=draft.urgency,
        appellant_name=name,
        appellant_phone=phone,
        is_anonymous=draft.is_anonymous,
        latitude=draft.latitude,
        longitude=draft.longitude,
        jurisdiction_id=draft.jurisdiction_id,
    )


def _district_of(draft: AppealDraft, actor: Actor) -> int:
    """The district an appeal is received for: the channel's, else the receiving staff's,
    else its place's, else the install's first. A place must lie in that district."""
    district = draft.jurisdiction_id
    if district is None and actor.user is not None:
        district = actor.user.jurisdiction_scope
    placed = jurisdiction_of_region(draft.region_id) if draft.region_id is not None else None
    if district is None:
        return placed if placed is not None else jurisdiction_default()
    if placed is not None and placed != district:
        raise ValidationFailed("所选区域不属于本辖区")
    return district


def _appeal_new(
    *,
    draft: AppealDraft,
    actor: Actor,
    tracking_number: str,
    submission_key: str | None,
    received_at: datetime,
    jurisdiction_id: int,
) -> Appeal:
    """An unsaved appeal (at its model's initial status) from a cleaned draft: one place for
    every intake path."""
    return Appeal(
        tracking_number=tracking_number,
        query_code=query_code_new(),
        submission_key=submission_key,
        jurisdiction_id=jurisdiction_id,
        channel=draft.channel,
        kind=draft.kind,
        title=draft.title,
        content=draft.content,
        place_text=draft.place_text,
        region_id=draft.region_id,
        category_id=draft.category_id,
        urgency=draft.urgency,
        appellant_name=""
        if draft.is_anonymous and not draft.appellant_name
        else draft.appellant_name,
        appellant_phone=draft.appellant_phone,
        is_anonymous=draft.is_anonymous,
        latitude=draft.latitude,
        longitude=draft.longitude,
        received_at=received_at,
        created_by=actor.user,
    )


@transaction.atomic(durable=True)
def appeal_create(
    *,
    actor: Actor,
    draft: AppealDraft,
    photos: Sequence[UploadedFile[bytes]] = (),
    submission_key: str | None = None,
    upstream: Upstream | None = None,
    channel_record: Callable[[Appeal], None] | None = None,
) -> CreatedAppeal:
    """Receive an appeal from any channel; a resubmitted form returns the appeal it created.
    An `upstream` work order keeps the peer's id and deadline on the appeal. `channel_record`
    writes a channel's own record of a new appeal in the same transaction (one commit)."""
    APPEALS.may_create(action=Action.RECEIVE, actor=actor)
    if submission_key:
        existing = Appeal.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return CreatedAppeal(appeal=existing, created=False)
    draft = appeal_draft_clean(draft)
    checked = photos_validate(photos)
    if draft.region_id is not None and not Region.objects.filter(pk=draft.region_id).exists():
        raise ValidationFailed("所选区域不存在")
    if draft.category_id is not None and not Category.objects.filter(pk=draft.category_id).exists():
        raise ValidationFailed("所选分类不存在")
    district = _district_of(draft, actor)

    now = timezone.now()
    try:
        # A savepoint only where a racing twin can be caught (the same one-time key).
        with transaction.atomic(savepoint=bool(submission_key)):
            appeal = _appeal_new(
                draft=draft,
                actor=actor,
                tracking_number=tracking_numbers_allocate(day=timezone.localdate(now), count=1)[0],
                submission_key=submission_key or None,
                received_at=now,
                jurisdiction_id=district,
            )
            if upstream is not None:
                appeal.upstream_peer_id = upstream.peer_id
                appeal.upstream_id = upstream.upstream_id
                appeal.upstream_due = upstream.due
            appeal.save(force_insert=True)
    except IntegrityError:
        # The same form raced itself (a double click reaching two workers): one row won.
        if not submission_key:
            raise
        existing = Appeal.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return CreatedAppeal(appeal=existing, created=False)
        raise
    for photo, content_type in checked:
        Attachment.objects.create(
            appeal=appeal, file=photo, content_type=content_type, size=photo.size or 0
        )
    change = changes.received(channel=draft.channel, photos=len(checked))
    APPEALS.created(appeal, action=Action.RECEIVE, actor=actor, payload=change.payload, at=now)
    if channel_record is not None:
        channel_record(appeal)
    return CreatedAppeal(appeal=appeal, created=True)


def tracking_numbers_allocate(*, day: date, count: int) -> list[str]:
    """Reserve `count` consecutive tracking numbers of the day."""
    return [f"{day:%Y%m%d}{n:05d}" for n in day_numbers_take(DailySequence, day=day, count=count)]


def query_code_new() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


@dataclass(frozen=True)
class BulkAppeal:
    """One appeal of a batch received at once (a bulk import): the draft, its idempotency key
    and, for an appeal first received elsewhere, its original time of receipt."""

    draft: AppealDraft
    submission_key: str
    received_at: datetime | None = None


@dataclass(frozen=True)
class BulkCreated:
    created: list[Appeal]
    existing: int  # keys found already in the database (or twice in the batch): nothing added


BULK_CONFLICT_RETRIES = 5


@transaction.atomic
def appeals_create_bulk(
    *, actor: Actor, items: Sequence[BulkAppeal], payload: dict[str, Any] | None = None
) -> BulkCreated:
    """`appeal_create` for many appeals at once: the same validation (`appeal_draft_clean`),
    the same tracking numbers and one RECEIVE event each, in a few statements instead of a few
    per appeal. Idempotent by `submission_key` (required here), also against a concurrent
    batch holding the same keys. Runs inside the caller's transaction; any invalid draft
    raises ValidationFailed and nothing of the batch is stored."""
    APPEALS.may_create(action=Action.RECEIVE, actor=actor)
    drafts = _bulk_drafts_clean(items)
    for attempt in range(BULK_CONFLICT_RETRIES):
        taken = set(
            Appeal.objects.filter(submission_key__in=list(drafts)).values_list(
                "submission_key", flat=True
            )
        )
        fresh = [b for key, b in drafts.items() if key not in taken]
        try:
            # A savepoint: a concurrent batch that committed the same keys in between makes
            # the insert fail; undo it (numbers included) and look again.
            with transaction.atomic():
                created = _appeals_insert(actor=actor, fresh=fresh, payload=payload or {})
        except IntegrityError:
            if attempt == BULK_CONFLICT_RETRIES - 1:
                raise
            continue
        return BulkCreated(created=created, existing=len(items) - len(created))
    raise AssertionError("unreachable")


def _bulk_drafts_clean(items: Sequence[BulkAppeal]) -> dict[str, BulkAppeal]:
    """The batch's drafts cleaned, by key (a key twice counts once); places and categories
    checked in one query each."""
    drafts: dict[str, BulkAppeal] = {}
    for item in items:
        if not item.submission_key or len(item.submission_key) > 64:
            raise ValidationFailed("批量受理的每条诉求都需要不超过64位的提交键")
        if item.submission_key not in drafts:
            drafts[item.submission_key] = BulkAppeal(
                draft=appeal_draft_clean(item.draft),
                submission_key=item.submission_key,
                received_at=item.received_at,
            )
    region_ids = {b.draft.region_id for b in drafts.values() if b.draft.region_id is not None}
    if len(region_ids) != Region.objects.filter(pk__in=region_ids).count():
        raise ValidationFailed("所选区域不存在")
    category_ids = {b.draft.category_id for b in drafts.values() if b.draft.category_id is not None}
    if len(category_ids) != Category.objects.filter(pk__in=category_ids).count():
        raise ValidationFailed("所选分类不存在")
    return drafts


def _appeals_insert(
    *, actor: Actor, fresh: Sequence[BulkAppeal], payload: dict[str, Any]
) -> list[Appeal]:
    if not fresh:
        return []
    now = timezone.now()
    numbers = tracking_numbers_allocate(day=timezone.localdate(now), count=len(fresh))
    districts: dict[tuple[int | None, int | None], int] = {}  # by the draft's district, place
    for b in fresh:
        placed = (b.draft.jurisdiction_id, b.draft.region_id)
        if placed not in districts:
            districts[placed] = _district_of(b.draft, actor)
    appeals = Appeal.objects.bulk_create(
        [
            _appeal_new(
                draft=b.draft,
                actor=actor,
                tracking_number=number,
                submission_key=b.submission_key,
                received_at=b.received_at or now,
                jurisdiction_id=districts[(b.draft.jurisdiction_id, b.draft.region_id)],
            )
            for number, b in zip(numbers, fresh, strict=True)
        ]
    )
    AppealEvent.objects.bulk_create(
        [
            APPEALS.event_new(
                appeal,
                action=Action.RECEIVE,
                actor=actor,
                from_status="",
                payload={**changes.received(channel=appeal.channel, photos=0).payload, **payload},
                at=now,
            )
            for appeal in appeals
        ]
    )
    ChangedAppeal.objects.bulk_create([ChangedAppeal(appeal_id=appeal.pk) for appeal in appeals])
    return appeals
