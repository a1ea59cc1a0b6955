"""The people's verdict (让群众评判): residents rate a public project once it is completed, or
one of its milestones once it is done, and again at the 回头看; one rating per phone per round.

A rating is a citizen's, not a step of the project: it is its own append-only row
(`ProjectRating`, PROTECT keys, read-only admin, refused UPDATE/DELETE on PostgreSQL), not a
ProjectEvent, and changes nothing on the project. The phone arrives as the keyed hash a
confirmed SMS code gave (`notify.services.phone_code_confirm`); the number never reaches here.
Results are always the number of raters and the spread of verdicts, never a bare average."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from minxin.core.errors import MinxinError, NotFound, ValidationFailed
from minxin.core.text import text_clean
from minxin.directory.selectors import of_district

from .models import Milestone, Project, ProjectRating, RatingRound, Verdict
from .workflow import RATEABLE, ProjectStatus

COMMENT_MAX: Final = 300
NOT_FOUND: Final = "未找到该项目"
_PHONE_HASH: Final = re.compile(r"^[0-9a-f]{64}$")
# Satisfaction counts 满意 and 基本满意, as for appeals (满意率).
CONTENT: Final = (Verdict.SATISFIED, Verdict.BASICALLY_SATISFIED)


class AlreadyRated(MinxinError):
    status_code = 409
    default_message = "您已评价过该项目"


def public_projects(district: int | None = None) -> QuerySet[Project]:
    """The projects anyone may see (of `district`, the public site's, when given): marked
    public, of a public programme, and past the candidates' stage (a candidate is not yet a
    commitment)."""
    projects = Project.objects.filter(is_public=True, programme__is_public=True).exclude(
        status=ProjectStatus.CANDIDATE
    )
    return projects.filter(of_district(district, "programme__"))


def rating_round(project: Project, *, at: datetime | None = None) -> str | None:
    """The round a rating given at `at` (now) belongs to: the 回头看 once it has started, the
    completion round once the project is completed or accepted; None while it is not rateable."""
    at = at or timezone.now()
    if project.revisit_at is not None and project.revisit_at <= at:
        return RatingRound.REVISIT
    if project.status in RATEABLE:
        return RatingRound.COMPLETION
    return None


def milestones_rateable(project: Project) -> list[Milestone]:
    """The milestones residents may rate: those done."""
    return list(project.milestones.filter(done_on__isnull=False).order_by("position", "pk"))


@transaction.atomic(durable=True)
def project_rate(
    *,
    project_id: int,
    phone_hash: str,
    verdict: str,
    comment: str,
    milestone_id: int | None = None,
    at: datetime | None = None,
) -> ProjectRating:
    """One resident's rating of a public project (or one of its done milestones) in the current
    round. Refused with a Chinese message, nothing written: a project not public, not yet
    rateable or missing (404), a phone not confirmed, no verdict, a comment too long, a second
    rating from the same phone in the round (409). `at` back-dates it (the demo's history)."""
    project = public_projects().filter(pk=project_id).first()
    if project is None:
        raise NotFound(NOT_FOUND)
    if not _PHONE_HASH.match(phone_hash or ""):
        raise ValidationFailed("请先通过短信验证码验证手机号")
    if verdict not in Verdict.values:
        raise ValidationFailed("请选择满意、基本满意或不满意")
    text = text_clean(comment, label="意见建议", max_length=COMMENT_MAX, required=False)
    when = at or timezone.now()
    milestone = None
    if milestone_id is not None:
        milestone = project.milestones.filter(pk=milestone_id).first()
        if milestone is None:
            raise NotFound("未找到该节点")
        if milestone.done_on is None:
            raise ValidationFailed("该节点完成后才能评价")
    round_ = rating_round(project, at=when)
    if round_ is None:
        raise ValidationFailed("项目完工后才能评价")
    try:
        with transaction.atomic():
            return ProjectRating.objects.create(
                project=project,
                milestone=milestone,
                round=round_,
                verdict=verdict,
                comment=text,
                phone_hash=phone_hash,
                created_at=when,
            )
    except IntegrityError:
        # The unique constraints (per phone, round, and project or milestone) decide.
        if milestone is not None:
            raise AlreadyRated("您已评价过该节点") from None
        if round_ == RatingRound.REVISIT:
            raise AlreadyRated("您已参加过该项目的回头看评价") from None
        raise AlreadyRated("您已评价过该项目") from None


def has_rated(*, project_id: int, phone_hash: str, round_: str, milestone_id: int | None) -> bool:
    ratings = ProjectRating.objects.filter(
        project_id=project_id, phone_hash=phone_hash, round=round_
    )
    if milestone_id is None:
        return ratings.filter(milestone__isnull=True).exists()
    return ratings.filter(milestone_id=milestone_id).exists()


# --- the results -------------------------------------------------------------------------


@dataclass(frozen=True)
class VerdictShare:
    verdict: str
    label: str
    count: int
    share: float  # % of the round's raters, 0-100


@dataclass(frozen=True)
class RoundSummary:
    round: str
    label: str
    raters: int
    spread: list[VerdictShare]  # every verdict, in the order 满意, 基本满意, 不满意
    satisfaction_rate: float | None  # (满意 + 基本满意) / raters, %; None without raters


@dataclass(frozen=True)
class MilestoneSummary:
    milestone_id: int
    name: str
    rounds: list[RoundSummary]


@dataclass(frozen=True)
class RatingsSummary:
    rounds: list[RoundSummary]  # the project's own ratings, completion then revisit
    milestones: list[MilestoneSummary]  # the milestones that have ratings

    @property
    def raters(self) -> int:
        return sum(r.raters for r in self.rounds)


def _round_summary(round_: str, counts: dict[str, int]) -> RoundSummary:
    raters = sum(counts.values())
    spread = [
        VerdictShare(
            verdict=v.value,
            label=str(v.label),
            count=counts.get(v.value, 0),
            share=round(100 * counts.get(v.value, 0) / raters, 1) if raters else 0.0,
        )
        for v in Verdict
    ]
    content = sum(counts.get(v.value, 0) for v in CONTENT)
    return RoundSummary(
        round=round_,
        label=str(RatingRound(round_).label),
        raters=raters,
        spread=spread,
        satisfaction_rate=round(100 * content / raters, 1) if raters else None,
    )


def ratings_summary(project: Project) -> RatingsSummary:
    """Per round, the number of raters, the count and share of each verdict and the
    satisfaction rate; the project's own ratings and each rated milestone's. One query."""
    cells: dict[tuple[int | None, str], dict[str, int]] = {}
    names: dict[int, str] = {}
    rows = (
        ProjectRating.objects.filter(project=project)
        .values("milestone", "milestone__name", "milestone__position", "round", "verdict")
        .annotate(n=Count("pk"))
        .order_by("milestone__position", "milestone")
    )
    for row in rows:
        cells.setdefault((row["milestone"], row["round"]), {})[row["verdict"]] = row["n"]
        if row["milestone"] is not None:
            names[row["milestone"]] = row["milestone__name"]
    rounds = [_round_summary(r.value, cells.get((None, r.value), {})) for r in RatingRound]
    milestones = [
        MilestoneSummary(
            milestone_id=pk,
            name=name,
            rounds=[
                _round_summary(r.value, cells[(pk, r.value)])
                for r in RatingRound
                if (pk, r.value) in cells
            ],
        )
        for pk, name in names.items()
    ]
    return RatingsSummary(rounds=rounds, milestones=milestones)


def rating_comments(project: Project) -> QuerySet[ProjectRating]:
    """The ratings that carry a comment, newest first (for staff; never on a public page)."""
    return (
        ProjectRating.objects.filter(project=project)
        .filter(~Q(comment=""))
        .select_related("milestone")
        .order_by("-created_at", "-pk")
    )


def summaries_for(projects: Sequence[Project]) -> dict[int, dict[str, Any]]:
    """For a page of projects: per project, the raters and satisfaction rate of its latest
    round with raters (one query), for the public list."""
    counts: dict[int, dict[str, dict[str, int]]] = {}
    for row in (
        ProjectRating.objects.filter(project__in=[p.pk for p in projects], milestone__isnull=True)
        .values("project", "round", "verdict")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(row["project"], {}).setdefault(row["round"], {})[row["verdict"]] = row[
            "n"
        ]
    out: dict[int, dict[str, Any]] = {}
    for pk, by_round in counts.items():
        latest = RatingRound.REVISIT if RatingRound.REVISIT in by_round else RatingRound.COMPLETION
        summary = _round_summary(latest, by_round.get(latest, {}))
        out[pk] = {"round": summary}
    return out
