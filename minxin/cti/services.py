"""Writes of the telephone link: exchanges and their tokens, what the hook is told of a call
(ring, answer, hang-up, in the generic CTI's words: docs/cti.md), an appeal received from a
call, and a logged look at a caller's whole number.

The hook is idempotent, as an exchange retries: a newCall for a call it already told of, an
answer for a call answered, a hangup for a call over change nothing and answer 200; what
contradicts the call (an answer after a missed call's hangup) is refused with 409."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.audit.models import AuditKind
from minxin.audit.services import audit_record
from minxin.cases.permissions import may_reveal_phone
from minxin.cases.services import AppealDraft, CreatedAppeal
from minxin.core.errors import (
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from minxin.core.privacy import is_valid_phone, phone_normalise
from minxin.core.text import line_clean, text_normalise
from minxin.core.tokens import (
    PREFIX_LENGTH,
    holder_issue,
    holder_revoke,
    last_used_note,
    token_matches,
    token_prefix,
)
from minxin.intake.services import appeal_receive
from minxin.machine.engine import Change

from .machine import CALLS, MISSING
from .models import (
    CALL_ID_MAX,
    NUMBER_MAX,
    RECORDING_URL_MAX,
    Call,
    CallDirection,
    HangupCause,
    Pbx,
)
from .permissions import may_see_calls
from .workflow import TAKERS, CallAction, CallStatus

NAME_MAX = 100
USERS_MAX = 20
# What exchanges send for a caller who withholds the number (CLIR).
WITHHELD = frozenset({"", "anonymous", "unknown", "restricted", "private", "withheld"})


# --- exchanges ----------------------------------------------------------------------------


def _recording_prefix_clean(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username:
        raise ValidationFailed("录音地址前缀应为 http(s):// 开头的地址，且不含账号密码")
    if not value.endswith("/") or len(value) > 200:
        raise ValidationFailed("录音地址前缀应以 / 结尾，且不超过200个字符")
    return value


@transaction.atomic
def pbx_create(*, name: str, recording_prefix: str = "") -> tuple[Pbx, str]:
    """A new exchange; its token is returned once and only its hash is stored."""
    name = line_clean(name, label="交换机名称", max_length=NAME_MAX)
    if Pbx.objects.filter(name=name).exists():
        raise ValidationFailed(f"已有名为「{name}」的交换机")
    prefix = _recording_prefix_clean(recording_prefix)
    return holder_issue(
        Pbx, hash_field="token_hash", noun="令牌", name=name, recording_prefix=prefix
    )


@transaction.atomic
def pbx_revoke(*, prefix: str) -> Pbx:
    return holder_revoke(Pbx, prefix=prefix, missing="没有该前缀的交换机")


def pbx_authenticate(raw: str) -> Pbx | None:
    """The active exchange whose token this is, or None (one answer for unknown and revoked):
    found by the token's prefix, then its hash compared in constant time."""
    raw = (raw or "").strip()
    if len(raw) <= PREFIX_LENGTH:
        return None
    pbx = Pbx.objects.filter(prefix=token_prefix(raw), is_active=True).first()
    if pbx is None or not token_matches(raw, pbx.token_hash):
        return None
    last_used_note(pbx)
    return pbx


# --- what the hook is told ----------------------------------------------------------------


class NoticeEvent:
    NEW_CALL = "newCall"
    ANSWER = "answer"
    HANGUP = "hangup"
    ALL = (NEW_CALL, ANSWER, HANGUP)


@dataclass(frozen=True)
class CallNotice:
    """One request of the exchange, checked: the generic CTI's parameters (docs/cti.md)."""

    event: str
    call_id: str
    direction: str = ""
    from_number: str = ""  # normalised; "" when withheld
    to_number: str = ""
    users: tuple[str, ...] = ()
    cause: str = ""
    answering_number: str = ""
    recording_url: str = ""

    @property
    def phone(self) -> str:
        """The outside party: who calls in, or who is called."""
        return self.to_number if self.direction == CallDirection.OUTBOUND else self.from_number

    @property
    def line(self) -> str:
        return self.from_number if self.direction == CallDirection.OUTBOUND else self.to_number


def _number(raw: str, name: str) -> str:
    raw = text_normalise(raw).strip()
    if raw.lower() in WITHHELD:
        return ""
    number = phone_normalise(raw)
    if not number or len(number) > NUMBER_MAX:
        raise ValidationFailed(f"{name} 不是有效的电话号码")
    return number


def call_notice_clean(
    *,
    event: str,
    call_id: str,
    direction: str = "",
    from_number: str = "",
    to_number: str = "",
    users: Sequence[str] = (),
    cause: str = "",
    answering_number: str = "",
    recording_url: str = "",
) -> CallNotice:
    """The request's parameters checked, every problem a Chinese message naming the
    parameter by its wire name."""
    # One check after another: a request with several faults is told of the first in this order.
    event = _event_clean(event)
    call_id = _call_id_clean(call_id)
    direction = _direction_clean(direction, event=event)
    names = _users_clean(users)
    cause = _cause_clean(cause, event=event)
    recording_url = _recording_url_text(recording_url, event=event)
    return CallNotice(
        event=event,
        call_id=call_id,
        direction=direction,
        from_number=_number(from_number, "from"),
        to_number=_number(to_number, "to"),
        users=names,
        cause=cause,
        answering_number=_number(answering_number, "answeringNumber"),
        recording_url=recording_url,
    )


def _event_clean(event: str) -> str:
    event = (event or "").strip()
    if event not in NoticeEvent.ALL:
        raise ValidationFailed("event 应为 newCall、answer 或 hangup")
    return event


def _call_id_clean(call_id: str) -> str:
    call_id = text_normalise(call_id).strip()
    if not call_id:
        raise ValidationFailed("缺少 callId")
    if len(call_id) > CALL_ID_MAX or not call_id.isprintable():
        raise ValidationFailed(f"callId 不能超过{CALL_ID_MAX}个字符，且不能含控制字符")
    return call_id


def _direction_clean(direction: str, *, event: str) -> str:
    """Required on a newCall (the call row needs it); on later events only checked if sent."""
    direction = (direction or "").strip()
    if (event == NoticeEvent.NEW_CALL or direction) and direction not in CallDirection.values:
        raise ValidationFailed("direction 应为 in 或 out")
    return direction


def _users_clean(users: Sequence[str]) -> tuple[str, ...]:
    """The staff user names, blanks dropped and each kept once, in the exchange's order."""
    names = tuple(dict.fromkeys(n for u in users if (n := text_normalise(u).strip())))
    if len(names) > USERS_MAX or any(len(n) > 150 for n in names):
        raise ValidationFailed(f"user 最多{USERS_MAX}个，每个不超过150个字符")
    return names


def _cause_clean(cause: str, *, event: str) -> str:
    cause = (cause or "").strip()
    if cause and (event != NoticeEvent.HANGUP or cause not in HangupCause.values):
        raise ValidationFailed("cause 只用于 hangup，应为 " + "、".join(HangupCause.values))
    return cause


def _recording_url_text(recording_url: str, *, event: str) -> str:
    """Only the text here: whether it lies under the exchange's recording server is
    `recording_url_clean`'s check, once the exchange is known."""
    recording_url = text_normalise(recording_url).strip()
    if recording_url and event != NoticeEvent.HANGUP:
        raise ValidationFailed("recordingUrl 只用于 hangup")
    return recording_url


def recording_url_clean(*, pbx: Pbx, url: str) -> str:
    """A recording link staff will open: an http(s) address under the exchange's own
    recording server (its registered prefix), without credentials, spaces or a way up."""
    if not url:
        return ""
    if not pbx.recording_prefix:
        raise ValidationFailed("该交换机未登记录音地址前缀，不能接受录音链接")
    parts = urlsplit(url)
    if (
        len(url) > RECORDING_URL_MAX
        or parts.scheme not in ("https", "http")
        or not parts.hostname
        or parts.username is not None
        or any(c.isspace() or not c.isprintable() for c in url)
        or "\\" in url
        or ".." in parts.path.split("/")
        or not url.startswith(pbx.recording_prefix)
        or url == pbx.recording_prefix
    ):
        raise ValidationFailed(
            f"recordingUrl 应为该交换机录音服务器（{pbx.recording_prefix}）下的地址，"
            f"不超过{RECORDING_URL_MAX}个字符"
        )
    return url


@dataclass(frozen=True)
class Noticed:
    call: Call
    changed: bool  # False: a retry, nothing to do


def call_notice_receive(*, pbx: Pbx, notice: CallNotice, at: datetime | None = None) -> Noticed:
    """Apply what the exchange told of a call, at `at` (now: the exchange sends no time)."""
    at = at or timezone.now()
    if notice.event == NoticeEvent.NEW_CALL:
        return _call_ring(pbx=pbx, notice=notice, at=at)
    if notice.event == NoticeEvent.ANSWER:
        return _call_answer(pbx=pbx, notice=notice, at=at)
    return _call_hang_up(pbx=pbx, notice=notice, at=at)


def _takers(names: Sequence[str]) -> list[User]:
    """The staff the exchange names (by user name) who take calls, in its order."""
    if not names:
        return []
    found = {
        u.username: u
        for u in User.objects.filter(username__in=names, role__in=TAKERS, is_active=True)
    }
    return [found[n] for n in names if n in found]


@transaction.atomic(durable=True)
def _call_ring(*, pbx: Pbx, notice: CallNotice, at: datetime) -> Noticed:
    existing = Call.objects.filter(pbx=pbx, call_id=notice.call_id).first()
    if existing is not None:
        return Noticed(call=existing, changed=False)
    system = Actor.system()
    CALLS.may_create(action=CallAction.RING, actor=system)
    takers = _takers(notice.users)
    outbound = notice.direction == CallDirection.OUTBOUND
    try:
        with transaction.atomic():
            call = Call.objects.create(
                pbx=pbx,
                call_id=notice.call_id,
                direction=notice.direction,
                phone=notice.phone,
                line=notice.line,
                agent=takers[0] if outbound and takers else None,
                agent_name=notice.users[0] if outbound and notice.users else "",
                started_at=at,
            )
    except IntegrityError:  # the same newCall raced itself: one row won
        return Noticed(call=Call.objects.get(pbx=pbx, call_id=notice.call_id), changed=False)
    if not outbound and takers:
        call.offered_to.set(takers)
    CALLS.created(
        call,
        action=CallAction.RING,
        actor=system,
        payload={"direction": notice.direction, "offered_to": [u.pk for u in takers]},
        at=at,
    )
    return Noticed(call=call, changed=True)


def _call_locked(*, pbx: Pbx, call_id: str) -> Call:
    call = Call.objects.select_for_update().filter(pbx=pbx, call_id=call_id).first()
    if call is None:
        raise NotFound("未知的 callId：该通话没有 newCall")
    return call


def _seconds(since: datetime | None, at: datetime) -> int | None:
    return max(0, round((at - since).total_seconds())) if since is not None else None


@transaction.atomic(durable=True)
def _call_answer(*, pbx: Pbx, notice: CallNotice, at: datetime) -> Noticed:
    call = _call_locked(pbx=pbx, call_id=notice.call_id)
    if call.status in (CallStatus.ANSWERED, CallStatus.ENDED):
        return Noticed(call=call, changed=False)
    system = Actor.system()
    call = CALLS.lock(pk=call.pk, action=CallAction.ANSWER, actor=system, expected_version=None)
    takers = _takers(notice.users)
    agent = takers[0] if takers else call.agent
    fields = {
        "answered_at": at,
        "wait_seconds": _seconds(call.started_at, at),
        "agent": agent,
        "agent_name": notice.users[0] if notice.users else call.agent_name,
        "answering_number": notice.answering_number,
    }
    payload = {"agent": agent.pk if agent else None, "wait_seconds": fields["wait_seconds"]}
    applied = CALLS.apply(
        call, action=CallAction.ANSWER, actor=system, change=Change(fields, payload), at=at
    )
    return Noticed(call=applied.subject, changed=True)


@transaction.atomic(durable=True)
def _call_hang_up(*, pbx: Pbx, notice: CallNotice, at: datetime) -> Noticed:
    recording = recording_url_clean(pbx=pbx, url=notice.recording_url)
    call = _call_locked(pbx=pbx, call_id=notice.call_id)
    if call.status in (CallStatus.ENDED, CallStatus.MISSED):
        return Noticed(call=call, changed=False)
    answered = call.status == CallStatus.ANSWERED
    action = CallAction.HANG_UP if answered else CallAction.MISS
    system = Actor.system()
    call = CALLS.lock(pk=call.pk, action=action, actor=system, expected_version=None)
    fields: dict[str, object] = {
        "ended_at": at,
        "cause": notice.cause,
        "recording_url": recording,
    }
    if answered:
        fields["talk_seconds"] = _seconds(call.answered_at, at)
    else:
        fields["wait_seconds"] = _seconds(call.started_at, at)
    payload = {
        "cause": notice.cause,
        "talk_seconds": fields.get("talk_seconds"),
        "wait_seconds": fields.get("wait_seconds"),
        "recording": bool(recording),
    }
    applied = CALLS.apply(call, action=action, actor=system, change=Change(fields, payload), at=at)
    return Noticed(call=applied.subject, changed=True)


# --- the call-taker's side ----------------------------------------------------------------


def call_appeal_receive(*, actor: User, call_pk: int, draft: AppealDraft) -> CreatedAppeal:
    """Receive the appeal a call brought (once per call): the caller's number, when the form
    gives no other, is the one the exchange gave; the call keeps the appeal, the appeal the
    call (its id, its recording). The appeal is received first, under the call's own
    submission key, so a retry or a second call-taker finds the same appeal, never a twin."""
    who = Actor.of(actor)
    call = Call.objects.filter(pk=call_pk).first()
    if call is None:
        raise NotFound(MISSING)
    if call.appeal_id is not None:
        raise IllegalTransition("该来电已受理为诉求，不能重复受理")
    why_not = CALLS.refusal(action=CallAction.RECEIVE_APPEAL, actor=who, status=call.status)
    if why_not is not None:
        wrong_status = call.status not in CALLS.table[CallAction.RECEIVE_APPEAL].source
        raise (IllegalTransition if wrong_status else PermissionDenied)(why_not)
    phone = draft.appellant_phone.strip()
    if not phone and is_valid_phone(call.phone):
        phone = call.phone
    created = appeal_receive(
        actor=who,
        draft=dataclasses.replace(draft, appellant_phone=phone),
        submission_key=f"cti:{call.pk}",
    )
    _call_link(actor=who, call_pk=call.pk, created=created)
    return created


@transaction.atomic(durable=True)
def _call_link(*, actor: Actor, call_pk: int, created: CreatedAppeal) -> None:
    call = CALLS.lock(
        pk=call_pk, action=CallAction.RECEIVE_APPEAL, actor=actor, expected_version=None
    )
    if call.appeal_id is not None:  # a retry that found the appeal its first try linked
        return
    appeal = created.appeal
    CALLS.apply(
        call,
        action=CallAction.RECEIVE_APPEAL,
        actor=actor,
        change=Change(
            {"appeal": appeal},
            {"appeal": appeal.pk, "tracking_number": appeal.tracking_number},
        ),
    )


@transaction.atomic(durable=True)
def call_phone_reveal(*, actor: User, call: Call) -> str:
    """The call's whole outside number for `actor` to call back, once the look is written to
    the audit log (who, which call, when). Refused to roles that do not call."""
    if not may_reveal_phone(actor) or not may_see_calls(actor):
        raise PermissionDenied("您的角色不能查看来电的完整号码")
    if not call.phone:
        raise ValidationFailed("来电未显示号码")
    audit_record(
        kind=AuditKind.PHONE_REVEAL,
        actor=actor,
        target=f"通话 {call.pk}",
        summary="查看来电完整号码",
        payload={"call": call.pk},
    )
    return call.phone
