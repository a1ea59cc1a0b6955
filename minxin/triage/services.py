"""Triage services: the suggestion for one appeal, and recording a dispatcher's correction."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from django.db import transaction

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.triage.models import CorrectionField, TriageCorrection
from minxin.triage.nlp import DuplicateIndex, RegionNode, RegionTree, Suggestion, suggest

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
