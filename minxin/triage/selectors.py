"""Reads of the triage app."""

from minxin.directory.models import Category
from minxin.triage.models import (
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
    parts = [p for p in path.split("/") if p]
    candidates = ["/".join(parts[:n]) for n in range(len(parts), 0, -1)]
    if not candidates:
        return None
    found = {
        c.path_name: c for c in Category.objects.filter(path_name__in=candidates, is_active=True)
    }
    return next((found[p] for p in candidates if p in found), None)


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
