"""Reads of selection rounds, always for a viewer: the office sees every round, a deputy the
rounds published (and those on whose roll it is), the public the published ones. Out of scope
and missing are the same 404."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from minxin.accounts.models import User
from minxin.core.errors import NotFound

from . import tally as t
from .machine import MISSING
from .models import (
    Candidate,
    CandidateComment,
    Deputy,
    DeputyVote,
    ResidentBallot,
    ResidentChoice,
    RosterEntry,
    RoundEvent,
    SelectionRound,
)
from .permissions import is_deputy, runs_rounds
from .services import present_count, tally_recount
from .workflow import RoundStatus

PUBLIC_STATUSES = (
    RoundStatus.CONSULTING,
    RoundStatus.VOTING,
    RoundStatus.DECIDED,
    RoundStatus.CANCELLED,
)
RELATED = ("programme", "region")


def _deputy(user: User) -> Deputy | None:
    return Deputy.objects.filter(user=user, is_active=True).first()


def rounds_for(user: User) -> QuerySet[SelectionRound]:
    rounds = SelectionRound.objects.select_related(*RELATED).annotate(
        n_candidates=Count("candidates", filter=Q(candidates__withdrawn=False))
    )
    if runs_rounds(user):
        return rounds
    deputy = _deputy(user) if is_deputy(user) else None
    if deputy is None:
        return rounds.none()
    on_roll = RosterEntry.objects.filter(deputy=deputy).values("round_id")
    return rounds.filter(Q(pk__in=on_roll) | Q(status=RoundStatus.CONSULTING))


def round_get_for(user: User, round_id: int) -> SelectionRound:
    found = rounds_for(user).filter(pk=round_id).first()
    if found is None:
        raise NotFound(MISSING)
    return found


@dataclass(frozen=True)
class CandidateRow:
    candidate: Candidate
    tally: t.Tally | None  # the count kept (decided) or running (office, during the vote)
    share_for: float | None
    comments: int
    resident_votes: int | None
    resident_share: float | None
    mine: str = ""  # the deputy's own vote
    comment_list: tuple[CandidateComment, ...] = ()  # for the office only


@dataclass(frozen=True)
class RoundPage:
    round: SelectionRound
    rows: list[CandidateRow]
    roster: int
    present: int
    needed: int | None
    ballots: int
    decided: bool
    history: list[RoundEvent] = field(default_factory=list)
    voted: bool = False
    on_roll: bool = False


def _candidates(selection: SelectionRound) -> list[Candidate]:
    return list(
        selection.candidates.filter(withdrawn=False)
        .select_related(
            "round", "lead_unit", "region", "suggestion", "appeal", "proposing_unit", "project"
        )
        .order_by("position", "pk")
    )


def round_page(
    selection: SelectionRound, *, viewer: User | None = None, public: bool = False
) -> RoundPage:
    """A round with its candidates: their tallies (the kept ones once decided; the running
    count for the office during the vote, never for the public or deputies), the residents'
    votes, and comment counts."""
    candidates = _candidates(selection)
    decided = selection.status == RoundStatus.DECIDED
    office = viewer is not None and runs_rounds(viewer)
    roster = selection.roster_size or 0
    present = selection.present if decided and selection.present is not None else 0
    running: dict[int, t.Tally] = {}
    if not decided and office and selection.status == RoundStatus.VOTING:
        running = tally_recount(selection)
        present = present_count(selection)
    ballots = ResidentBallot.objects.filter(round=selection).count()
    show_residents = selection.residents_vote and (decided or office)
    resident_counts: dict[int, int] = {}
    if show_residents and not decided:
        resident_counts = dict(
            ResidentChoice.objects.filter(ballot__round=selection)
            .values("candidate_id")
            .annotate(n=Count("pk"))
            .values_list("candidate_id", "n")
        )
    comment_counts = dict(
        CandidateComment.objects.filter(candidate__round=selection)
        .values("candidate_id")
        .annotate(n=Count("pk"))
        .values_list("candidate_id", "n")
    )
    deputy = _deputy(viewer) if viewer is not None and is_deputy(viewer) else None
    mine: dict[int, str] = {}
    if deputy is not None:
        mine = dict(
            DeputyVote.objects.filter(round=selection, deputy=deputy).values_list(
                "candidate_id", "choice"
            )
        )
    comments: dict[int, list[CandidateComment]] = {}
    if office and not public:
        for comment in CandidateComment.objects.filter(candidate__round=selection).order_by(
            "-created_at"
        )[:200]:
            comments.setdefault(comment.candidate_id, []).append(comment)
    base = t.base_of(base=selection.pass_base, present=present, roster=roster)
    rows = []
    for c in candidates:
        tally: t.Tally | None = None
        if decided and c.votes_for is not None:
            tally = t.Tally(c.votes_for, c.votes_against or 0, c.votes_abstain or 0)
        elif c.pk in running:
            tally = running[c.pk]
        votes = None
        if show_residents:
            votes = c.resident_votes if decided else resident_counts.get(c.pk, 0)
        rows.append(
            CandidateRow(
                candidate=c,
                tally=tally,
                share_for=t.share(tally.votes_for, base) if tally else None,
                comments=comment_counts.get(c.pk, 0),
                resident_votes=votes,
                resident_share=t.share(votes, ballots) if votes is not None else None,
                mine=mine.get(c.pk, ""),
                comment_list=tuple(comments.get(c.pk, ())),
            )
        )
    return RoundPage(
        round=selection,
        rows=rows,
        roster=roster,
        present=present,
        needed=t.needed(
            base=selection.pass_base,
            percent=selection.pass_percent,
            present=present,
            roster=roster,
        )
        if roster
        else None,
        ballots=ballots,
        decided=decided,
        history=list(selection.events.select_related("actor")) if office and not public else [],
        voted=bool(mine),
        on_roll=deputy is not None
        and RosterEntry.objects.filter(round=selection, deputy=deputy).exists(),
    )


# --- the public ----------------------------------------------------------------------------


def public_rounds() -> QuerySet[SelectionRound]:
    return (
        SelectionRound.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related(*RELATED)
        .annotate(n_candidates=Count("candidates", filter=Q(candidates__withdrawn=False)))
        .order_by("-created_at", "-pk")
    )


def public_round_get(round_id: int) -> SelectionRound:
    found = public_rounds().filter(pk=round_id).first()
    if found is None:
        raise NotFound("未找到该票决")
    return found


def public_candidates(selection: SelectionRound) -> list[Candidate]:
    return _candidates(selection)


def ballot_sheet(user: User, selection: SelectionRound) -> dict[str, Any]:
    """What a deputy's ballot page needs: the candidates and the deputy's own votes."""
    page = round_page(selection, viewer=user)
    return {"page": page}


def ballot_cast(selection: SelectionRound, phone_hash: str) -> bool:
    """Whether the confirmed phone has voted in the round."""
    return (
        bool(phone_hash)
        and ResidentBallot.objects.filter(round=selection, phone_hash=phone_hash).exists()
    )
