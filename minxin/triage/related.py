"""Which appeals may be about a thing described in words (a livelihood project, an issue-list
item): the share of its character bigrams an appeal's text shares, a named place of the thing
(a 小区, a road, a school) in the appeal counting half as much again. A suggestion for staff to
confirm; nothing is linked by itself."""

from collections.abc import Iterable, Mapping
from typing import Any

from .nlp.places import extract_places, place_key

# Below this an appeal shares little more than common words with the description.
MIN_SCORE = 0.15


def _grams(text: str) -> set[str]:
    text = "".join(ch for ch in text if ch.isalnum())
    return {text[i : i + 2] for i in range(len(text) - 1)}


def appeals_related(
    about: str, candidates: Iterable[Mapping[str, Any]], *, limit: int
) -> list[tuple[Mapping[str, Any], float]]:
    """The candidates (rows with `title` and `content`) that may be about `about`, best first,
    each with a score 0-1, without their content."""
    words = _grams(about)
    places = {place_key(p.text) for p in extract_places(about)} - {""}
    places = {p for p in places if len(p) >= 2}
    scored: list[tuple[Mapping[str, Any], float]] = []
    for appeal in candidates:
        text = f"{appeal['title']} {appeal['content']}"
        shared = len(words & _grams(text)) / max(len(words), 1)
        # The description's places are extracted once; an appeal names one if it contains it.
        named = any(place in text for place in places)
        score = min(1.0, shared + (0.5 if named else 0.0))
        if score >= MIN_SCORE:
            shown = {k: v for k, v in appeal.items() if k != "content"}
            scored.append((shown, round(score, 2)))
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]
