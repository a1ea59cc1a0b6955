"""Reads of the triage app."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Min, Q

from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.directory.models import Category
from minxin.triage.models import (
    AutoDispatchDecision,
    AutoDispatchRule,
    CorrectionField,
    TriageCorrection,
    TriageSuggestion,
)
from minxin.triage.nlp import Example


def triage_training_examples() -> list[Example]:
    """Category corrections as labelled examples (the latest correction of an appeal wins),
    labelled with the top level of the chosen path."""
    latest: dict[int, Example] = {}
    rows = (
        TriageCorrection.objects.filter(field=CorrectionField.CATEGORY)
        .select_related("appeal")
        .order_by("created_at", "pk")
    )
    for c in rows:
        top = c.chosen_value.split("/")[0].strip()
        if top:
            latest[c.appeal_id] = Example(c.appeal.title, c.appeal.content, top)
    return list(latest.values())


def category_for_path(path: str) -> Category | None:
    """The deepest active directory category along a suggested path ("a/b/c" → a/b/c, a/b, a)."""
    return categories_for_paths([path])[path]


def categories_for_paths(paths: Iterable[str]) -> dict[str, Category | None]:
    """`category_for_path` of each path (a triage batch's), in one query."""
    chains = {
        path: ["/".join(parts[:n]) for n in range(len(parts), 0, -1)]
        for path in paths
        for parts in [[p for p in path.split("/") if p]]
    }
    wanted = {c for chain in chains.values() for c in chain}
    found = (
        {
            c.path_name: c
            for c in Category.objects.select_related("parent__parent__parent__parent").filter(
                path_name__in=wanted, is_active=True
            )
        }
        if wanted
        else {}
    )
    return {
        path: next((found[p] for p in chain if p in found), None) for path, chain in chains.items()
    }


def auto_dispatch_rule_for(*, category: Category) -> AutoDispatchRule | None:
    """The active rule of the category or of its nearest ancestor that has one."""
    chain = category.ancestors_and_self()
    rules = {
        r.category_id: r
        for r in AutoDispatchRule.objects.filter(
            is_active=True, category_id__in=[c.pk for c in chain]
        )
    }
    return next((rules[c.pk] for c in chain if c.pk in rules), None)


def triage_suggestion_get(*, appeal_id: int) -> TriageSuggestion | None:
    return (
        TriageSuggestion.objects.select_related("category", "region", "suggested_unit")
        .filter(appeal_id=appeal_id)
        .first()
    )


def triage_suggestions_for(*, appeal_ids: list[int]) -> dict[int, TriageSuggestion]:
    """The suggestions of a page of appeals, by appeal id, in one query."""
    rows = TriageSuggestion.objects.filter(appeal_id__in=appeal_ids).select_related(
        "category", "suggested_unit", "region"
    )
    return {s.appeal_id: s for s in rows}


# A rule's decision was corrected when the appeal no longer stands as it decided: another
# category, another lead unit (re-dispatched or transferred), or found invalid or a duplicate.
# A return not yet handled (no lead unit, same category) is not counted until it is.
_CORRECTED = (
    Q(appeal__status__in=[AppealStatus.INVALID, AppealStatus.MERGED])
    | (Q(appeal__category__isnull=False) & ~Q(appeal__category=F("category")))
    | (Q(appeal__lead_unit__isnull=False) & ~Q(appeal__lead_unit=F("unit")))
)


@dataclass(frozen=True)
class RuleRecord:
    """A 快速交办 rule with how its decisions fared."""

    rule: AutoDispatchRule
    decided: int
    corrected: int
    since: datetime | None

    @property
    def corrected_share(self) -> float | None:
        return self.corrected / self.decided if self.decided else None

    @property
    def corrected_percent(self) -> str:
        share = self.corrected_share
        return "—" if share is None else f"{share:.1%}"

    @property
    def share_percent(self) -> str:
        share = self.rule.suggested_share
        return "—" if share is None else f"{share:.0%}"


def auto_dispatch_rule_records() -> list[RuleRecord]:
    """Every 快速交办 rule (active first, by category) with the number of appeals it screened
    and dispatched and how many of those were later corrected, in two queries."""
    counts: dict[int, dict[str, Any]] = {
        row["rule"]: dict(row)
        for row in AutoDispatchDecision.objects.values("rule").annotate(
            decided=Count("pk"), corrected=Count("pk", filter=_CORRECTED), since=Min("decided_at")
        )
    }
    none: dict[str, Any] = {"decided": 0, "corrected": 0, "since": None}
    rules = AutoDispatchRule.objects.select_related("category").order_by(
        "-is_active", "category__path_name", "pk"
    )
    return [
        RuleRecord(
            rule=r,
            decided=counts.get(r.pk, none)["decided"],
            corrected=counts.get(r.pk, none)["corrected"],
            since=counts.get(r.pk, none)["since"],
        )
        for r in rules
    ]


def appeals_untriaged(*, received_before: datetime, limit: int) -> list[int]:
    """Appeals waiting for screening, received before then, with no stored suggestion (their
    triage lost with a crashed worker or database): their ids, oldest first."""
    return list(
        Appeal.objects.filter(
            status=AppealStatus.RECEIVED,
            received_at__lt=received_before,
            triage_suggestion__isnull=True,
        )
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
