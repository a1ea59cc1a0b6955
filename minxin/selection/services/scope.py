"""A round is its district's: its office (the city's staff: any district's) takes its steps;
another district's round is as missing as one that does not exist, and nothing is changed."""

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.core.errors import NotFound
from minxin.directory.selectors import of_district

from ..machine import MISSING, ROUNDS
from ..models import SelectionRound


def round_locked(
    *, actor: User, round_id: int, action: str, expected_version: int | None
) -> SelectionRound:
    """`ROUNDS.lock` of a round of the actor's district. Checked first, so that another
    district's round says nothing of its status or version (its district never changes)."""
    ours = SelectionRound.objects.filter(of_district(actor.jurisdiction_scope), pk=round_id)
    if not ours.exists():
        raise NotFound(MISSING)
    return ROUNDS.lock(
        pk=round_id, action=action, actor=Actor.of(actor), expected_version=expected_version
    )
