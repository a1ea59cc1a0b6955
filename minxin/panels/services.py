"""背对背测评 / 面对面询问: every write, the evaluation's steps through its machine
(`machine.EVALUATIONS`, one event each).

A panellist is invited by a one-time link: the token is given once and kept only as its hash.
A sheet (one panellist, one unit, every item scored) is taken once, in the window; who gave it
is never shown. A hearing's commitments each become a supervision order to the unit."""

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.core.errors import (
    IllegalTransition,
    MinxinError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from minxin.core.text import line_clean, text_clean
from minxin.directory.models import Jurisdiction, Unit, jurisdiction_default
from minxin.directory.selectors import of_district, serving
from minxin.machine.engine import Change
from minxin.supervision.services import supervision_order_issue

from .machine import EVALUATIONS, MISSING
from .models import (
    Commitment,
    Evaluation,
    Hearing,
    Item,
    PanelGroup,
    Panellist,
    Score,
    Sheet,
)
from .selectors import deputies_of
from .workflow import EvaluationAction, EvaluationStatus

A = EvaluationAction
ITEMS_MAX = 30


class AlreadyScored(MinxinError):
    status_code = 409
    default_message = "您已对该单位测评过，每位评议人员对每个单位只能测评一次"


def token_hash(token: str) -> str:
    return hashlib.sha256(f"panel:{token.strip()}".encode()).hexdigest()


@dataclass(frozen=True)
class EvaluationDraft:
    title: str
    opens_at: datetime | None
    closes_at: datetime | None
    unit_ids: tuple[int, ...]
    items: tuple[tuple[str, int], ...]  # (text, full score)
    description: str = ""
    district_id: int | None = None  # the city's staff's choice; a district's staff's is theirs


def _district_of(actor: User, chosen: int | None) -> int:
    """An evaluation's district: its creator's; for the city's staff the one they chose, else
    the install's first."""
    own = actor.jurisdiction_scope
    if own is not None:
        if chosen not in (None, own):
            raise ValidationFailed("只能新建本辖区的测评")
        return own
    if chosen is None:
        return jurisdiction_default()
    if not Jurisdiction.objects.filter(pk=chosen).exists():
        raise ValidationFailed("所选辖区不存在")
    return chosen


def _units_checked(unit_ids: tuple[int, ...], district: int) -> set[int]:
    """The units evaluated: active, and serving the district (its own or the city's)."""
    units = set(unit_ids)
    active = Unit.objects.filter(pk__in=units, is_active=True)
    if not units or active.count() != len(units):
        raise ValidationFailed("请选择被测评的单位")
    if active.filter(serving(district)).count() != len(units):
        raise ValidationFailed("被测评单位应为本辖区的单位（或市级单位）")
    return units


@transaction.atomic(durable=True)
def evaluation_create(
    *, actor: User, draft: EvaluationDraft, at: datetime | None = None
) -> Evaluation:
    who = Actor.of(actor)
    EVALUATIONS.may_create(action=A.CREATE, actor=who)
    now = at or timezone.now()
    title = line_clean(draft.title, label="测评名称", max_length=200)
    description = text_clean(draft.description, label="说明", max_length=3000, required=False)
    if draft.opens_at is None or draft.closes_at is None:
        raise ValidationFailed("请填写测评的开始和截止时间")
    if draft.closes_at <= draft.opens_at:
        raise ValidationFailed("截止时间应晚于开始时间")
    district = _district_of(actor, draft.district_id)
    units = _units_checked(draft.unit_ids, district)
    items = [
        (line_clean(t, label="测评项目", max_length=200), m) for t, m in draft.items if t.strip()
    ]
    if not items:
        raise ValidationFailed("请至少填写一个测评项目")
    if len(items) > ITEMS_MAX:
        raise ValidationFailed(f"测评项目不能超过{ITEMS_MAX}个")
    if any(not 1 <= m <= 100 for _, m in items):
        raise ValidationFailed("每个项目的满分应在1到100之间")
    evaluation = Evaluation.objects.create(
        jurisdiction_id=district,
        title=title,
        description=description,
        opens_at=draft.opens_at,
        closes_at=draft.closes_at,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    evaluation.units.set(units)
    Item.objects.bulk_create(
        Item(evaluation=evaluation, position=n, text=t, max_score=m)
        for n, (t, m) in enumerate(items, start=1)
    )
    EVALUATIONS.created(
        evaluation, action=A.CREATE, actor=who, payload={"units": len(units)}, at=now
    )
    return evaluation


def _locked(
    *, actor: User, evaluation_id: int, action: str, expected_version: int | None
) -> Evaluation:
    """`EVALUATIONS.lock` of an evaluation of the actor's district; another district's is
    missing (checked first: its status and version say nothing; its district never changes)."""
    ours = Evaluation.objects.filter(of_district(actor.jurisdiction_scope), pk=evaluation_id)
    if not ours.exists():
        raise NotFound(MISSING)
    return EVALUATIONS.lock(
        pk=evaluation_id, action=action, actor=Actor.of(actor), expected_version=expected_version
    )


@transaction.atomic(durable=True)
def panellist_invite(
    *,
    actor: User,
    evaluation_id: int,
    name: str = "",
    group: str = "",
    user_id: int | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> tuple[Panellist, str]:
    """A panellist, until the results are out: by a link (its token returned to be given to
    them, shown once, kept as a hash), or a deputy seated by their account (no token: they
    score from the console). One event on the evaluation either way."""
    who = Actor.of(actor)
    evaluation = _locked(
        actor=actor, evaluation_id=evaluation_id, action=A.INVITE, expected_version=expected_version
    )
    now = at or timezone.now()
    token = ""  # a seated account has no invitation code  # nosec B105
    if user_id is not None:
        member = User.objects.filter(pk=user_id, is_active=True, role=Role.DEPUTY).first()
        if member is None:
            raise ValidationFailed("只能选择在任人大代表的账号；政协委员和居民代表请用邀请链接")
        if not deputies_of(evaluation.jurisdiction_id).filter(pk=member.pk).exists():
            raise ValidationFailed(f"{member}不是本辖区的人大代表")
        if evaluation.panellists.filter(user=member).exists():
            raise ValidationFailed(f"{member}已在本次测评的评议人员名单中")
        clean, group = line_clean(str(member), label="姓名", max_length=50), PanelGroup.DEPUTY
        panellist = Panellist.objects.create(
            evaluation=evaluation, name=clean, group=group, user=member, created_at=now
        )
    else:
        clean = line_clean(name, label="姓名", max_length=50)
        if group not in PanelGroup.values:
            raise ValidationFailed("请选择评议人员类别")
        token = secrets.token_urlsafe(18)
        panellist = Panellist.objects.create(
            evaluation=evaluation,
            name=clean,
            group=group,
            token_hash=token_hash(token),
            created_at=now,
        )
    EVALUATIONS.apply(
        evaluation,
        action=A.INVITE,
        actor=who,
        reason=f"{PanelGroup(group).label} {clean}",
        change=Change(payload={"panellist": panellist.pk, "by": "account" if user_id else "link"}),
        at=now,
    )
    return panellist, token


@transaction.atomic(durable=True)
def evaluation_act(
    *,
    actor: User,
    evaluation_id: int,
    action: EvaluationAction,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Evaluation:
    """Open (units, items and a panel ready) or close (after the window) an evaluation."""
    if action not in (A.OPEN, A.CLOSE):
        raise ValidationFailed("未知的操作")
    who = Actor.of(actor)
    evaluation = _locked(
        actor=actor, evaluation_id=evaluation_id, action=action, expected_version=expected_version
    )
    now = at or timezone.now()
    change = Change()
    if action == A.OPEN:
        if not evaluation.panellists.exists():
            raise ValidationFailed("请先邀请评议人员")
        if evaluation.closes_at <= now:
            raise ValidationFailed("截止时间已过，不能开始测评")
    else:
        if now < evaluation.closes_at:
            raise ValidationFailed(
                f"测评截止时间为{timezone.localtime(evaluation.closes_at):%Y-%m-%d %H:%M}，"
                "截止后才能公布结果"
            )
        change = Change(payload={"sheets": evaluation.sheets.count()})
    return EVALUATIONS.apply(evaluation, action=action, actor=who, change=change, at=now).subject


NOT_ON_PANEL = "您不在本次测评的评议人员名单中，请使用收到的邀请链接"


def panellist_of(token: str) -> Panellist:
    found = (
        Panellist.objects.select_related("evaluation").filter(token_hash=token_hash(token)).first()
        if token
        else None
    )
    if found is None:
        raise PermissionDenied(NOT_ON_PANEL)
    return found


def seat_of(user: User, evaluation_id: int) -> Panellist:
    """The signed-in account's seat on an evaluation's panel; 403 for anyone else."""
    found = (
        Panellist.objects.select_related("evaluation")
        .filter(evaluation_id=evaluation_id, user=user, user__is_active=True)
        .first()
    )
    if found is None:
        raise PermissionDenied("您不在本次测评的评议人员名单中")
    return found


@transaction.atomic(durable=True)
def sheet_submit(
    *,
    unit_id: int,
    values: Mapping[int, int],
    token: str = "",
    user: User | None = None,
    evaluation_id: int | None = None,
    at: datetime | None = None,
) -> Sheet:
    """A panellist's scores for a unit: every item, 0 to its full score, once, in the window.
    The panellist is the invitation link's (`token`) or the account's seat on the evaluation
    (`user`, `evaluation_id`)."""
    panellist = seat_of(user, evaluation_id or 0) if user is not None else panellist_of(token)
    evaluation = Evaluation.objects.select_for_update().get(pk=panellist.evaluation_id)
    now = at or timezone.now()
    if evaluation.status != EvaluationStatus.OPEN or not (
        evaluation.opens_at <= now < evaluation.closes_at
    ):
        raise IllegalTransition("不在测评时间内")
    if not evaluation.units.filter(pk=unit_id).exists():
        raise ValidationFailed("该单位不在本次测评范围内")
    items = list(evaluation.items.order_by("position"))
    unknown = set(values) - {i.pk for i in items}
    if unknown:
        raise ValidationFailed("测评表中有不属于本次测评的项目，请刷新后重新填写")
    for item in items:
        value = values.get(item.pk)
        if value is None:
            raise ValidationFailed(f"请为「{item.text}」打分")
        if not 0 <= value <= item.max_score:
            raise ValidationFailed(f"「{item.text}」的得分应在0到{item.max_score}之间")
    try:
        with transaction.atomic():
            sheet = Sheet.objects.create(
                evaluation=evaluation,
                panellist=panellist,
                unit_id=unit_id,
                total=sum(values[i.pk] for i in items),
                created_at=now,
            )
    except IntegrityError:
        raise AlreadyScored() from None
    Score.objects.bulk_create(Score(sheet=sheet, item=i, value=values[i.pk]) for i in items)
    return sheet


@dataclass(frozen=True)
class HearingDraft:
    unit_id: int | None
    held_at: datetime | None
    question: str
    asked_by: str
    answer: str
    commitments: Sequence[str] = ()
    due_at: datetime | None = None


@transaction.atomic(durable=True)
def hearing_record(
    *, actor: User, evaluation_id: int, draft: HearingDraft, expected_version: int | None = None
) -> Hearing:
    """A face-to-face hearing of a unit; each commitment a supervision order to the unit,
    due when the office says."""
    who = Actor.of(actor)
    evaluation = _locked(
        actor=actor,
        evaluation_id=evaluation_id,
        action=A.HEARING,
        expected_version=expected_version,
    )
    if draft.unit_id is None or not evaluation.units.filter(pk=draft.unit_id).exists():
        raise ValidationFailed("请选择被询问的单位（须为被测评单位）")
    if draft.held_at is None:
        raise ValidationFailed("请填写询问时间")
    question = text_clean(draft.question, label="询问内容", max_length=3000)
    asked_by = line_clean(draft.asked_by, label="询问人", max_length=100)
    answer = text_clean(draft.answer, label="单位答复", max_length=3000)
    promises = [
        text_clean(c, label="整改承诺", max_length=1000) for c in draft.commitments if c.strip()
    ]
    if promises and (draft.due_at is None or draft.due_at <= timezone.now()):
        raise ValidationFailed("有整改承诺的，请填写晚于今天的整改期限")
    hearing = Hearing.objects.create(
        evaluation=evaluation,
        unit_id=draft.unit_id,
        held_at=draft.held_at,
        question=question,
        asked_by=asked_by,
        answer=answer,
        recorded_by=actor,
    )
    link = reverse("panels:detail", args=[evaluation.pk])
    for text in promises:
        assert draft.due_at is not None
        order = supervision_order_issue(
            actor=actor,
            content=f"面对面询问整改承诺：{text}",
            due_at=draft.due_at,
            unit_id=draft.unit_id,
            about=f"测评：{evaluation.title}"[:200],
            about_link=link,
        )
        Commitment.objects.create(hearing=hearing, text=text, order=order)
    EVALUATIONS.apply(
        evaluation,
        action=A.HEARING,
        actor=who,
        reason=f"{asked_by}：{question}"[:5000],
        change=Change(payload={"hearing": hearing.pk, "commitments": len(promises)}),
    )
    return hearing
