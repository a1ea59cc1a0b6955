"""Triage services: the suggestion for one appeal (stored, and acted on by 快速交办 rules), and
recording a dispatcher's correction."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.cases.services import appeal_dispatch, appeal_screen
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import ConcurrentEdit, IllegalTransition
from minxin.directory.models import Region
from minxin.dispatch.selectors import units_suggested_for
from minxin.triage.duplicates import duplicate_index_for, duplicates_current, signatures_store
from minxin.triage.hotspots import appeal_hotspot_assign
from minxin.triage.models import (
    AutoDispatchDecision,
    CorrectionField,
    TriageCorrection,
    TriageSuggestion,
)
from minxin.triage.nlp import DuplicateIndex, RegionNode, RegionTree, Suggestion, suggest
from minxin.triage.selectors import (
    auto_dispatch_rule_for,
    category_for_path,
)
from minxin.triage.versions import confidence_calibrated, model_version_in_use

logger = logging.getLogger(__name__)

_TREE_TTL_SECONDS = 300.0
_tree_lock = threading.Lock()
_tree_cache: tuple[float, RegionTree] | None = None


def region_tree_from_directory() -> RegionTree:
    """The directory's Region table as plain data (cached for a few minutes)."""
    global _tree_cache
    from minxin.directory.models import Region

    with _tree_lock:
        now = time.monotonic()
        if _tree_cache and now - _tree_cache[0] < _TREE_TTL_SECONDS:
            return _tree_cache[1]
        codes = dict(Region.objects.values_list("pk", "code"))
        nodes = [
            RegionNode(
                code=r.code,
                name=r.name,
                level=r.level,
                parent_code=codes.get(r.parent_id) if r.parent_id else None,
            )
            for r in Region.objects.only("code", "name", "level", "parent_id")
        ]
        tree = RegionTree(nodes)
        _tree_cache = (now, tree)
        return tree


def region_tree_cache_clear() -> None:
    global _tree_cache
    with _tree_lock:
        _tree_cache = None


def triage_suggest(
    *,
    title: str,
    content: str,
    received_at: datetime | None = None,
    region_tree: RegionTree | None = None,
    duplicate_index: DuplicateIndex | None = None,
    person: str | None = None,
) -> Suggestion:
    """Category, urgency, validity, places, personal data and (given an index) duplicates.
    Without `region_tree` the directory's regions are used."""
    tree = region_tree if region_tree is not None else region_tree_from_directory()
    return suggest(
        title=title,
        content=content,
        received_at=received_at,
        region_tree=tree,
        duplicate_index=duplicate_index,
        person=person,
    )


@transaction.atomic(durable=True)
def triage_correction_record(
    *,
    appeal_id: int,
    field: CorrectionField,
    suggested_value: str,
    chosen_value: str,
    actor: User | None,
) -> TriageCorrection | None:
    """Record that a dispatcher chose `chosen_value` where triage suggested `suggested_value`;
    nothing is recorded when they agree. The next `minxin triage train` learns from it."""
    if suggested_value == chosen_value:
        return None
    appeal = Appeal.objects.only("pk").get(pk=appeal_id)
    return TriageCorrection.objects.create(
        appeal=appeal,
        field=field,
        suggested_value=suggested_value[:300],
        chosen_value=chosen_value[:300],
        actor=actor,
    )


def appeal_triage(*, appeal_id: int, auto_dispatch: bool = True) -> TriageSuggestion:
    """Compute and store (update in place) the suggestion for one appeal; then, with
    `auto_dispatch`, apply the 快速交办 rules. Runs its writes as separate durable
    transactions, so call it from a task or a view, never inside another transaction."""
    appeal = Appeal.objects.select_related("region").get(pk=appeal_id)
    found = triage_suggest(
        title=appeal.title,
        content=appeal.content,
        received_at=appeal.received_at,
        duplicate_index=duplicate_index_for(
            title=appeal.title,
            content=appeal.content,
            around=appeal.received_at,
            exclude_id=appeal.pk,
        ),
        person=appeal.appellant_phone or None,
    )
    # Its own signature, so later appeals find this one (the lookup above left it out).
    signatures_store([appeal.pk])
    # The hotspot of its place and matter (集中投诉), joined or started.
    appeal_hotspot_assign(appeal_id=appeal.pk)
    category = category_for_path(found.category.path)
    region = appeal.region
    if region is None and found.region is not None and found.region.region_code:
        region = Region.objects.filter(code=found.region.region_code).first()
    units = units_suggested_for(category=category, region=region, limit=1)
    place = found.region or next(iter(found.places), None)
    duplicates = duplicates_current(found.duplicates)
    kinds = Counter(span.kind for spans in found.personal_data.values() for span in spans)
    with transaction.atomic(durable=True):
        suggestion, _ = TriageSuggestion.objects.update_or_create(
            appeal=appeal,
            defaults={
                "category": category,
                "category_path": found.category.path[:300],
                "top_category_name": found.category.category[:100],
                "confidence": Decimal(str(confidence_calibrated(found.category.confidence))),
                "urgency": found.urgency.level,
                "urgency_reason": found.urgency.reason[:500],
                "is_valid": found.validity.valid,
                "validity_reason": found.validity.reason[:500],
                "place_text": (place.text if place else appeal.place_text)[:200],
                "region": region,
                "personal_data": dict(kinds),
                "duplicates": [
                    {
                        "appeal_id": d.appeal_id,
                        "tracking_number": d.tracking_number,
                        "similarity": d.candidate.similarity,
                        "same_person": d.candidate.same_person,
                        "same_place": d.candidate.same_place,
                    }
                    for d in duplicates
                ],
                "suggested_unit": units[0] if units else None,
                "model_version_id": model_version_in_use(),
            },
        )
    if auto_dispatch:
        _auto_dispatch(suggestion)
    return suggestion


def _auto_dispatch(suggestion: TriageSuggestion) -> bool:
    """快速交办: screen and dispatch as the system when a rule allows it. Only a valid
    suggestion with no duplicate candidate, a category, a unit and enough confidence for the
    nearest active rule qualifies; an appeal someone has already acted on is left alone."""
    appeal = Appeal.objects.only("pk", "status", "version").get(pk=suggestion.appeal_id)
    if (
        appeal.status != AppealStatus.RECEIVED
        or not suggestion.is_valid
        or suggestion.duplicates
        or suggestion.category is None
        or suggestion.suggested_unit_id is None
    ):
        return False
    rule = auto_dispatch_rule_for(category=suggestion.category)
    if rule is None or suggestion.confidence < rule.min_confidence:
        return False
    system = Actor.system()
    reason = f"快速交办：分类置信度{suggestion.confidence:.2f}，规则阈值{rule.min_confidence}"
    try:
        screened = appeal_screen(
            appeal_id=appeal.pk,
            actor=system,
            expected_version=appeal.version,
            category_id=suggestion.category.pk,
            region_id=suggestion.region_id,
            urgency=suggestion.urgency,
            reason=reason,
        )
        appeal_dispatch(
            appeal_id=appeal.pk,
            actor=system,
            expected_version=screened.version,
            lead_unit_id=suggestion.suggested_unit_id,
            reason=reason,
        )
    except (ConcurrentEdit, IllegalTransition):
        # A dispatcher acted first; their decision stands.
        logger.info("auto-dispatch of appeal %s skipped: acted on meanwhile", appeal.pk)
        return False
    # What the rule decided, so the screening queue can count how often it was corrected.
    AutoDispatchDecision.objects.create(
        appeal_id=appeal.pk,
        rule=rule,
        category=suggestion.category,
        unit_id=suggestion.suggested_unit_id,
        confidence=suggestion.confidence,
    )
    return True
