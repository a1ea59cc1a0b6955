"""Every write to an appeal. Entry points are durable transactions; `appeal_transition` is the
one place a status changes, and it always writes exactly one AppealEvent."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from minxin.core.errors import (
    ConcurrentEdit,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from minxin.core.masking import is_valid_phone
from minxin.deadlines import calendar
from minxin.deadlines.models import Urgency
from minxin.deadlines.services import deadlines_for
from minxin.directory.models import Category, Region, Unit

from .models import (
    CONTENT_MAX,
    TITLE_MAX,
    Appeal,
    AppealEvent,
    AppealKind,
    Assignment,
    AssignmentRole,
    Attachment,
    ChangedAppeal,
    Channel,
    Extension,
    ExtensionStatus,
    Reply,
)
from .permissions import Actor, refusal
from .photos import photo_validate
from .workflow import TRANSITIONS, Action, AppealStatus, Satisfaction

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone
QUERY_CODE_LENGTH = 6
REASON_MAX = 5000


# --- the one applier ---------------------------------------------------------------------


@dataclass(frozen=True)
class TransitionResult:
    appeal: Appeal
    event: AppealEvent


@transaction.atomic
def appeal_transition(
    *,
    appeal_id: int,
    action: Action,
    actor: Actor,
    reason: str = "",
    expected_version: int | None = None,
    payload: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> TransitionResult:
    """Lock the appeal, check the table, the role and the unit, change it, log one event.

    `expected_version` is the version the actor saw; a different one means someone else acted
    in between, and the actor must look again rather than overwrite it.
    """
    transition = TRANSITIONS[action]
    appeal = _locked_and_allowed(
        appeal_id=appeal_id, action=action, actor=actor, expected_version=expected_version
    )
    status = AppealStatus(appeal.status)
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise ValidationFailed(f"请填写{transition.reason_label}")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"{transition.reason_label}不能超过{REASON_MAX}字")

    target = transition.target or status
    now = timezone.now()
    fields = {"status": target, "version": F("version") + 1, "updated_at": now, **(changes or {})}
    updated = Appeal.objects.filter(pk=appeal.pk, version=appeal.version).update(**fields)
    if updated != 1:  # cannot happen under the row lock; refuse rather than overwrite
        raise ConcurrentEdit
    appeal.refresh_from_db()
    event = _event_write(
        appeal=appeal,
        actor=actor,
        action=action,
        from_status=status,
        to_status=target,
        reason=reason,
        payload=payload or {},
        at=now,
    )
    return TransitionResult(appeal=appeal, event=event)


def _locked_and_allowed(
    *, appeal_id: int, action: Action, actor: Actor, expected_version: int | None
) -> Appeal:
    """Lock the appeal and refuse the action unless the table, role and unit allow it now.

    Services with preconditions of their own call this first, so a refused actor learns that
    it may not act before learning anything about the appeal's details."""
    appeal = Appeal.objects.select_for_update().filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound
    if expected_version is not None and appeal.version != expected_version:
        raise ConcurrentEdit
    status = AppealStatus(appeal.status)
    assisting = frozenset(
        Assignment.objects.filter(
            appeal_id=appeal.pk, is_active=True, role=AssignmentRole.ASSIST
        ).values_list("unit_id", flat=True)
    )
    why_not = refusal(
        actor=actor,
        action=action,
        status=status,
        lead_unit_id=appeal.lead_unit_id,
        assisting_unit_ids=assisting,
    )
    if why_not is not None:
        wrong_status = status not in TRANSITIONS[action].source
        raise (IllegalTransition if wrong_status else PermissionDenied)(why_not)
    return appeal


def _event_new(
    *,
    appeal: Appeal,
    actor: Actor,
    action: Action,
    from_status: str,
    to_status: str,
    reason: str,
    payload: dict[str, Any],
    at: datetime,
) -> AppealEvent:
    """An unsaved event row: `_event_write` saves one, bulk intake saves many at once."""
    return AppealEvent(
        appeal=appeal,
        actor=actor.user,
        actor_unit_id=actor.unit_id,
        actor_role=actor.role,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        payload=payload,
        created_at=at,
    )


def _event_write(
    *,
    appeal: Appeal,
    actor: Actor,
    action: Action,
    from_status: str,
    to_status: str,
    reason: str,
    payload: dict[str, Any],
    at: datetime,
) -> AppealEvent:
    """The event, and the change row that tells derived figures (supervision's) to recount."""
    ChangedAppeal.objects.create(appeal_id=appeal.pk)
    event = _event_new(
        appeal=appeal,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        payload=payload,
        at=at,
    )
    event.save(force_insert=True)
    return event


# --- intake ----------------------------------------------------------------------------


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


@dataclass(frozen=True)
class CreatedAppeal:
    appeal: Appeal
    created: bool  # False when a resubmitted form found the appeal it had already created


def appeal_draft_clean(draft: AppealDraft) -> AppealDraft:
    """Validate an intake draft; every problem is a Chinese message naming the field."""
    title = " ".join(draft.title.split())
    content = draft.content.strip()
    if not title:
        raise ValidationFailed("请填写诉求标题")
    if len(title) > TITLE_MAX:
        raise ValidationFailed(f"标题不能超过{TITLE_MAX}字")
    if not content:
        raise ValidationFailed("请填写诉求内容")
    if len(content) > CONTENT_MAX:
        raise ValidationFailed(f"诉求内容不能超过{CONTENT_MAX}字")
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
    name = draft.appellant_name.strip()
    if len(name) > 50:
        raise ValidationFailed("姓名或昵称不能超过50字")
    place = draft.place_text.strip()
    if len(place) > 200:
        raise ValidationFailed("地点不能超过200字")
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
    )


def _appeal_new(
    *,
    draft: AppealDraft,
    actor: Actor,
    tracking_number: str,
    submission_key: str | None,
    received_at: datetime,
) -> Appeal:
    """An unsaved appeal at `received` from a cleaned draft: one place for every intake path."""
    return Appeal(
        tracking_number=tracking_number,
        query_code=query_code_new(),
        submission_key=submission_key,
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
        status=AppealStatus.RECEIVED,
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
) -> CreatedAppeal:
    """Receive an appeal from any channel; a resubmitted form returns the appeal it created."""
    if submission_key:
        existing = Appeal.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return CreatedAppeal(appeal=existing, created=False)
    draft = appeal_draft_clean(draft)
    if len(photos) > settings.MINXIN_PHOTO_MAX_COUNT:
        raise ValidationFailed(f"照片最多{settings.MINXIN_PHOTO_MAX_COUNT}张")
    checked = [photo_validate(photo) for photo in photos]
    if draft.region_id is not None and not Region.objects.filter(pk=draft.region_id).exists():
        raise ValidationFailed("所选区域不存在")
    if draft.category_id is not None and not Category.objects.filter(pk=draft.category_id).exists():
        raise ValidationFailed("所选分类不存在")

    now = timezone.now()
    try:
        with transaction.atomic():
            appeal = _appeal_new(
                draft=draft,
                actor=actor,
                tracking_number=tracking_numbers_allocate(day=timezone.localdate(now), count=1)[0],
                submission_key=submission_key or None,
                received_at=now,
            )
            appeal.save(force_insert=True)
    except IntegrityError:
        # The same form raced itself (a double click reaching two workers): one row won.
        existing = Appeal.objects.filter(submission_key=submission_key).first()
        if submission_key and existing is not None:
            return CreatedAppeal(appeal=existing, created=False)
        raise
    for photo, content_type in checked:
        Attachment.objects.create(
            appeal=appeal, file=photo, content_type=content_type, size=photo.size or 0
        )
    _event_write(
        appeal=appeal,
        actor=actor,
        action=Action.RECEIVE,
        from_status="",
        to_status=AppealStatus.RECEIVED,
        reason="",
        at=now,
        payload={"channel": draft.channel, "photos": len(checked)},
    )
    return CreatedAppeal(appeal=appeal, created=True)


def tracking_numbers_allocate(*, day: date, count: int) -> list[str]:
    """Reserve `count` consecutive numbers of the day, atomically on SQLite and PostgreSQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_dailysequence (day, last_value) VALUES (%s, %s) "
            "ON CONFLICT (day) DO UPDATE SET last_value = cases_dailysequence.last_value + %s "
            "RETURNING last_value",
            [day, count, count],
        )
        last = int(cursor.fetchone()[0])
    return [f"{day:%Y%m%d}{n:05d}" for n in range(last - count + 1, last + 1)]


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


def _appeals_insert(
    *, actor: Actor, fresh: Sequence[BulkAppeal], payload: dict[str, Any]
) -> list[Appeal]:
    if not fresh:
        return []
    now = timezone.now()
    numbers = tracking_numbers_allocate(day=timezone.localdate(now), count=len(fresh))
    appeals = Appeal.objects.bulk_create(
        [
            _appeal_new(
                draft=b.draft,
                actor=actor,
                tracking_number=number,
                submission_key=b.submission_key,
                received_at=b.received_at or now,
            )
            for number, b in zip(numbers, fresh, strict=True)
        ]
    )
    AppealEvent.objects.bulk_create(
        [
            _event_new(
                appeal=appeal,
                actor=actor,
                action=Action.RECEIVE,
                from_status="",
                to_status=AppealStatus.RECEIVED,
                reason="",
                payload={"channel": appeal.channel, "photos": 0, **payload},
                at=now,
            )
            for appeal in appeals
        ]
    )
    ChangedAppeal.objects.bulk_create([ChangedAppeal(appeal_id=appeal.pk) for appeal in appeals])
    return appeals


# --- screening and dispatch --------------------------------------------------------------


@transaction.atomic(durable=True)
def appeal_screen(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    category_id: int,
    region_id: int | None,
    urgency: str,
    kind: str | None = None,
    reason: str = "",
) -> Appeal:
    _locked_and_allowed(
        appeal_id=appeal_id, action=Action.SCREEN, actor=actor, expected_version=expected_version
    )
    category = Category.objects.filter(pk=category_id, is_active=True).first()
    if category is None:
        raise ValidationFailed("请选择有效的分类")
    if region_id is not None and not Region.objects.filter(pk=region_id).exists():
        raise ValidationFailed("所选区域不存在")
    if urgency not in Urgency.values:
        raise ValidationFailed("未知的紧急程度")
    if kind is not None and kind not in AppealKind.values:
        raise ValidationFailed("未知的诉求类型")
    changes: dict[str, Any] = {"category": category, "region_id": region_id, "urgency": urgency}
    if kind:
        changes["kind"] = kind
    return appeal_transition(
        appeal_id=appeal_id,
        action=Action.SCREEN,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        changes=changes,
        payload={"category": category.path_name, "region_id": region_id, "urgency": urgency},
    ).appeal


@transaction.atomic(durable=True)
def appeal_merge(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    into_tracking_number: str,
    reason: str = "",
) -> Appeal:
    _locked_and_allowed(
        appeal_id=appeal_id, action=Action.MERGE, actor=actor, expected_version=expected_version
    )
    original = Appeal.objects.filter(tracking_number=into_tracking_number.strip()).first()
    if original is None:
        raise ValidationFailed("找不到要合并到的诉求，请核对受理编号")
    if original.pk == appeal_id:
        raise ValidationFailed("不能合并到自身")
    if original.status in (AppealStatus.MERGED, AppealStatus.INVALID):
        raise ValidationFailed("不能合并到已合并或无效的诉求")
    return appeal_transition(
        appeal_id=appeal_id,
        action=Action.MERGE,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        changes={"merged_into": original},
        payload={"merged_into": original.tracking_number},
    ).appeal


@transaction.atomic(durable=True)
def appeal_dispatch(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    lead_unit_id: int,
    assist_unit_ids: Sequence[int] = (),
    reason: str = "",
) -> Appeal:
    """Give the appeal to one lead unit and any assisting units, with deadlines from policy."""
    appeal = _locked_and_allowed(
        appeal_id=appeal_id, action=Action.DISPATCH, actor=actor, expected_version=expected_version
    )
    assist_ids = sorted({int(u) for u in assist_unit_ids} - {lead_unit_id})
    units = {
        u.pk: u for u in Unit.objects.filter(pk__in=[lead_unit_id, *assist_ids], is_active=True)
    }
    if lead_unit_id not in units:
        raise ValidationFailed("请选择有效的主办单位")
    if len(units) != len(assist_ids) + 1:
        raise ValidationFailed("协办单位中有无效单位")
    now = timezone.now()
    due = deadlines_for(category=appeal.category, urgency=appeal.urgency, start=now)
    result = appeal_transition(
        appeal_id=appeal_id,
        action=Action.DISPATCH,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        changes={
            "lead_unit_id": lead_unit_id,
            "dispatched_at": now,
            "first_contact_due": due.first_contact_due,
            "resolve_due": due.resolve_due,
            "first_contacted_at": None,
        },
        payload={
            "lead_unit": units[lead_unit_id].name,
            "assist_units": [units[u].name for u in assist_ids],
            "first_contact_due": due.first_contact_due.isoformat(),
            "resolve_due": due.resolve_due.isoformat(),
        },
    )
    Assignment.objects.filter(appeal_id=appeal_id, is_active=True).update(
        is_active=False, ended_at=now, end_reason="重新派单"
    )
    Assignment.objects.bulk_create(
        [
            Assignment(
                appeal_id=appeal_id,
                unit_id=lead_unit_id,
                role=AssignmentRole.LEAD,
                assigned_at=now,
                assigned_by=actor.user,
            )
        ]
        + [
            Assignment(
                appeal_id=appeal_id,
                unit_id=u,
                role=AssignmentRole.ASSIST,
                assigned_at=now,
                assigned_by=actor.user,
            )
            for u in assist_ids
        ]
    )
    return result.appeal


@transaction.atomic(durable=True)
def assignment_return(
    *, appeal_id: int, actor: Actor, expected_version: int | None, reason: str
) -> Appeal:
    """The lead unit sends the appeal back: not ours. The dispatcher sees it again."""
    result = appeal_transition(
        appeal_id=appeal_id,
        action=Action.RETURN,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        changes={"lead_unit_id": None, "first_contact_due": None, "resolve_due": None},
        payload={"unit_id": actor.unit_id},
    )
    Assignment.objects.filter(appeal_id=appeal_id, is_active=True).update(
        is_active=False, ended_at=timezone.now(), end_reason=f"退单：{reason.strip()[:400]}"
    )
    return result.appeal


# --- handling ----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def appeal_act(
    *,
    appeal_id: int,
    action: Action,
    actor: Actor,
    expected_version: int | None,
    reason: str = "",
) -> Appeal:
    """The actions that need nothing but the table: accept, note, follow-up, close, archive,
    invalid, restore. Actions with more to them have their own service below."""
    if action not in SIMPLE_ACTIONS:
        raise IllegalTransition("该操作需要专门的表单")
    changes: dict[str, Any] = {}
    if action in (Action.CLOSE, Action.ARCHIVE):
        changes["closed_at"] = timezone.now()
    return appeal_transition(
        appeal_id=appeal_id,
        action=action,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        changes=changes,
    ).appeal


SIMPLE_ACTIONS = frozenset(
    {
        Action.ACCEPT,
        Action.NOTE,
        Action.FOLLOW_UP,
        Action.CLOSE,
        Action.ARCHIVE,
        Action.MARK_INVALID,
        Action.RESTORE,
    }
)


@transaction.atomic(durable=True)
def appeal_first_contact(
    *, appeal_id: int, actor: Actor, expected_version: int | None, reason: str
) -> Appeal:
    now = timezone.now()
    return appeal_transition(
        appeal_id=appeal_id,
        action=Action.FIRST_CONTACT,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        changes={"first_contacted_at": now},
    ).appeal


@transaction.atomic(durable=True)
def appeal_suspend(
    *, appeal_id: int, actor: Actor, expected_version: int | None, reason: str
) -> Appeal:
    return appeal_transition(
        appeal_id=appeal_id,
        action=Action.SUSPEND,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        changes={"paused_at": timezone.now()},
    ).appeal


@transaction.atomic(durable=True)
def appeal_resume(
    *, appeal_id: int, actor: Actor, expected_version: int | None, reason: str = ""
) -> Appeal:
    """The citizen answered: the clock runs again, and the deadlines move by the paused time."""
    appeal = _locked_and_allowed(
        appeal_id=appeal_id, action=Action.RESUME, actor=actor, expected_version=expected_version
    )
    now = timezone.now()
    changes: dict[str, Any] = {"paused_at": None}
    paused = calendar.working_seconds_between(appeal.paused_at, now) if appeal.paused_at else 0
    if appeal.resolve_due is not None:
        changes["resolve_due"] = calendar.add_working_seconds(appeal.resolve_due, paused)
    return appeal_transition(
        appeal_id=appeal_id,
        action=Action.RESUME,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        changes=changes,
        payload={"paused_working_seconds": paused},
    ).appeal


@transaction.atomic(durable=True)
def extension_request(
    *, appeal_id: int, actor: Actor, expected_version: int | None, days: int, reason: str
) -> Extension:
    _locked_and_allowed(
        appeal_id=appeal_id,
        action=Action.REQUEST_EXTENSION,
        actor=actor,
        expected_version=expected_version,
    )
    if not 1 <= days <= 30:
        raise ValidationFailed("延期天数应为1至30个工作日")
    if Extension.objects.filter(appeal_id=appeal_id, status=ExtensionStatus.PENDING).exists():
        raise ValidationFailed("已有待审批的延期申请")
    result = appeal_transition(
        appeal_id=appeal_id,
        action=Action.REQUEST_EXTENSION,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        payload={"days": days},
    )
    assert actor.user is not None and actor.unit_id is not None  # handlers only, per the table
    return Extension.objects.create(
        appeal=result.appeal,
        unit_id=actor.unit_id,
        requested_by=actor.user,
        days=days,
        reason=result.event.reason,
    )


@transaction.atomic(durable=True)
def extension_decide(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    approve: bool,
    reason: str = "",
) -> Appeal:
    action = Action.APPROVE_EXTENSION if approve else Action.REFUSE_EXTENSION
    appeal = _locked_and_allowed(
        appeal_id=appeal_id, action=action, actor=actor, expected_version=expected_version
    )
    pending = (
        Extension.objects.select_for_update()
        .filter(appeal_id=appeal_id, status=ExtensionStatus.PENDING)
        .first()
    )
    if pending is None:
        raise ValidationFailed("没有待审批的延期申请")
    changes: dict[str, Any] = {}
    payload: dict[str, Any] = {"days": pending.days}
    if approve and appeal.resolve_due is not None:
        changes["resolve_due"] = calendar.add_working_days(appeal.resolve_due, pending.days)
        payload["resolve_due"] = changes["resolve_due"].isoformat()
    result = appeal_transition(
        appeal_id=appeal_id,
        action=action,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        changes=changes,
        payload=payload,
    )
    pending.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    pending.decided_by = actor.user
    pending.decided_at = result.event.created_at
    pending.decision_reason = result.event.reason
    pending.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return result.appeal


@transaction.atomic(durable=True)
def reply_submit(
    *, appeal_id: int, actor: Actor, expected_version: int | None, content: str
) -> Reply:
    """Resolve with an answer to the citizen (办结答复)."""
    now = timezone.now()
    result = appeal_transition(
        appeal_id=appeal_id,
        action=Action.RESOLVE,
        actor=actor,
        reason=content,
        expected_version=expected_version,
        changes={"resolved_at": now, "satisfaction": ""},
    )
    assert actor.unit_id is not None  # handlers only, per the table
    return Reply.objects.create(
        appeal=result.appeal,
        unit_id=actor.unit_id,
        author=actor.user,
        content=result.event.reason,
        created_at=now,
    )


# --- after the reply ---------------------------------------------------------------------


def appeal_rate(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    satisfaction: str,
    comment: str = "",
) -> TransitionResult:
    """Record the citizen's rating; dissatisfied sends the appeal to follow-up.
    Runs inside the caller's transaction (feedback.services keeps the Rating row)."""
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed("请选择满意、基本满意或不满意")
    action = Action.RATE_DISSATISFIED if satisfaction == Satisfaction.DISSATISFIED else Action.RATE
    return appeal_transition(
        appeal_id=appeal_id,
        action=action,
        actor=actor,
        reason=comment,
        expected_version=expected_version,
        changes={"satisfaction": satisfaction},
        payload={"satisfaction": satisfaction},
    )


@transaction.atomic(durable=True)
def appeal_reopen(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    reason: str,
    days: int | None = None,
) -> Appeal:
    """Back to the lead unit after a dissatisfied rating, with a new completion deadline."""
    appeal = _locked_and_allowed(
        appeal_id=appeal_id, action=Action.REOPEN, actor=actor, expected_version=expected_version
    )
    if appeal.lead_unit_id is None:
        raise ValidationFailed("该诉求没有主办单位，无法重办")
    now = timezone.now()
    if days is not None and not 1 <= days <= 60:
        raise ValidationFailed("重办时限应为1至60个工作日")
    resolve_due = (
        calendar.add_working_days(now, days)
        if days is not None
        else deadlines_for(category=appeal.category, urgency=appeal.urgency, start=now).resolve_due
    )
    return appeal_transition(
        appeal_id=appeal_id,
        action=Action.REOPEN,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        changes={
            "resolve_due": resolve_due,
            "resolved_at": None,
            "satisfaction": "",
            "reopen_count": F("reopen_count") + 1,
        },
        payload={"resolve_due": resolve_due.isoformat()},
    ).appeal


def archive_unrated_appeals(*, now: datetime | None = None, limit: int = 500) -> int:
    """Archive appeals left unrated longer than the configured number of days (system action)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(settings.MINXIN["ARCHIVE_UNRATED_AFTER_DAYS"]))
    ids = list(
        Appeal.objects.filter(status=AppealStatus.RESOLVED, resolved_at__lt=cutoff)
        .order_by("resolved_at")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for appeal_id in ids:
        with transaction.atomic():
            try:
                appeal_transition(
                    appeal_id=appeal_id,
                    action=Action.ARCHIVE,
                    actor=Actor.system(),
                    reason="超过评价期限未评价，自动归档",
                    changes={"closed_at": now},
                )
            except IllegalTransition:
                continue  # rated or reopened meanwhile: nothing to do
            done += 1
    return done
