"""Every read of suggestions: the review queue, one suggestion, the citizen's view, the public
list of adopted ones, and the counts by outcome for the dashboard."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet
from django.utils.crypto import constant_time_compare

from minxin.accounts.models import User
from minxin.cases.models import Appeal, Reply
from minxin.core.errors import NotFound
from minxin.core.privacy import mask_name, mask_public_text
from minxin.core.queries import filtered
from minxin.deadlines.calendar import day_start
from minxin.directory.selectors import of_district

from .models import Suggestion, SuggestionEvent
from .permissions import may_review_suggestions
from .workflow import AdoptionLevel, SuggestionStatus

# The review queue's default view: everything not yet decided.
OPEN = "open"
OPEN_STATUSES = (SuggestionStatus.SUBMITTED, SuggestionStatus.UNDER_REVIEW)


@dataclass
class SuggestionFilters:
    status: str = ""
    level: str = ""
    field: str = ""
    q: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None


def _reviewable(user: User) -> QuerySet[Suggestion]:
    """Every suggestion of the reviewer's district (every district's for the city's); none for
    anyone else."""
    rows = Suggestion.objects.all()
    if not may_review_suggestions(user):
        return rows.none()
    return rows.filter(of_district(user.jurisdiction_scope))


def suggestion_list(*, user: User, filters: SuggestionFilters) -> QuerySet[Suggestion]:
    """Oldest waiting first when looking at the open ones, newest first otherwise."""
    rows = _reviewable(user).select_related("forward_unit")
    if filters.status == OPEN:
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        rows = rows.filter(status=filters.status)
    rows = filtered(rows, adoption_level=filters.level, field=filters.field)
    if filters.q:
        q = filters.q.strip()
        rows = (
            rows.filter(tracking_number=q)
            if q.startswith("JY")
            else rows.filter(title__icontains=q)
        )
    if filters.submitted_from:
        rows = rows.filter(created_at__gte=day_start(filters.submitted_from))
    if filters.submitted_to:
        rows = rows.filter(created_at__lt=day_start(filters.submitted_to + timedelta(days=1)))
    if filters.status in (OPEN, *OPEN_STATUSES):
        return rows.order_by("created_at", "id")
    return rows.order_by("-created_at", "-id")


def suggestion_get(*, user: User, suggestion_id: int) -> Suggestion:
    suggestion = (
        _reviewable(user)
        .select_related("forward_unit", "appeal", "appeal__lead_unit")
        .filter(pk=suggestion_id)
        .first()
    )
    if suggestion is None:
        raise NotFound("未找到该建议")
    return suggestion


def suggestion_timeline(*, suggestion: Suggestion) -> list[SuggestionEvent]:
    return list(
        SuggestionEvent.objects.filter(suggestion=suggestion)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def suggestion_get_for_citizen(*, tracking_number: str, query_code: str) -> Suggestion:
    """The proposer sees only the suggestion whose number and code they hold; one error."""
    suggestion = Suggestion.objects.filter(tracking_number=tracking_number.strip()).first()
    if suggestion is None or not constant_time_compare(
        suggestion.query_code, query_code.strip().upper()
    ):
        raise NotFound("建议编号或查询码不正确，请核对后重试")
    return suggestion


@dataclass(frozen=True)
class CitizenSuggestion:
    suggestion: Suggestion
    events: list[SuggestionEvent]
    appeal: Appeal | None
    replies: list[Reply]


def citizen_suggestion_view(*, tracking_number: str, granted_ids: list[int]) -> CitizenSuggestion:
    """The proposer's page: only for a suggestion this browser has proven (or just made)."""
    suggestion = (
        Suggestion.objects.select_related("forward_unit", "appeal", "appeal__lead_unit")
        .filter(tracking_number=tracking_number, pk__in=granted_ids)
        .first()
    )
    if suggestion is None:
        raise NotFound("建议编号或查询码不正确，请核对后重试")
    appeal = suggestion.appeal
    replies = (
        list(appeal.replies.filter(released_at__isnull=False).select_related("unit"))
        if appeal
        else []
    )
    return CitizenSuggestion(
        suggestion=suggestion,
        events=suggestion_timeline(suggestion=suggestion),
        appeal=appeal,
        replies=replies,
    )


@dataclass(frozen=True)
class PublicSuggestion:
    """What the public list shows of an adopted suggestion: no phone, the name masked, and
    personal data in the text (phones, ID numbers, names after a cue) masked."""

    tracking_number: str
    field: str
    title: str
    content: str
    proposer: str
    level: str
    decided_at: datetime | None


def adopted_public(*, district: int) -> QuerySet[Suggestion]:
    """The district's adopted suggestions (the public page's host's)."""
    adopted = Suggestion.objects.filter(status=SuggestionStatus.ADOPTED, jurisdiction_id=district)
    return adopted.order_by("-decided_at", "-id")


def public_rows(suggestions: list[Suggestion]) -> list[PublicSuggestion]:
    return [
        PublicSuggestion(
            tracking_number=s.tracking_number,
            field=s.get_field_display(),
            title=mask_public_text(s.title),
            content=mask_public_text(s.content),
            proposer=mask_name(s.proposer_name) if s.proposer_name else "市民",
            level=s.get_adoption_level_display(),
            decided_at=s.decided_at,
        )
        for s in suggestions
    ]


@dataclass(frozen=True)
class OutcomeCounts:
    start: date
    end: date
    submitted: int  # all suggestions received in the period
    waiting: int  # of those, not yet decided (submitted or under review)
    adopted: dict[str, int]  # by level
    declined: int

    @property
    def adopted_total(self) -> int:
        return sum(self.adopted.values())


def outcome_counts(*, start: date, end: date, district: int | None = None) -> OutcomeCounts:
    """Suggestions received in [start, end] (both days included, of `district` when given) by
    where they stand now: one grouped query. The review list filtered by the same dates shows
    the same rows."""
    rows = (
        Suggestion.objects.filter(
            of_district(district),
            created_at__gte=day_start(start),
            created_at__lt=day_start(end + timedelta(days=1)),
        )
        .values("status", "adoption_level")
        .annotate(n=Count("id"))
    )
    by_level = {level.value: 0 for level in AdoptionLevel}
    waiting = declined = total = 0
    for row in rows:
        n = int(row["n"])
        total += n
        if row["status"] == SuggestionStatus.ADOPTED:
            by_level[row["adoption_level"]] = by_level.get(row["adoption_level"], 0) + n
        elif row["status"] == SuggestionStatus.DECLINED:
            declined += n
        else:
            waiting += n
    return OutcomeCounts(
        start=start,
        end=end,
        submitted=total,
        waiting=waiting,
        adopted=by_level,
        declined=declined,
    )
