"""A livelihood project's lifecycle as data: one transition table, no queries.

The supervision office (or a leader) enters a project as a candidate (from a hotspot, a
unit's proposal, a suggestion) and puts it into the plan; the lead unit starts it, reports
its progress with the assisting units, and declares it complete; the office accepts it
(验收) or sends it back. A project may be suspended (暂缓) and resumed. Recorded rows
(target None) keep the timeline: progress reports and their corrections, responsibility
letters, re-planning, appeals linked, warnings, the opening of the 回头看. Every row is
applied by `projects.machine.PROJECTS`, which writes one ProjectEvent."""

from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition, UnitScope


class ProjectStatus(models.TextChoices):
    CANDIDATE = "candidate", "候选"
    PLANNED = "planned", "计划"
    IN_PROGRESS = "in_progress", "实施中"
    COMPLETED = "completed", "已完工"
    ACCEPTED = "accepted", "已验收"
    SUSPENDED = "suspended", "暂缓"


class ProjectAction(StrEnum):
    CREATE = "create"
    ADOPT = "adopt"
    START = "start"
    REPORT = "report"
    CORRECT = "correct"
    SIGN_LETTER = "sign_letter"
    REPLAN = "replan"
    MILESTONE_DONE = "milestone_done"
    LINK_APPEAL = "link_appeal"
    WARN = "warn"
    SUSPEND = "suspend"
    RESUME = "resume"
    COMPLETE = "complete"
    ACCEPT = "accept"
    SEND_BACK = "send_back"
    REVISIT = "revisit"


S = ProjectStatus
R = Role
# The supervision office runs the programme; leaders may do what it does.
OFFICE: Final = frozenset({R.SUPERVISOR, R.LEADER, R.ADMIN})
UNITS: Final = frozenset({R.HANDLER})
WORKING: Final = frozenset({S.PLANNED, S.IN_PROGRESS})
LIVE: Final = frozenset({S.CANDIDATE, S.PLANNED, S.IN_PROGRESS, S.SUSPENDED})
AFTER_START: Final = frozenset({S.IN_PROGRESS, S.COMPLETED, S.ACCEPTED, S.SUSPENDED})
# Statuses in which residents may give their verdict (让群众评判).
RATEABLE: Final = frozenset({S.COMPLETED, S.ACCEPTED})

TRANSITIONS: Final[dict[ProjectAction, Transition[ProjectStatus]]] = {
    # Every project starts as a candidate (from a unit, a hotspot, a suggestion, a vote);
    # the office puts it into the plan, in the same step when it enters a planned one.
    ProjectAction.CREATE: Transition("录入候选项目", frozenset(), S.CANDIDATE, OFFICE),
    ProjectAction.ADOPT: Transition(
        "列入计划", frozenset({S.CANDIDATE}), S.PLANNED, OFFICE, style="primary"
    ),
    ProjectAction.START: Transition(
        "开工实施", frozenset({S.PLANNED}), S.IN_PROGRESS, OFFICE | UNITS, style="primary"
    ),
    # Progress: lead and assisting units, each on the targets it answers for.
    ProjectAction.REPORT: Transition(
        "填报进度",
        AFTER_START - {S.ACCEPTED},
        None,
        OFFICE | UNITS,
        handler_scope=UnitScope.ASSIGNED,
        panel=True,
    ),
    # A cumulative value lower than the last one is a correction, never silent.
    ProjectAction.CORRECT: Transition(
        "更正进度",
        AFTER_START - {S.ACCEPTED},
        None,
        OFFICE | UNITS,
        needs_reason=True,
        reason_label="更正原因",
        handler_scope=UnitScope.ASSIGNED,
        panel=True,
    ),
    ProjectAction.SIGN_LETTER: Transition(
        "签订目标责任书", LIVE, None, OFFICE, public=False, panel=True
    ),
    ProjectAction.REPLAN: Transition(
        "调整完成时间（倒排工期）",
        LIVE,
        None,
        OFFICE,
        needs_reason=True,
        reason_label="调整原因",
        panel=True,
    ),
    ProjectAction.MILESTONE_DONE: Transition(
        "完成节点",
        frozenset({S.IN_PROGRESS}),
        None,
        OFFICE | UNITS,
        handler_scope=UnitScope.ASSIGNED,
        panel=True,
    ),
    ProjectAction.LINK_APPEAL: Transition(
        "关联诉求",
        LIVE | RATEABLE,
        None,
        OFFICE | frozenset({R.DISPATCHER}),
        public=False,
        panel=True,
    ),
    ProjectAction.WARN: Transition(
        "进度预警", frozenset({S.IN_PROGRESS}), None, frozenset({R.SYSTEM}), public=False
    ),
    ProjectAction.SUSPEND: Transition(
        "暂缓实施",
        frozenset({S.IN_PROGRESS}),
        S.SUSPENDED,
        OFFICE,
        needs_reason=True,
        reason_label="暂缓原因",
        style="danger",
    ),
    ProjectAction.RESUME: Transition(
        "恢复实施", frozenset({S.SUSPENDED}), S.IN_PROGRESS, OFFICE, needs_reason=True
    ),
    ProjectAction.COMPLETE: Transition(
        "申报完工",
        frozenset({S.IN_PROGRESS}),
        S.COMPLETED,
        OFFICE | UNITS,
        needs_reason=True,
        reason_label="完工说明",
        long_reason=True,
        style="primary",
    ),
    ProjectAction.ACCEPT: Transition(
        "验收通过",
        frozenset({S.COMPLETED}),
        S.ACCEPTED,
        OFFICE,
        needs_reason=True,
        reason_label="验收意见",
        style="primary",
    ),
    ProjectAction.SEND_BACK: Transition(
        "验收不通过",
        frozenset({S.COMPLETED}),
        S.IN_PROGRESS,
        OFFICE,
        needs_reason=True,
        reason_label="整改要求",
        style="danger",
    ),
    # 回头看: residents are asked again some months after acceptance.
    ProjectAction.REVISIT: Transition(
        "开展回头看", frozenset({S.ACCEPTED}), None, OFFICE, needs_reason=True
    ),
}
