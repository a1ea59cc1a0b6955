"""minxin.triage.nlp: screening suggestions as a pure-Python library (no Django needed).

Public API:
    suggest(title=..., content=..., received_at=None, region_tree=None, duplicate_index=None)
        → Suggestion (category, urgency, validity, places, personal data, duplicates)
    classify(pairs) → [CategorySuggestion]; train(); get_model(); cross_validate()
    cluster_hotspots(items) → [HotspotRow]; find_hotspots(items) → rows + summaries
    RegionTree / RegionNode, DuplicateIndex, normalize_text
(personal data in text: minxin.core.privacy)
"""

from .classifier import CategoryModel, Example
from .duplicates import DuplicateCandidate, DuplicateIndex
from .engine import (
    CategorySuggestion,
    CrossValidation,
    Suggestion,
    classify,
    cross_validate,
    forget_models,
    get_model,
    suggest,
    train,
)
from .hotspots import (
    HotspotIndex,
    HotspotInput,
    HotspotResult,
    HotspotRow,
    HotspotSummary,
    cluster_hotspots,
    find_hotspots,
    heat_index,
)
from .normalize import normalize_text
from .places import PlaceCandidate, RegionNode, RegionTree, extract_places
from .urgency import UrgencySuggestion, suggest_urgency
from .validity import ValiditySuggestion, suggest_validity

__all__ = [
    "CategoryModel",
    "CategorySuggestion",
    "CrossValidation",
    "DuplicateCandidate",
    "DuplicateIndex",
    "Example",
    "HotspotIndex",
    "HotspotInput",
    "HotspotResult",
    "HotspotRow",
    "HotspotSummary",
    "PlaceCandidate",
    "RegionNode",
    "RegionTree",
    "Suggestion",
    "UrgencySuggestion",
    "ValiditySuggestion",
    "classify",
    "cluster_hotspots",
    "cross_validate",
    "extract_places",
    "find_hotspots",
    "forget_models",
    "get_model",
    "heat_index",
    "normalize_text",
    "suggest",
    "suggest_urgency",
    "suggest_validity",
    "train",
]
