"""A unit's request that a dissatisfied rating or an overdue be left out of its scores (考核申诉 /
免考核), as data: asked by the appeal's lead unit, approved or refused by the supervision
office with a reason, or withdrawn by the unit while it waits. One ExemptionEvent per step."""

from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition, UnitScope


class ExemptionStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


class ExemptionKind(models.TextChoices):
    """What the unit asks to be left out of its scores."""

    DISSATISFIED = "dissatisfied", "不满意评价"
    OVERDUE = "overdue", "超期办结"


class Ground(models.TextChoices):
    UNREASONABLE = "unreasonable", "诉求不合理"
    UNREACHABLE = "unreachable", "无法联系诉求人"
    FORCE_MAJEURE = "force_majeure", "不可抗力"
    OTHER = "other", "其他"


class ExemptionAction(StrEnum):
    REQUEST = "request"
    APPROVE = "approve"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"


S = ExemptionStatus
# The unit asks (its handlers); the supervision office decides. Internal: the citizen's
# timeline shows none of it.
UNIT: Final = frozenset({Role.HANDLER})
DECIDERS: Final = frozenset({Role.SUPERVISOR})

TRANSITIONS: Final[dict[ExemptionAction, Transition[ExemptionStatus]]] = {
    ExemptionAction.REQUEST: Transition(
        "申请免考核",
        frozenset(),
        S.SUBMITTED,
        UNIT,
        needs_reason=True,
        reason_label="申请理由",
        public=False,
        long_reason=True,
    ),
    ExemptionAction.APPROVE: Transition(
        "批准",
        frozenset({S.SUBMITTED}),
        S.APPROVED,
        DECIDERS,
        needs_reason=True,
        reason_label="审核意见",
        public=False,
        style="primary",
    ),
    ExemptionAction.REFUSE: Transition(
        "不予批准",
        frozenset({S.SUBMITTED}),
        S.REFUSED,
        DECIDERS,
        needs_reason=True,
        reason_label="不予批准的理由",
        public=False,
        style="danger",
    ),
    ExemptionAction.WITHDRAW: Transition(
        "撤回申请",
        frozenset({S.SUBMITTED}),
        S.WITHDRAWN,
        UNIT,
        handler_scope=UnitScope.LEAD,
        public=False,
    ),
}
