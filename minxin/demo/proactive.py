"""The demo's proactive tasks (未诉先办): the matters the demo's appeals raise most (one
category in one community, often several people at once) proposed to the unit that handles
them — one done long enough ago for its effect to be read, one in progress, one waiting to be
taken on, one declined. Through `proactive.services`, back-dated with their `at`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal
from minxin.cases.volume import DAYS
from minxin.proactive.models import TaskSource
from minxin.proactive.services import TaskDraft, proactive_task_act, proactive_task_propose
from minxin.proactive.workflow import TaskAction


@dataclass(frozen=True)
class Plan:
    proposed: int  # days ago
    steps: tuple[tuple[TaskAction, int, str], ...]  # (action, days after proposal, text)


PLANS = (
    # Proposed 45 days ago and done 12 days later: its 30 days before and after both lie in
    # the demo's 90 days of appeals.
    Plan(
        45,
        (
            (TaskAction.ACCEPT, 1, ""),
            (TaskAction.NOTE, 4, "已会同物业、社区逐栋排查，列出整改清单"),
            (TaskAction.COMPLETE, 12, "已完成整改：增设设施、调整作业时间，并在小区公告栏公示"),
        ),
    ),
    Plan(
        20,
        (
            (TaskAction.ACCEPT, 2, ""),
            (TaskAction.NOTE, 6, "已约谈相关责任方，正在制定整改方案"),
        ),
    ),
    Plan(3, ()),
    Plan(30, ((TaskAction.DECLINE, 2, "经核实该事项属市级部门职责，建议转交市级部门统筹"),)),
)


def proactive_seed(*, now: datetime | None = None) -> int:
    """The tasks made; none when the demo has no appeals to read matters from."""
    now = now or timezone.now()
    supervisor = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    if supervisor is None:
        return 0
    made, taken = 0, set[tuple[int, int]]()
    for plan in PLANS:
        at = now - timedelta(days=plan.proposed)
        found = _matter_raised(at, taken)
        if found is None:
            continue
        matter, appeal = found
        handler = User.objects.filter(role=Role.HANDLER, unit=matter["lead_unit"]).first()
        if handler is None:
            continue
        taken.add((matter["category"], matter["region"]))
        merged = appeal.duplicates.exists()  # several people: a hotspot; else a repeat matter
        assert appeal.region is not None and appeal.category is not None
        task = proactive_task_propose(
            actor=supervisor,
            draft=TaskDraft(
                title=f"{appeal.region.name}·{appeal.category.name}问题主动排查",
                content=(
                    f"近期{appeal.region.name}「{appeal.category.name}」类诉求{matter['n']}件，"
                    f"如「{appeal.title}」。请在群众再次反映前主动排查、集中整改，并报回结果。"
                ),
                unit_id=matter["lead_unit"],
                due_at=at + timedelta(days=14),
                category_id=matter["category"],
                region_id=matter["region"],
                source=TaskSource.HOTSPOT if merged else TaskSource.REPEAT,
                source_appeal_id=appeal.pk,
            ),
            at=at,
        )
        for action, days, text in plan.steps:
            proactive_task_act(
                actor=handler,
                task_id=task.pk,
                action=action,
                reason=text,
                at=at + timedelta(days=days, hours=3),
            )
        made += 1
    return made


def _matter_raised(
    at: datetime, taken: set[tuple[int, int]]
) -> tuple[Mapping[str, Any], Appeal] | None:
    """The matter raised most in the month before `at` (a category in a community, the lead
    unit that handled it) and not yet taken, with its latest appeal: what a supervisor would
    have seen then, so the done task's before-and-after reads real counts."""
    raised = Appeal.objects.filter(
        category__isnull=False,
        region__isnull=False,
        lead_unit__isnull=False,
        merged_into__isnull=True,
        received_at__gte=at - timedelta(days=DAYS),
        received_at__lt=at,
    )
    matter = next(
        (
            m
            for m in raised.values("category", "region", "lead_unit")
            .annotate(n=Count("pk"))
            .order_by("-n", "category", "region")[: len(PLANS) + 1]
            if (m["category"], m["region"]) not in taken
        ),
        None,
    )
    if matter is None:
        return None
    appeal = (
        raised.filter(
            category=matter["category"],
            region=matter["region"],
            lead_unit=matter["lead_unit"],
        )
        .select_related("region", "category")
        .order_by("-received_at")
        .first()
    )
    return None if appeal is None else (matter, appeal)
