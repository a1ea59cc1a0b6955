"""The demo's 单位测评: a back-to-back evaluation of four departments, closed a week ago, by
eight panellists (deputies by their accounts, CPPCC members and residents' representatives by
invitation link), with a face-to-face hearing whose commitment is a supervision order. Once:
skipped when an evaluation exists."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.directory.models import Unit
from minxin.panels.models import Evaluation
from minxin.panels.services import (
    EvaluationDraft,
    HearingDraft,
    evaluation_act,
    evaluation_create,
    hearing_record,
    panellist_invite,
    sheet_submit,
)
from minxin.panels.workflow import EvaluationAction

from . import district as d

UNITS = ("cgzf", "zjj", "mzj", "scjg")
PANEL = (
    ("王秀兰", "deputy"), ("陈国强", "deputy"), ("李红梅", "deputy"),
    ("周建平", "cppcc"), ("吴晓梅", "cppcc"),
    ("刘阿姨", "resident"), ("张师傅", "resident"), ("赵老师", "resident"),
)  # fmt: skip
# Each department's typical level per item (of 10, 10, 20).
LEVELS = {"cgzf": (7, 6, 13), "zjj": (8, 7, 15), "mzj": (9, 9, 17), "scjg": (8, 8, 14)}


def panels_seed(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    office = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    if office is None or Evaluation.objects.exists():
        return 0
    names = {s: n for s, n, _ in d.DEPARTMENTS}
    units = {s: Unit.objects.filter(name=names[s]).first() for s in UNITS}
    if any(u is None for u in units.values()):
        return 0
    opens = now - timedelta(days=30)
    evaluation = evaluation_create(
        actor=office,
        draft=EvaluationDraft(
            title="职能部门服务群众情况背对背测评",
            description="由人大代表、政协委员和居民代表对处理12345诉求较多的四个部门背对背打分。",
            opens_at=opens,
            closes_at=now - timedelta(days=7),
            unit_ids=tuple(u.pk for u in units.values() if u),
            items=(("服务态度", 10), ("办理效率", 10), ("办理结果", 20)),
        ),
        at=opens,
    )
    panel = _panel_invited(office, evaluation, at=opens)
    evaluation_act(
        actor=office, evaluation_id=evaluation.pk, action=EvaluationAction.OPEN, at=opens
    )
    _sheets_submitted(evaluation, panel, units, opens=opens)
    city = units["cgzf"]
    assert city is not None
    hearing_record(
        actor=office,
        evaluation_id=evaluation.pk,
        draft=HearingDraft(
            unit_id=city.pk,
            held_at=opens + timedelta(days=15),
            question="背街小巷夜间渣土车噪音和遗撒，群众反映多次，为什么没有根治？",
            asked_by="王秀兰代表",
            answer="夜间执法力量不足；将与交警联合开展夜查，并在工地出口安装冲洗设施。",
            commitments=["两个月内完成重点工地出口冲洗设施安装，夜查每周不少于两次"],
            due_at=now + timedelta(days=45),
        ),
    )
    evaluation_act(actor=office, evaluation_id=evaluation.pk, action=EvaluationAction.CLOSE, at=now)
    return 1


def _panel_invited(office: User, evaluation: Evaluation, *, at: datetime) -> list[dict[str, Any]]:
    """The panel, invited: how each member submits (a deputy's account, or a link's token)."""
    # The demo's deputies (seeded with the selection rounds) sit by their accounts, so a
    # deputy's 我的测评 shows it; the others come by invitation link.
    seated = iter(User.objects.filter(role=Role.DEPUTY, is_active=True).order_by("pk")[:3])
    panel: list[dict[str, Any]] = []
    for name, group in PANEL:
        member = next(seated, None) if group == "deputy" else None
        if member is not None:
            panellist_invite(actor=office, evaluation_id=evaluation.pk, user_id=member.pk, at=at)
            panel.append({"user": member, "evaluation_id": evaluation.pk})
        else:
            _, token = panellist_invite(
                actor=office, evaluation_id=evaluation.pk, name=name, group=group, at=at
            )
            panel.append({"token": token})
    return panel


def _sheets_submitted(
    evaluation: Evaluation,
    panel: list[dict[str, Any]],
    units: dict[str, Unit | None],
    *,
    opens: datetime,
) -> None:
    """Every member scores every unit near its department's typical level (LEVELS)."""
    items = list(evaluation.items.order_by("position"))
    rng = random.Random(21)  # noqa: S311 - repeatable demo data  # nosec B311
    for k, who in enumerate(panel):
        for slug, unit in units.items():
            assert unit is not None
            values = {
                item.pk: max(0, min(item.max_score, level + rng.choice((-2, -1, 0, 0, 1, 2))))
                for item, level in zip(items, LEVELS[slug], strict=True)
            }
            sheet_submit(unit_id=unit.pk, values=values, at=opens + timedelta(days=2 + k), **who)
