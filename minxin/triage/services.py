"""Triage services: the suggestion for one appeal (stored, and acted on by 快速交办 rules), and
recording a dispatcher's correction."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.cases.services import appeal_dispatch, appeal_screen
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import ConcurrentEdit, IllegalTransition
from minxin.directory.models import Category, Region, Unit
from minxin.dispatch.selectors import units_suggested_for_each
from minxin.triage.duplicates import (
    duplicate_indexes_for_batch,
    duplicates_current_many,
    signature_rows,
    signature_rows_write,
)
from minxin.triage.hotspots import appeal_hotspot_assign
from minxin.triage.models import (
    AutoDispatchDecision,
    AutoDispatchRule,
    CorrectionField,
    TriageCorrection,
    TriageSuggestion,
)
from minxin.triage.nlp import RegionNode, RegionTree, Suggestion, suggest
from minxin.triage.selectors import auto_dispatch_rule_for, categories_for_paths
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


# How many appeals waiting for their suggestion a batch of triage takes at most, and after how
# long a run of batches leaves the worker to its other work (and is queued again).
BATCH: Final = 50
RUN_SECONDS: Final = 5.0


def appeal_triage(*, appeal_id: int, auto_dispatch: bool = True) -> TriageSuggestion:
    """Compute and store (update in place) the suggestion for one appeal; then, with
    `auto_dispatch`, apply the 快速交办 rules: `appeals_triage` of this one appeal. Runs its
    writes as separate durable transactions, so call it from a task or a view, never inside
    another transaction."""
    return appeals_triage(appeal_ids=[appeal_id], auto_dispatch=auto_dispatch)[appeal_id]


def appeals_triage(
    *, appeal_ids: Sequence[int], auto_dispatch: bool = True
) -> dict[int, TriageSuggestion]:
    """Compute and store (update in place) the suggestions of these appeals, each as if they
    were triaged one after the other, oldest first (a later one finds an earlier one as its
    duplicate); then each one's hotspot and, with `auto_dispatch`, the 快速交办 rules. By
    appeal id; an id that is no appeal raises Appeal.DoesNotExist. Durable transactions: call
    it from a task or a view."""
    with transaction.atomic(durable=True):
        appeals = _appeals_read(appeal_ids)
        missing = set(appeal_ids) - {a.pk for a in appeals}
        if missing:
            raise Appeal.DoesNotExist(f"no appeal {sorted(missing)}")
        stored = _suggestions_store(appeals)
    _suggestions_followed(stored, auto_dispatch=auto_dispatch)
    return {s.appeal_id: s for s in stored}


@dataclass(frozen=True)
class TriageRun:
    """What a run of intake's triage did: the appeals it triaged, whether it stopped with
    appeals possibly left (its time was up on a full batch), and the first failure of an
    appeal's hotspot or 快速交办 (its suggestion is stored; the caller raises it)."""

    triaged: int
    more: bool
    failed: Exception | None = None


def appeals_triage_waiting(*, limit: int = BATCH, seconds: float = RUN_SECONDS) -> TriageRun:
    """Intake's triage (`triage_waiting_task`): the appeals waiting for screening without a
    suggestion, oldest first, a batch of up to `limit` after another through `appeals_triage`'s
    steps, until a batch comes back short (none left that another worker does not hold) or,
    after `seconds`, a batch is done (the worker's other work gets its turn). The rows are
    claimed (FOR NO KEY UPDATE SKIP LOCKED on PostgreSQL), so two workers never triage the
    same appeal; SQLite has a single writer and takes a plain batch. A batch whose hotspots
    or 快速交办 failed for an appeal is stored all the same and the run goes on."""
    deadline = time.monotonic() + seconds
    triaged = 0
    failed: Exception | None = None
    while True:  # until a short batch or the time is up
        with transaction.atomic(durable=True):
            claimed = _waiting_claim(limit=limit)
            # A new statement: what a batch committed while this one waited for locks is seen.
            stored = _suggestions_store(_appeals_read(claimed, waiting=True))
        triaged += len(stored)
        try:
            _suggestions_followed(stored, auto_dispatch=True)
        except Exception as error:  # logged per appeal; the caller raises it
            failed = failed or error
        if len(claimed) < limit or time.monotonic() >= deadline:
            return TriageRun(triaged=triaged, more=len(claimed) == limit, failed=failed)


def _untriaged() -> QuerySet[Appeal]:
    return Appeal.objects.filter(~Exists(TriageSuggestion.objects.filter(appeal=OuterRef("pk"))))


def _waiting_claim(*, limit: int) -> list[int]:
    """The oldest appeals waiting for screening, none with a suggestion, locked until the
    caller's transaction ends; those another worker holds are skipped. Not the key share lock:
    rows that refer to an appeal can still be written."""
    return list(
        _untriaged()
        .filter(status=AppealStatus.RECEIVED)
        .order_by("received_at", "pk")
        .select_for_update(skip_locked=True, no_key=True)
        .values_list("pk", flat=True)[:limit]
    )


# A region's and a category's parents read with them (the district's tree is that deep): the
# suggested units walk up both.
_PARENTS: Final = ["parent__parent__parent__parent"]


def _appeals_read(appeal_ids: Sequence[int], *, waiting: bool = False) -> list[Appeal]:
    """The appeals, oldest first (with `waiting`, only those still without a suggestion)."""
    if not appeal_ids:
        return []
    rows = _untriaged() if waiting else Appeal.objects.all()
    return list(
        rows.select_related(*(f"region__{p}" for p in _PARENTS))
        .filter(pk__in=appeal_ids)
        .order_by("received_at", "pk")
    )


def _suggestions_store(appeals: list[Appeal]) -> list[TriageSuggestion]:
    """The suggestions of these appeals (oldest first) computed and written, with their
    signatures, in the caller's transaction: one insert of the signatures, the duplicate
    lookups (each appeal finds what it would have found triaged alone, in order: the batch's
    earlier appeals too; one statement on PostgreSQL), the library, then what the batch shares
    read once (the model version, the categories of the suggested paths, the regions, the
    suggested unit of each category and region, the state of the duplicates) and one upsert of
    the rows."""
    if not appeals:
        return []
    found = _suggestions_found(appeals)
    places = _places_of(appeals, found)
    units = _units_suggested(appeals, places)
    currents = duplicates_current_many([f.duplicates for f in found])
    version = model_version_in_use()
    rows = []
    for a, f, duplicates, (category, region) in zip(appeals, found, currents, places, strict=True):
        unit = units[
            (a.jurisdiction_id, category.pk if category else None, region.pk if region else None)
        ]
        rows.append(_suggestion_row(a, f, duplicates, category, region, unit, version))
    # Recomputed in place: an appeal keeps its one row and when it was first made.
    return TriageSuggestion.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["appeal"],
        update_fields=[*_SUGGESTION_FIELDS, "updated_at"],
    )


def _units_suggested(
    appeals: list[Appeal], places: list[tuple[Category | None, Region | None]]
) -> dict[tuple[int | None, int | None, int | None], list[Unit]]:
    """The unit suggested for each appeal's category and place, by (district, category,
    place): within the appeal's district, its rules and the city's (one call for each district
    of the batch), also for an appeal with no place."""
    by_district: dict[int | None, list[tuple[Category | None, Region | None]]] = defaultdict(list)
    for appeal, pair in zip(appeals, places, strict=True):
        by_district[appeal.jurisdiction_id].append(pair)
    return {
        (district, *key): units
        for district, pairs in by_district.items()
        for key, units in units_suggested_for_each(pairs, district=district, limit=1).items()
    }


def _suggestions_found(appeals: list[Appeal]) -> list[Suggestion]:
    """The library's suggestion of each appeal, its signature stored first so later appeals
    find it (the batch's later appeals find the earlier ones in the lookup itself)."""
    tree = region_tree_from_directory()
    signatures = signature_rows(
        (a.pk, a.title, a.content, a.received_at, a.place_text, a.appellant_phone) for a in appeals
    )
    signature_rows_write(signatures)
    return [
        suggest(
            title=a.title,
            content=a.content,
            received_at=a.received_at,
            region_tree=tree,
            duplicate_index=index,
            person=a.appellant_phone or None,
        )
        for a, index in zip(appeals, duplicate_indexes_for_batch(signatures), strict=True)
    ]


def _places_of(
    appeals: list[Appeal], found: list[Suggestion]
) -> list[tuple[Category | None, Region | None]]:
    """Each appeal's suggested category and its region (its own, else the one the text
    named), read once for the batch."""
    categories = categories_for_paths({f.category.path for f in found})
    # One object per region, so each one's parents are read once for the whole batch.
    regions = {a.region.pk: a.region for a in appeals if a.region is not None}
    codes = {
        f.region.region_code
        for a, f in zip(appeals, found, strict=True)
        if a.region is None and f.region is not None and f.region.region_code
    }
    by_code = (
        {r.code: r for r in Region.objects.select_related(*_PARENTS).filter(code__in=codes)}
        if codes
        else {}
    )
    places: list[tuple[Category | None, Region | None]] = []
    for a, f in zip(appeals, found, strict=True):
        region = regions[a.region.pk] if a.region is not None else None
        if region is None and f.region is not None and f.region.region_code:
            region = by_code.get(f.region.region_code)
        places.append((categories[f.category.path], region))
    return places


def _suggestion_row(
    a: Appeal,
    f: Suggestion,
    duplicates: Any,
    category: Category | None,
    region: Region | None,
    unit: Any,
    version: int | None,
) -> TriageSuggestion:
    place = f.region or next(iter(f.places), None)
    kinds = Counter(span.kind for spans in f.personal_data.values() for span in spans)
    return TriageSuggestion(
        appeal=a,
        category=category,
        category_path=f.category.path[:300],
        top_category_name=f.category.category[:100],
        confidence=Decimal(str(confidence_calibrated(f.category.confidence))),
        urgency=f.urgency.level,
        urgency_reason=f.urgency.reason[:500],
        is_valid=f.validity.valid,
        validity_reason=f.validity.reason[:500],
        place_text=(place.text if place else a.place_text)[:200],
        region=region,
        personal_data=dict(kinds),
        duplicates=[
            {
                "appeal_id": d.appeal_id,
                "tracking_number": d.tracking_number,
                "similarity": d.candidate.similarity,
                "same_person": d.candidate.same_person,
                "same_place": d.candidate.same_place,
            }
            for d in duplicates
        ],
        suggested_unit=unit[0] if unit else None,
        model_version_id=version,
    )


_SUGGESTION_FIELDS: Final = [
    "category",
    "category_path",
    "top_category_name",
    "confidence",
    "urgency",
    "urgency_reason",
    "is_valid",
    "validity_reason",
    "place_text",
    "region",
    "personal_data",
    "duplicates",
    "suggested_unit",
    "model_version",
]


def _suggestions_followed(stored: list[TriageSuggestion], *, auto_dispatch: bool) -> None:
    """What stays per appeal, in their order, each in its own transactions as before: the
    hotspot (集中投诉) joined or started, then, with `auto_dispatch`, 快速交办 through the
    appeals' services. One appeal's failure does not keep the others from theirs; the first
    is raised at the end."""
    state: dict[int, tuple[str, int]] = {}
    if auto_dispatch and stored:
        state = {
            pk: (status, version)
            for pk, status, version in Appeal.objects.filter(
                pk__in=[s.appeal_id for s in stored]
            ).values_list("pk", "status", "version")
        }
    rules: dict[int, AutoDispatchRule | None] = {}
    failed: Exception | None = None
    for suggestion in stored:
        try:
            appeal_hotspot_assign(appeal_id=suggestion.appeal_id, appeal=suggestion.appeal)
            if auto_dispatch:
                _auto_dispatch(suggestion, state=state[suggestion.appeal_id], rules=rules)
        except Exception as error:
            logger.warning(
                "triage of appeal %s: hotspot or auto-dispatch failed (%s)",
                suggestion.appeal_id,
                type(error).__name__,
            )
            failed = failed or error
    if failed is not None:
        raise failed


def _auto_dispatch(
    suggestion: TriageSuggestion,
    *,
    state: tuple[str, int],
    rules: dict[int, AutoDispatchRule | None],
) -> bool:
    """快速交办: screen and dispatch as the system when a rule allows it. Only a valid
    suggestion with no duplicate candidate, a category, a unit and enough confidence for the
    nearest active rule qualifies; an appeal someone has already acted on is left alone.
    `state`: the appeal's status and version as read after the batch was stored; `rules`: the
    rule of each category asked so far in the batch."""
    status, version = state
    if (
        status != AppealStatus.RECEIVED
        or not suggestion.is_valid
        or suggestion.duplicates
        or suggestion.category is None
        or suggestion.suggested_unit_id is None
    ):
        return False
    if suggestion.category.pk not in rules:
        rules[suggestion.category.pk] = auto_dispatch_rule_for(category=suggestion.category)
    rule = rules[suggestion.category.pk]
    if rule is None or suggestion.confidence < rule.min_confidence:
        return False
    unit = suggestion.suggested_unit
    if unit is None or unit.jurisdiction_id not in (None, suggestion.appeal.jurisdiction_id):
        return False  # a rule's unit of another district: a dispatcher decides
    system = Actor.system()
    reason = f"快速交办：分类置信度{suggestion.confidence:.2f}，规则阈值{rule.min_confidence}"
    try:
        screened = appeal_screen(
            appeal_id=suggestion.appeal_id,
            actor=system,
            expected_version=version,
            category_id=suggestion.category.pk,
            region_id=suggestion.region_id,
            urgency=suggestion.urgency,
            reason=reason,
        )
        appeal_dispatch(
            appeal_id=suggestion.appeal_id,
            actor=system,
            expected_version=screened.version,
            lead_unit_id=suggestion.suggested_unit_id,
            reason=reason,
        )
    except (ConcurrentEdit, IllegalTransition):
        # A dispatcher acted first; their decision stands.
        logger.info("auto-dispatch of appeal %s skipped: acted on meanwhile", suggestion.appeal_id)
        return False
    # What the rule decided, so the screening queue can count how often it was corrected.
    AutoDispatchDecision.objects.create(
        appeal_id=suggestion.appeal_id,
        rule=rule,
        category=suggestion.category,
        unit_id=suggestion.suggested_unit_id,
        confidence=suggestion.confidence,
    )
    return True
