"""Reads of the triage app."""

from datetime import datetime, timedelta
from typing import Final

from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.directory.models import Category
from minxin.triage.models import (
    AutoDispatchRule,
    CorrectionField,
    TriageCorrection,
    TriageSuggestion,
)
from minxin.triage.nlp import DuplicateIndex, Example
from minxin.triage.nlp.places import place_key

DUPLICATE_WINDOW_DAYS: Final = 90.0
DUPLICATE_INDEX_MAX: Final = 5000


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


def duplicate_index_recent(
    *, around: datetime, exclude_id: int, window_days: float = DUPLICATE_WINDOW_DAYS
) -> DuplicateIndex:
    """A MinHash index over the appeals received within `window_days` before `around` (at
    most DUPLICATE_INDEX_MAX, the most recent), built per call: the screening window is short,
    so this stays small; a district-wide persistent index is the library's `DuplicateIndex`."""
    index = DuplicateIndex()
    rows = (
        Appeal.objects.filter(
            received_at__gte=around - timedelta(days=window_days), received_at__lte=around
        )
        .exclude(pk=exclude_id)
        .exclude(status__in=[AppealStatus.INVALID, AppealStatus.MERGED])
        .order_by("-received_at")
        .values_list("pk", "title", "content", "received_at", "place_text", "appellant_phone")
    )[:DUPLICATE_INDEX_MAX]
    for pk, title, content, received_at, place_text, phone in rows:
        index.add(
            pk,
            title,
            content,
            time=received_at.timestamp(),
            place=place_key(place_text) if place_text else None,
            person=phone or None,
        )
    return index


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
