"""The suggestion lifecycle as data: one small transition table, no queries.

submitted → under_review → adopted (at a level) | declined. Every change is one row of
TRANSITIONS, applied by the suggestions' machine (`suggestions.machine.SUGGESTIONS`, the shared
applier), which locks the row, checks the row and the role, and writes one SuggestionEvent."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition


class SuggestionStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    UNDER_REVIEW = "under_review", "审核中"
    ADOPTED = "adopted", "已采纳"
    DECLINED = "declined", "未采纳"


class AdoptionLevel(models.TextChoices):
    FORWARDED = "forwarded", "转部门办理"
    REPORTED = "reported", "报送市级"
    ENDORSED = "endorsed", "领导批示"


class SuggestionAction(StrEnum):
    SUBMIT = "submit"
    REVIEW = "review"
    FORWARD = "forward"
    REPORT = "report"
    ENDORSE = "endorse"
    DECLINE = "decline"


@dataclass(frozen=True)
class SuggestionTransition(Transition[SuggestionStatus]):
    level: AdoptionLevel | None = None  # the adoption level an adopting row records


S = SuggestionStatus
R = Role
_REVIEWERS = frozenset({R.SUPERVISOR, R.ADMIN})

TRANSITIONS: Final[dict[SuggestionAction, SuggestionTransition]] = {
    SuggestionAction.SUBMIT: SuggestionTransition(
        "提交建议", frozenset(), S.SUBMITTED, frozenset({R.CITIZEN})
    ),
    SuggestionAction.REVIEW: SuggestionTransition(
        "开始审核", frozenset({S.SUBMITTED}), S.UNDER_REVIEW, _REVIEWERS, style="primary"
    ),
    SuggestionAction.FORWARD: SuggestionTransition(
        "采纳并转部门办理",
        frozenset({S.UNDER_REVIEW}),
        S.ADOPTED,
        _REVIEWERS,
        level=AdoptionLevel.FORWARDED,
        reason_label="交办意见",
        inputs=("unit_id",),
        style="primary",
    ),
    SuggestionAction.REPORT: SuggestionTransition(
        "采纳并报送市级",
        frozenset({S.UNDER_REVIEW}),
        S.ADOPTED,
        _REVIEWERS,
        level=AdoptionLevel.REPORTED,
        needs_reason=True,
        reason_label="报送说明",
        style="primary",
    ),
    # A leader's endorsement (领导批示) is the leader's own act; the admin may record it.
    SuggestionAction.ENDORSE: SuggestionTransition(
        "领导批示采纳",
        frozenset({S.UNDER_REVIEW}),
        S.ADOPTED,
        frozenset({R.LEADER, R.ADMIN}),
        level=AdoptionLevel.ENDORSED,
        needs_reason=True,
        reason_label="批示内容",
        style="primary",
    ),
    SuggestionAction.DECLINE: SuggestionTransition(
        "不予采纳",
        frozenset({S.UNDER_REVIEW}),
        S.DECLINED,
        _REVIEWERS,
        needs_reason=True,
        reason_label="不予采纳的理由",
        style="danger",
    ),
}
