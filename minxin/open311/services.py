"""Writes of the Open311 server: API keys, and service requests received as appeals."""

import hashlib
import json
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.cases.models import CONTENT_MAX, TITLE_MAX, Appeal, AppealKind, Channel
from minxin.cases.services import (
    AppealDraft,
    DownstreamRecorded,
    DownstreamUpdate,
    Upstream,
    appeal_downstream_record,
)
from minxin.core.errors import MinxinError, NotFound, PermissionDenied, ValidationFailed
from minxin.core.privacy import is_valid_phone
from minxin.core.text import control_free, line_clean
from minxin.core.tokens import holder_issue, holder_revoke, last_used_note, token_hash
from minxin.directory.models import Region
from minxin.intake.services import appeal_receive

from .models import ApiKey, IdempotencyKey, Open311Request
from .params import w3c_datetime
from .selectors import service_get

logger = logging.getLogger(__name__)

KEY_NAME_MAX = 100
DEFAULT_KIND = AppealKind.COMPLAINT
MEDIA_URL_MAX = 500


# --- API keys ---------------------------------------------------------------------------


@transaction.atomic
def api_key_create(*, name: str, peer_id: int | None = None) -> tuple[ApiKey, str]:
    """A new key (a peer platform's, with `peer_id`); the secret is returned once and only its
    hash is stored."""
    name = line_clean(name, label="密钥名称", max_length=KEY_NAME_MAX)
    if ApiKey.objects.filter(name=name).exists():
        raise ValidationFailed(f"已有名为「{name}」的密钥")
    return holder_issue(ApiKey, hash_field="key_hash", noun="密钥", name=name, peer_id=peer_id)


@transaction.atomic
def api_key_revoke(*, prefix: str) -> ApiKey:
    return holder_revoke(ApiKey, prefix=prefix, missing="没有该前缀的密钥")


def api_key_authenticate(raw: str) -> ApiKey | None:
    """The active key whose secret this is, or None (one answer for unknown and revoked)."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 200:
        return None
    return ApiKey.objects.filter(key_hash=token_hash(raw), is_active=True).first()


# --- service requests -------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceRequestCreated:
    record: Open311Request
    created: bool


def clean_text(value: str) -> str:
    return control_free(value).strip()


def _coordinate(raw: str, *, field: str, low: int, high: int) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ValidationFailed(f"{field} 必须是数字（十进制度数）") from None
    if not value.is_finite() or not low <= value <= high:
        raise ValidationFailed(f"{field} 超出范围（{low} 到 {high}）")
    return value.quantize(Decimal("0.000001"))


def _location(
    params: Mapping[str, str],
) -> tuple[Decimal | None, Decimal | None, str, Region | None]:
    lat_raw, long_raw = params.get("lat", "").strip(), params.get("long", "").strip()
    address = clean_text(params.get("address_string", ""))
    address_id = clean_text(params.get("address_id", ""))
    lat = long = None
    if lat_raw or long_raw:
        if not (lat_raw and long_raw):
            raise ValidationFailed("lat 和 long 须同时提供")
        lat = _coordinate(lat_raw, field="lat", low=-90, high=90)
        long = _coordinate(long_raw, field="long", low=-180, high=180)
    region = None
    if address_id:
        region = Region.objects.filter(code=address_id).first()
        if region is None:
            raise ValidationFailed(f"address_id 不存在：{address_id[:30]}")
    if lat is None and not address and region is None:
        raise ValidationFailed("请提供位置：lat 和 long，或 address_string，或 address_id")
    if len(address) > 200:
        raise ValidationFailed("address_string 不能超过200字")
    return lat, long, address or (region.name if region else ""), region


def _media_url(raw: str) -> str:
    url = clean_text(raw)
    if not url:
        return ""
    parts = urlsplit(url)
    if len(url) > MEDIA_URL_MAX or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationFailed("media_url 须是 http(s) 链接，且不超过500字符")
    return url


def _kind(attributes: Mapping[str, str]) -> str:
    kind = clean_text(attributes.get("kind", ""))
    if not kind:
        return DEFAULT_KIND
    if kind not in AppealKind.values:
        raise ValidationFailed("attribute[kind] 取值无效，可选：" + "、".join(AppealKind.values))
    return kind


def service_request_draft(
    *, params: Mapping[str, str], attributes: Mapping[str, str], district: int | None = None
) -> AppealDraft:
    """The appeal an Open311 POST describes, for `district` (the one the request names);
    every problem is a message naming the field."""
    code = clean_text(params.get("service_code", ""))
    if not code:
        raise ValidationFailed("缺少 service_code")
    try:
        category = service_get(code=code)
    except NotFound:
        raise ValidationFailed(f"service_code 不存在：{code[:30]}") from None
    # Optional in the standard; an appeal needs content, so the service name stands in.
    description = clean_text(params.get("description", "")) or f"{category.name}（未填写描述）"
    media_url = _media_url(params.get("media_url", ""))
    if media_url:
        description = f"{description}\n\n图片链接：{media_url}"
    if len(description) > CONTENT_MAX:
        raise ValidationFailed(f"description 不能超过{CONTENT_MAX}字")
    lat, long, place, region = _location(params)
    phone = clean_text(params.get("phone", "")).replace(" ", "").replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if phone and not is_valid_phone(phone):
        raise ValidationFailed("phone 格式不正确，请填写11位手机号或带区号的固定电话")
    # Chinese order: family name first.
    name = clean_text(params.get("last_name", "")) + clean_text(params.get("first_name", ""))
    if len(name) > 50:
        raise ValidationFailed("first_name 与 last_name 合计不能超过50字")
    title = f"{category.name}：{place}" if place else f"{category.name}（接口上报）"
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1] + "…"
    return AppealDraft(
        channel=Channel.API,
        kind=_kind(attributes),
        title=title,
        content=description,
        place_text=place,
        region_id=region.pk if region else None,
        category_id=category.pk,
        appellant_name=name,
        appellant_phone=phone,
        # Open311 clients often send no phone: such a report is taken as anonymous.
        is_anonymous=not phone,
        latitude=float(lat) if lat is not None else None,
        longitude=float(long) if long is not None else None,
        jurisdiction_id=district,
    )


class IdempotencyConflict(MinxinError):
    status_code = 422
    default_message = (
        "该 Idempotency-Key 已用于另一个内容不同的请求：重试请原样提交，新的请求请使用新的键"
    )


IDEMPOTENCY_HOURS_MIN = 24


def idempotency_retention() -> timedelta:
    """How long a key is kept: `MINXIN["OPEN311_IDEMPOTENCY_HOURS"]`, never under a day."""
    hours = int(settings.MINXIN.get("OPEN311_IDEMPOTENCY_HOURS") or IDEMPOTENCY_HOURS_MIN)
    return timedelta(hours=max(hours, IDEMPOTENCY_HOURS_MIN))


def request_fingerprint(*, params: Mapping[str, str], attributes: Mapping[str, str]) -> str:
    """What makes two POSTs the same request: every field but the key that sent it."""
    fields = {k: v for k, v in params.items() if k not in ("api_key", "idempotency_key")}
    body = json.dumps([sorted(fields.items()), sorted(attributes.items())], ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def idempotency_keys_prune(*, api_key: ApiKey | None = None) -> int:
    """Forget keys older than the retention (one client's, or everyone's)."""
    old = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - idempotency_retention())
    if api_key is not None:
        old = old.filter(api_key=api_key)
    return old.delete()[0]


def _idempotency_claim(*, api_key: ApiKey, key_hash: str, fingerprint: str) -> IdempotencyKey:
    """The key's row, written now unless another request (maybe concurrent) wrote it first;
    refused if that one was another request."""
    idempotency_keys_prune(api_key=api_key)
    try:
        with transaction.atomic():
            claim = IdempotencyKey.objects.create(
                api_key=api_key, key_hash=key_hash, request_hash=fingerprint
            )
    except IntegrityError:
        claim = IdempotencyKey.objects.get(api_key=api_key, key_hash=key_hash)
    if claim.request_hash != fingerprint:
        raise IdempotencyConflict
    return claim


def _idempotency_answered(
    *, api_key: ApiKey, key_hash: str, fingerprint: str
) -> Open311Request | None:
    """The request a key already made, for a retry; refused if the key was used for another
    request; None for a key not seen, or claimed by a request not finished."""
    first = (
        IdempotencyKey.objects.select_related("request__appeal")
        .filter(api_key=api_key, key_hash=key_hash)
        .first()
    )
    if first is None:
        return None
    if first.request_hash != fingerprint:
        raise IdempotencyConflict
    return first.request


def _link_found(appeal: Appeal, *, api_key: ApiKey, token: str) -> Open311Request:
    """An existing appeal's link: written now, or the first one when it was linked already."""
    try:
        with transaction.atomic():
            return Open311Request.objects.create(appeal=appeal, api_key=api_key, token=token)
    except IntegrityError:
        return Open311Request.objects.get(appeal=appeal)


def _claim_answered(claim: IdempotencyKey | None, record: Open311Request) -> None:
    """An idempotency key's claim answered with the request it made: a retry gets that."""
    if claim is not None:
        IdempotencyKey.objects.filter(pk=claim.pk, request__isnull=True).update(request=record)


def service_request_create(
    *,
    api_key: ApiKey,
    params: Mapping[str, str],
    attributes: Mapping[str, str],
    idempotency_key: str = "",
    jurisdiction_id: int | None = None,
) -> ServiceRequestCreated:
    """Receive an appeal on the `api` channel through intake, attributed to `api_key` (the
    appeal's `submission_key` carries the key's prefix and the token).

    With an `idempotency_key` (per client): a retry is answered with the first request's
    record (`created` False), the same key with other fields is refused (422). The appeal's
    submission_key is then derived from the key, so two concurrent retries, or a retry after a
    failure half-way, find one appeal (`appeal_create` is idempotent by it, races included)."""
    claim = None
    upstream = _upstream(api_key, attributes)
    if idempotency_key:
        key_hash = hashlib.sha256(idempotency_key.encode()).hexdigest()
        fingerprint = request_fingerprint(params=params, attributes=attributes)
        answered = _idempotency_answered(
            api_key=api_key, key_hash=key_hash, fingerprint=fingerprint
        )
        if answered is not None:
            return ServiceRequestCreated(record=answered, created=False)
    # Checked before the key is claimed: a refused request stores nothing, and may be retried
    # corrected with the same key.
    draft = service_request_draft(params=params, attributes=attributes, district=jurisdiction_id)
    token = secrets.token_hex(16)
    submission_key = f"open311:{api_key.prefix}:{token}"
    if idempotency_key:
        claim = _idempotency_claim(api_key=api_key, key_hash=key_hash, fingerprint=fingerprint)
        submission_key = f"open311:{api_key.prefix}:k{key_hash[:40]}"
    if upstream is not None:
        # One appeal per peer and upstream id, whatever key or idempotency key resends it.
        digest = hashlib.sha256(upstream.upstream_id.encode()).hexdigest()[:40]
        submission_key = f"upstream:{upstream.peer_id}:{digest}"
    linked: list[Open311Request] = []

    def link(appeal: Appeal) -> None:
        # In the appeal's own transaction: the appeal, its link and the key's claim commit
        # together, or not at all.
        linked.append(Open311Request.objects.create(appeal=appeal, api_key=api_key, token=token))
        _claim_answered(claim, linked[0])

    result = appeal_receive(
        actor=Actor.system(),
        draft=draft,
        submission_key=submission_key,
        upstream=upstream,
        channel_record=link,
    )
    appeal = result.appeal
    # An appeal found by its submission key (a retry, a resend): its link, or one now.
    record = linked[0] if linked else _link_found(appeal, api_key=api_key, token=token)
    if not linked:
        _claim_answered(claim, record)
    last_used_note(api_key)
    logger.info("open311 request created: key=%s appeal=%s", api_key.prefix, appeal.tracking_number)
    return ServiceRequestCreated(record=record, created=result.created)


# --- the city link (docs/citylink.md) ---------------------------------------------------

_PEER_ID = re.compile(r"[\x21-\x7e]{1,64}")


def _peer_id_field(raw: str, *, name: str) -> str:
    value = clean_text(raw)
    if not _PEER_ID.fullmatch(value):
        raise ValidationFailed(f"{name} 须为1到64个可见ASCII字符")
    return value


def _upstream(api_key: ApiKey, attributes: Mapping[str, str]) -> Upstream | None:
    """A peer platform's work order: its id (`attribute[upstream_id]`) and deadline
    (`attribute[upstream_due]`, W3C); None for other clients (their attributes ignored)."""
    if api_key.peer_id is None or not attributes.get("upstream_id", "").strip():
        return None
    upstream_id = _peer_id_field(attributes["upstream_id"], name="attribute[upstream_id]")
    due_raw = attributes.get("upstream_due", "").strip()
    due = w3c_datetime(due_raw, name="attribute[upstream_due]") if due_raw else None
    return Upstream(peer_id=api_key.peer_id, upstream_id=upstream_id, due=due)


@dataclass(frozen=True)
class UpdateReceived:
    update_id: str  # the event this side recorded for it
    replayed: bool


REPLY_CODE = "reply"


def service_request_update_receive(*, api_key: ApiKey, params: Mapping[str, str]) -> UpdateReceived:
    """A peer's update (mySociety's POST servicerequestupdates) about an appeal this side sent
    down to it: `service_request_id` (our tracking number), `update_id` (its message id,
    recorded once), `status`, `description`, `updated_datetime`, and `external_status_code`
    (its step; `reply` for its released reply). Only a peer's key may send one."""
    if api_key.peer is None:
        raise PermissionDenied("该密钥不属于对接平台，不能提交诉求进展")
    number = clean_text(params.get("service_request_id", ""))
    if not number:
        raise ValidationFailed("缺少 service_request_id")
    update_id = _peer_id_field(params.get("update_id", ""), name="update_id")
    status = clean_text(params.get("status", "")).lower()
    if status not in ("", "open", "closed"):
        raise ValidationFailed("status 只能是 open 或 closed")
    description = clean_text(params.get("description", ""))
    if not description:
        raise ValidationFailed("缺少 description")
    if len(description) > CONTENT_MAX:
        raise ValidationFailed(f"description 不能超过{CONTENT_MAX}字")
    code = clean_text(params.get("external_status_code", ""))[:40]
    update = DownstreamUpdate(
        service_request_id=number[:30],
        update_id=update_id,
        description=description,
        status=status,
        external_status_code=code,
        updated_datetime=clean_text(params.get("updated_datetime", ""))[:40],
        reply=code == REPLY_CODE,
    )
    try:
        recorded: DownstreamRecorded = appeal_downstream_record(peer=api_key.peer, update=update)
    except IntegrityError:  # the same update_id, recorded by a concurrent resend first
        recorded = appeal_downstream_record(peer=api_key.peer, update=update)
    last_used_note(api_key)
    logger.info(
        "open311 update received: peer=%s appeal=%s replayed=%s",
        api_key.peer.code,
        number[:30],
        recorded.replayed,
    )
    return UpdateReceived(update_id=str(recorded.event_id), replayed=recorded.replayed)
