"""The demo's rounds: the district's, decided (four of six pass and became projects of next
year's programme, the tallies the votes' count), and a street's open for comment; the
deputies' logins listed."""

from io import StringIO

import pytest
from django.core.management import call_command

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.demo.selection import selection_seed
from minxin.selection import tally as t
from minxin.selection.models import Candidate, Deputy, SelectionRound
from minxin.selection.selectors import round_page
from minxin.selection.services import tally_recount
from minxin.selection.workflow import RoundStatus

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_decided_and_an_open_round():
    call_command("seed_demo", appeals=0, verbosity=0, stdout=StringIO())
    assert selection_seed() == 2
    assert selection_seed() == 0  # once
    assert Deputy.objects.count() == 12
    assert User.objects.get(username="deputy").role == Role.DEPUTY
    decided = SelectionRound.objects.get(status=RoundStatus.DECIDED)
    assert (decided.roster_size, decided.present) == (12, 10)
    passed = Candidate.objects.filter(round=decided, passed=True)
    assert passed.count() == 4
    assert all(c.project_id for c in passed)
    assert all(c.project.programme_id == decided.programme_id for c in passed)
    recount = tally_recount(decided)
    for c in Candidate.objects.filter(round=decided):
        assert recount[c.pk] == t.Tally(c.votes_for, c.votes_against, c.votes_abstain)
    page = round_page(decided, public=True)
    assert page.ballots > 0 and all(row.resident_votes is not None for row in page.rows)
    open_round = SelectionRound.objects.get(status=RoundStatus.CONSULTING)
    assert open_round.residents_vote and open_round.candidates.count() == 3
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "deputy" in out.getvalue() and "人大代表" in out.getvalue()
