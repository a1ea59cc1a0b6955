"""Reads of selection rounds, always for a viewer: the office sees every round of its district
(the city's every district's), a deputy the rounds of their district published (and those on
whose roll they are), the public the published ones of the page's district. Out of scope and
missing are the same 404."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from minxin.accounts.models import User
from minxin.core.errors import NotFound
from minxin.directory.selectors import of_district
from minxin.projects.models import Programme
from minxin.projects.selectors import programmes_to_choose

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
from .services import deputy_district, present_count, tally_recount
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
        return rounds.filter(of_district(user.jurisdiction_scope))
    deputy = _deputy(user) if is_deputy(user) else None
    if deputy is None:
        return rounds.none()
    on_roll = RosterEntry.objects.filter(deputy=deputy).values("round_id")
    published = Q(status=RoundStatus.CONSULTING) & of_district(deputy_district(deputy))
    return rounds.filter(Q(pk__in=on_roll) | published)


def round_get_for(user: User, round_id: int) -> SelectionRound:
    found = rounds_for(user).filter(pk=round_id).first()
    if found is None:
        raise NotFound(MISSING)
    return found


def programmes_for_rounds(user: User) -> QuerySet[Programme]:
    """The programmes a new round may put its passed candidates into: the viewer's district's
    (every district's for the city's staff)."""
    return programmes_to_choose().filter(of_district(user.jurisdiction_scope))


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


def _running(
    selection: SelectionRound, *, decided: bool, office: bool
) -> tuple[dict[int, t.Tally], int]:
    """The running count and attendance, for the office during the vote only (the public and
    deputies never see a count before the decision); otherwise the attendance kept, if any."""
    if not decided and office and selection.status == RoundStatus.VOTING:
        return tally_recount(selection), present_count(selection)
    return {}, selection.present if decided and selection.present is not None else 0


def _per_candidate(rows: QuerySet[Any]) -> dict[int, int]:
    """How many of `rows` (comments, residents' choices) each candidate has."""
    return dict(
        rows.values("candidate_id").annotate(n=Count("pk")).values_list("candidate_id", "n")
    )


def _resident_votes(
    selection: SelectionRound, candidates: list[Candidate], *, decided: bool, shown: bool
) -> Mapping[int, int | None] | None:
    """The residents' votes by candidate: kept once decided, counted live before; None when
    they are not shown (a round without residents' vote, or a viewer outside the office)."""
    if not shown:
        return None
    if decided:
        return {c.pk: c.resident_votes for c in candidates}
    return _per_candidate(ResidentChoice.objects.filter(ballot__round=selection))


def _votes_of(selection: SelectionRound, deputy: Deputy | None) -> dict[int, str]:
    """The deputy's own votes by candidate (none for any other viewer)."""
    if deputy is None:
        return {}
    return dict(
        DeputyVote.objects.filter(round=selection, deputy=deputy).values_list(
            "candidate_id", "choice"
        )
    )


def _comments_by_candidate(selection: SelectionRound) -> dict[int, list[CandidateComment]]:
    """The latest comments (at most 200, newest first), grouped for the office's rows."""
    comments: dict[int, list[CandidateComment]] = {}
    for comment in CandidateComment.objects.filter(candidate__round=selection).order_by(
        "-created_at"
    )[:200]:
        comments.setdefault(comment.candidate_id, []).append(comment)
    return comments


def _tally_of(c: Candidate, *, decided: bool, running: dict[int, t.Tally]) -> t.Tally | None:
    """The count kept once decided, else the office's running count, if any."""
    if decided and c.votes_for is not None:
        return t.Tally(c.votes_for, c.votes_against or 0, c.votes_abstain or 0)
    return running.get(c.pk)


def round_page(
    selection: SelectionRound, *, viewer: User | None = None, public: bool = False
) -> RoundPage:
    """A round with its candidates: their tallies (the kept ones once decided; the running
    count for the office during the vote, never for the public or deputies), the residents'
    votes, and comment counts."""
    candidates = _candidates(selection)
    decided = selection.status == RoundStatus.DECIDED
    office = viewer is not None and runs_rounds(viewer)
    inside = office and not public  # the office's own page: comments and history
    roster = selection.roster_size or 0
    running, present = _running(selection, decided=decided, office=office)
    ballots = ResidentBallot.objects.filter(round=selection).count()
    residents = _resident_votes(
        selection,
        candidates,
        decided=decided,
        shown=selection.residents_vote and (decided or office),
    )
    comment_counts = _per_candidate(CandidateComment.objects.filter(candidate__round=selection))
    deputy = _deputy(viewer) if viewer is not None and is_deputy(viewer) else None
    mine = _votes_of(selection, deputy)
    comments = _comments_by_candidate(selection) if inside else {}
    base = t.base_of(base=selection.pass_base, present=present, roster=roster)
    rows = []
    for c in candidates:
        tally = _tally_of(c, decided=decided, running=running)
        votes = None if residents is None else residents.get(c.pk, 0)
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
        history=list(selection.events.select_related("actor")) if inside else [],
        voted=bool(mine),
        on_roll=deputy is not None
        and RosterEntry.objects.filter(round=selection, deputy=deputy).exists(),
    )


# --- the public ----------------------------------------------------------------------------


def public_rounds(*, district: int) -> QuerySet[SelectionRound]:
    """The published rounds of `district` (the public page's host's)."""
    return (
        SelectionRound.objects.filter(status__in=PUBLIC_STATUSES, jurisdiction_id=district)
        .select_related(*RELATED)
        .annotate(n_candidates=Count("candidates", filter=Q(candidates__withdrawn=False)))
        .order_by("-created_at", "-pk")
    )


def public_round_get(round_id: int, *, district: int) -> SelectionRound:
    found = public_rounds(district=district).filter(pk=round_id).first()
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
