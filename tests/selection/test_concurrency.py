"""One vote per voter per question, decided by the database: a deputy's ballot sent twice at
the same moment, and a phone's ballot sent twice at once, each leave one ballot; the second
is refused with 409. The votes' tables refuse UPDATE and DELETE (PostgreSQL triggers)."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction

from minxin.core.errors import MinxinError
from minxin.selection.models import DeputyVote, ResidentBallot, SelectionRound, VoteChoice
from minxin.selection.services import deputy_vote, resident_ballot_cast, round_act
from minxin.selection.workflow import RoundAction
from tests.races import needs_concurrent_writers, race

from .builders import T0, candidates_add, deputies_new, in_vote, round_new

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_deputys_ballot_sent_twice_at_once_is_counted_once(district):
    needs_concurrent_writers()
    d = district
    deputy = deputies_new(d, 1)[0]
    selection = round_new(d)
    cands = candidates_add(d, selection, ["A", "B"])
    round_act(actor=d.user("supervisor"), round_id=selection.pk, action=RoundAction.PUBLISH, at=T0)
    round_act(
        actor=d.user("supervisor"),
        round_id=selection.pk,
        action=RoundAction.OPEN_VOTE,
        at=in_vote(),
    )
    sheet = {c.pk: VoteChoice.FOR for c in cands}
    results = race(
        lambda: deputy_vote(actor=deputy.user, round_id=selection.pk, choices=sheet, at=in_vote())
    )
    refused = [r for r in results if isinstance(r, MinxinError)]
    assert len(refused) == 1 and refused[0].status_code == 409
    assert DeputyVote.objects.filter(deputy=deputy).count() == 2


def test_a_phones_ballot_sent_twice_at_once_is_counted_once(district):
    needs_concurrent_writers()
    d = district
    selection = round_new(d, residents_vote=True)
    a, _b = candidates_add(d, selection, ["A", "B"])
    round_act(actor=d.user("supervisor"), round_id=selection.pk, action=RoundAction.PUBLISH, at=T0)
    at = T0 + timedelta(hours=1)
    results = race(
        lambda: resident_ballot_cast(
            round_id=selection.pk, phone_hash="h" * 64, candidate_ids=[a.pk], at=at
        ),
        n=4,
    )
    refused = [r for r in results if isinstance(r, MinxinError)]
    assert len(refused) == 3 and all(r.status_code == 409 for r in refused)
    assert ResidentBallot.objects.filter(round=selection).count() == 1
    assert SelectionRound.objects.get(pk=selection.pk).status == "consulting"


def test_votes_cannot_be_changed_or_deleted(district):
    needs_concurrent_writers()
    d = district
    selection = round_new(d, residents_vote=True)
    a, _b = candidates_add(d, selection, ["A", "B"])
    round_act(actor=d.user("supervisor"), round_id=selection.pk, action=RoundAction.PUBLISH, at=T0)
    resident_ballot_cast(round_id=selection.pk, phone_hash="h1", candidate_ids=[a.pk], at=T0)
    for change in (
        lambda: ResidentBallot.objects.update(phone_hash="x"),
        lambda: ResidentBallot.objects.all().delete(),
        lambda: selection.events.update(reason="改写"),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
