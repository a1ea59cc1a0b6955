"""Reads of evaluations: the office sees all; the results per unit (never who gave which
score) are public once the evaluation is closed."""

from dataclasses import dataclass

from django.db.models import Avg, QuerySet

from minxin.core.errors import NotFound

from . import scores
from .models import Evaluation, Hearing, Item, Score, Sheet
from .workflow import EvaluationStatus


def evaluations() -> QuerySet[Evaluation]:
    return Evaluation.objects.all()


def evaluation_get(evaluation_id: int, *, public: bool = False) -> Evaluation:
    found = Evaluation.objects.filter(pk=evaluation_id)
    if public:
        found = found.filter(status=EvaluationStatus.CLOSED)
    evaluation = found.first()
    if evaluation is None:
        raise NotFound("未找到该测评")
    return evaluation


@dataclass(frozen=True)
class UnitResult:
    unit: str
    unit_id: int
    score: scores.UnitScore | None
    percent: float | None
    items: list[tuple[Item, float | None]]


def results(evaluation: Evaluation) -> list[UnitResult]:
    """Per unit, best first: panellists, mean total, spread, each item's mean; recomputed
    from the sheets and scores."""
    items = list(evaluation.items.order_by("position"))
    full = sum(i.max_score for i in items)
    totals: dict[int, list[int]] = {}
    for unit_id, total in Sheet.objects.filter(evaluation=evaluation).values_list(
        "unit_id", "total"
    ):
        totals.setdefault(unit_id, []).append(total)
    means = {
        (r["sheet__unit_id"], r["item_id"]): r["mean"]
        for r in Score.objects.filter(sheet__evaluation=evaluation)
        .values("sheet__unit_id", "item_id")
        .annotate(mean=Avg("value"))
    }
    rows = []
    for unit in evaluation.units.order_by("name"):
        score = scores.unit_score(totals.get(unit.pk, []))
        rows.append(
            UnitResult(
                unit=unit.name,
                unit_id=unit.pk,
                score=score,
                percent=scores.as_percent(score.mean, full) if score else None,
                items=[
                    (i, round(m, 2) if (m := means.get((unit.pk, i.pk))) is not None else None)
                    for i in items
                ],
            )
        )
    rows.sort(key=lambda r: -(r.score.mean if r.score else -1))
    return rows


def hearings_of(evaluation: Evaluation) -> list[Hearing]:
    return list(evaluation.hearings.select_related("unit").prefetch_related("commitments__order"))
