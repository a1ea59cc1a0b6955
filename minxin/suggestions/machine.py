"""The suggestions' state machine: the table of `workflow.py` bound to Suggestion and
SuggestionEvent; the proposer is told each outcome by SMS once it is committed."""

from minxin.machine.engine import Machine

from .models import Suggestion, SuggestionEvent
from .workflow import TRANSITIONS, SuggestionStatus

REASON_MAX = 2000
OUTCOMES = frozenset({SuggestionStatus.ADOPTED, SuggestionStatus.DECLINED})


def _tell_the_proposer(suggestion: Suggestion, event: SuggestionEvent) -> None:
    if event.to_status in OUTCOMES and suggestion.proposer_phone:
        from .tasks import suggestion_outcome_sms_task

        suggestion_outcome_sms_task.enqueue(event.pk)


SUGGESTIONS: Machine[Suggestion, SuggestionEvent] = Machine(
    name="suggestion",
    noun="建议",
    statuses=SuggestionStatus,
    table=TRANSITIONS,
    subject=Suggestion,
    event=SuggestionEvent,
    event_subject="suggestion",
    reason_max=REASON_MAX,
    missing="未找到该建议",
    stale_message="该建议已被他人处理，请刷新后重试",
    committed=_tell_the_proposer,
)
