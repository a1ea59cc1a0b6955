"""The demo's call log: a week of calls on the 12345 line through the exchange's own hook
service (`cti.services.call_notice_receive`, back-dated with its `at`) — answered calls of a
few minutes, some with their recording, calls missed in the busy hours — and, today, calls the
call-takers received as appeals (`call_appeal_receive`), so an appeal's page shows its call."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal, AppealKind, Channel
from minxin.cases.services import AppealDraft
from minxin.cti.models import Call, Pbx
from minxin.cti.services import CallNotice, call_appeal_receive, call_notice_receive, pbx_create

PBX_NAME = "A3区12345热线交换机（演示）"
RECORDINGS = "https://pbx.a3.example.gov.cn/recordings/"
LINE = "12345"
DAYS = 7
CAUSES_MISSED = ("cancel", "cancel", "noAnswer", "busy")

# What callers said today, received as appeals from their calls.
FROM_CALLS = (
    (
        AppealKind.COMPLAINT,
        "小区门口夜间施工噪音扰民",
        "来电人反映小区门口道路施工每晚十一点后仍在破碎路面，噪音很大，老人孩子无法休息，"
        "希望核实施工许可并限定夜间作业时间。",
    ),
    (
        AppealKind.HELP,
        "独居老人家中水管爆裂求助",
        "来电人称其母亲独居，家中厨房水管爆裂，物业电话无人接听，请求社区协调维修。",
    ),
    (
        AppealKind.INQUIRY,
        "咨询老旧小区加装电梯补贴政策",
        "来电人咨询本单元加装电梯的补贴标准、申请流程和需要多少住户同意。",
    ),
)


def cti_seed(*, now: datetime | None = None, seed: int = 1) -> int:
    """The demo exchange and its calls, once (nothing if the exchange exists); the number of
    calls added."""
    if Pbx.objects.filter(name=PBX_NAME).exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311  # repeatable demo data  # nosec B311
    pbx, _ = pbx_create(name=PBX_NAME, recording_prefix=RECORDINGS)
    takers = list(User.objects.filter(role=Role.CALL_TAKER, is_active=True).order_by("username"))
    if not takers:
        return 0
    # Callers who called before: the numbers of earlier hotline appeals, and new ones.
    known = list(
        Appeal.objects.filter(channel=Channel.HOTLINE)
        .exclude(appellant_phone="")
        .order_by("-received_at")
        .values_list("appellant_phone", flat=True)[:40]
    )
    count = 0
    for day in range(DAYS, -1, -1):
        calls_today = rng.randint(4, 8) if day else 3
        for n in range(calls_today):
            hour = rng.choice((9, 9, 10, 10, 11, 14, 15, 16, 17, 19))
            start = timezone.localtime(now - timedelta(days=day)).replace(
                hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59), microsecond=0
            )
            if day == 0:
                start = now - timedelta(hours=3 - n, minutes=rng.randint(0, 30))
            if start >= now:
                continue
            phone = rng.choice(known) if known and rng.random() < 0.5 else _new_number(rng)
            taker = rng.choice(takers)
            call_id = f"demo-{start:%Y%m%d%H%M%S}-{n}"
            missed = day > 0 and rng.random() < 0.18
            call = _play(
                pbx=pbx,
                call_id=call_id,
                phone=phone,
                taker=taker,
                start=start,
                ring=rng.randint(3, 25),
                talk=None if missed else rng.randint(60, 540),
                cause=rng.choice(CAUSES_MISSED) if missed else "normalClearing",
                recording=not missed and rng.random() < 0.6,
            )
            count += 1
            if day == 0 and n < len(FROM_CALLS):
                kind, title, content = FROM_CALLS[n]
                draft = AppealDraft(
                    channel=Channel.HOTLINE, kind=kind, title=title, content=content
                )
                call_appeal_receive(actor=taker, call_pk=call.pk, draft=draft)
    return count


def _new_number(rng: random.Random) -> str:
    return (
        rng.choice(("139", "138", "137", "186", "158", "133")) + f"{rng.randint(0, 99999999):08d}"
    )


def _play(
    *,
    pbx: Pbx,
    call_id: str,
    phone: str,
    taker: User,
    start: datetime,
    ring: int,
    talk: int | None,
    cause: str,
    recording: bool,
) -> Call:
    users = (taker.username,)
    ring_notice = CallNotice(
        event="newCall", call_id=call_id, direction="in", from_number=phone, to_number=LINE
    )
    call_notice_receive(pbx=pbx, notice=ring_notice, at=start)
    answered = start + timedelta(seconds=ring)
    if talk is not None:
        answer = CallNotice(event="answer", call_id=call_id, users=users)
        call_notice_receive(pbx=pbx, notice=answer, at=answered)
    url = f"{RECORDINGS}{start:%Y/%m/%d}/{call_id}.mp3" if recording else ""
    hangup = CallNotice(event="hangup", call_id=call_id, cause=cause, recording_url=url)
    ended = answered + timedelta(seconds=talk or 0)
    return call_notice_receive(pbx=pbx, notice=hangup, at=ended).call
