"""民生实事项目票决: every write of a round, its candidates and its votes, by part:

- `rounds`: the round created, its steps (publish, open the deputies' vote, count and publish,
  cancel) and the count;
- `candidates`: candidates entered while the round is prepared, and withdrawn;
- `deputies`: the deputies' vote;
- `public`: residents' comments on the published candidates and the residents' vote.

The round's steps go through its machine (`machine.ROUNDS`): one RoundEvent each, in the
transaction that makes the change. Votes are their voters' own rows, guarded by the database's
unique constraints (a second vote, even sent twice at once, is refused with 409 and writes
nothing). At the count, each candidate that passed becomes a project of the round's
programme (`projects.services.project_create_within`, entered into the plan), its origin and
its hotspot's appeals linked."""

from .candidates import CandidateDraft, candidate_add, candidate_withdraw, candidates_active
from .deputies import AlreadyVoted, deputy_district, deputy_of, deputy_vote
from .public import (
    COMMENT_MAX,
    NICKNAME_MAX,
    AlreadyBallot,
    candidate_comment,
    resident_ballot_cast,
)
from .rounds import RoundDraft, present_count, roster_for, round_act, round_create, tally_recount

__all__ = [
    "COMMENT_MAX",
    "NICKNAME_MAX",
    "AlreadyBallot",
    "AlreadyVoted",
    "CandidateDraft",
    "RoundDraft",
    "candidate_add",
    "candidate_comment",
    "candidate_withdraw",
    "candidates_active",
    "deputy_district",
    "deputy_of",
    "deputy_vote",
    "present_count",
    "resident_ballot_cast",
    "roster_for",
    "round_act",
    "round_create",
    "tally_recount",
]
