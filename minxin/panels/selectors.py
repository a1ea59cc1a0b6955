"""Reads of evaluations: the office sees its district's (the city's staff every district's;
another district's is missing); the results per unit (never who gave which score) are public
once the evaluation is closed, on its district's site."""

from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.core.errors import NotFound
from minxin.directory.models import Region, Unit
from minxin.directory.selectors import of_district, within

from . import scores
from .machine import MISSING
from .models import Evaluation, Hearing, Item, Panellist, Score, Sheet
from .workflow import EvaluationStatus


def evaluations_for(user: User) -> QuerySet[Evaluation]:
    """The evaluations of the viewer's district (every district's for the city's staff)."""
    return Evaluation.objects.filter(of_district(user.jurisdiction_scope))


def evaluation_get_for(user: User, evaluation_id: int) -> Evaluation:
    evaluation = evaluations_for(user).filter(pk=evaluation_id).first()
    if evaluation is None:
        raise NotFound(MISSING)
    return evaluation


def evaluations_public(*, district: int) -> QuerySet[Evaluation]:
    """The closed evaluations of `district` (the public page's host's), newest first."""
    closed = Evaluation.objects.filter(status=EvaluationStatus.CLOSED, jurisdiction_id=district)
    return closed.order_by("-closes_at", "-pk")


def evaluation_public_get(evaluation_id: int, *, district: int) -> Evaluation:
    evaluation = evaluations_public(district=district).filter(pk=evaluation_id).first()
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


def deputies_of(district: int | None) -> QuerySet[User]:
    """The deputies' accounts of a district: those elected in a place of it, and those on no
    roll (no place known: they may sit on any district's panel). The roll is the deputies'
    votes' (`selection.Deputy`, reached by its account's relation: panels does not import
    its sibling)."""
    places = Region.objects.filter(within(district))
    ours = Q(deputy__isnull=True) | Q(deputy__constituency__in=places)
    return User.objects.filter(ours, role=Role.DEPUTY, is_active=True)


def deputies_to_seat(evaluation: Evaluation) -> QuerySet[User]:
    """The deputies' accounts of its district the office may seat on the panel (those not on
    it yet)."""
    return (
        deputies_of(evaluation.jurisdiction_id)
        .exclude(panel_seats__evaluation=evaluation)
        .order_by("display_name", "username")
    )


def panel_of(evaluation: Evaluation) -> QuerySet[Panellist]:
    return evaluation.panellists.order_by("pk")


@dataclass(frozen=True)
class Seat:
    evaluation: Evaluation
    units: int
    done: int


def seats_of(user: User) -> list[Seat]:
    """The evaluations whose panel the account sits on, open ones first, with how many of
    their units it has scored."""
    rows = (
        Panellist.objects.filter(user=user)
        .exclude(evaluation__status=EvaluationStatus.DRAFT)
        .select_related("evaluation")
        .annotate(
            n_units=Count("evaluation__units", distinct=True),
            n_done=Count("sheets", distinct=True),
        )
        .order_by("-evaluation__opens_at", "-pk")
    )
    seats = [Seat(p.evaluation, p.n_units, p.n_done) for p in rows]
    seats.sort(key=lambda s: s.evaluation.status != EvaluationStatus.OPEN)
    return seats


@dataclass(frozen=True)
class SheetPage:
    panellist: Panellist
    evaluation: Evaluation
    items: list[Item]
    units: list[tuple[Unit, bool]]  # each unit evaluated, and whether this panellist scored it


def sheet_page(panellist: Panellist) -> SheetPage:
    evaluation = panellist.evaluation
    done = set(Sheet.objects.filter(panellist=panellist).values_list("unit_id", flat=True))
    return SheetPage(
        panellist=panellist,
        evaluation=evaluation,
        items=list(evaluation.items.order_by("position")),
        units=[(u, u.pk in done) for u in evaluation.units.order_by("name")],
    )
