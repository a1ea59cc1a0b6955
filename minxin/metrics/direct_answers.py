"""直接答复率 (docs/metrics.md): hotline inquiries closed on the spot from the knowledge base,
over the valid hotline appeals received, in the same period."""

from dataclasses import dataclass
from datetime import date

from minxin.cases.models import AppealEvent, Channel
from minxin.cases.workflow import Action
from minxin.directory.selectors import of_district

from .facts import CHANNEL, metric_facts_apply
from .metrics import cell_sums, period_bounds


@dataclass(frozen=True)
class DirectAnswers:
    answered: int
    received: int

    @property
    def rate(self) -> float | None:
        return self.answered / self.received if self.received else None


def direct_answer_rate(*, start: date, end: date, district: int | None = None) -> DirectAnswers:
    """The numerator from the ANSWER_DIRECTLY events of the period (their index: action, time),
    the denominator from the channel cells (valid hotline appeals received): neither reads the
    appeals themselves. An answer is given during the call, so both fall on the same day."""
    metric_facts_apply(max_batches=1)
    lo, hi = period_bounds(start, end)
    answered = AppealEvent.objects.filter(
        of_district(district, "appeal__"),
        action=Action.ANSWER_DIRECTLY,
        created_at__gte=lo,
        created_at__lt=hi,
    ).count()
    received = (
        cell_sums(CHANNEL, start, end, district).get(Channel.HOTLINE, {}).get("received_valid", 0)
    )
    return DirectAnswers(answered=answered, received=received)
