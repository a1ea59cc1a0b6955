"""Reads of the message board: published posts for the public (with their 附议 counts and
the four public stages of the loop), the moderation queue and one post for the moderator."""

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from minxin.accounts.models import User
from minxin.cases.models import Reply
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import NotFound
from minxin.core.privacy import PersonalSpan, find_personal_data
from minxin.directory.models import Unit
from minxin.directory.selectors import of_district

from .models import HIDDEN_STATUSES, AppealSupport, BoardPost, ModerationEntry
from .permissions import may_moderate
from .workflow import ModerationStatus

# --- the public message board ---------------------------------------------------------------
# Published posts only: a pending or private post, or one whose appeal was found invalid, is
# the same NotFound as a missing one.


@dataclass(frozen=True)
class PublicStatus:
    key: str
    label: str
    statuses: frozenset[AppealStatus]


# What the public sees of the loop: four plain stages instead of the thirteen statuses.
PUBLIC_STATUSES: tuple[PublicStatus, ...] = (
    PublicStatus(
        "waiting",
        "待交办",
        frozenset({AppealStatus.RECEIVED, AppealStatus.SCREENED, AppealStatus.RETURNED}),
    ),
    PublicStatus(
        "handling",
        "办理中",
        frozenset(
            {
                AppealStatus.DISPATCHED,
                AppealStatus.ACCEPTED,
                AppealStatus.IN_PROGRESS,
                AppealStatus.SUSPENDED,
                AppealStatus.REVIEWING,  # the reply waits for the centre before it is public
                AppealStatus.FOLLOW_UP,
            }
        ),
    ),
    PublicStatus(
        "replied",
        "已答复",
        frozenset({AppealStatus.RESOLVED, AppealStatus.RATED, AppealStatus.ARCHIVED}),
    ),
    PublicStatus("merged", "已合并办理", frozenset({AppealStatus.MERGED})),
)
PUBLIC_STATUS_BY_KEY = {s.key: s for s in PUBLIC_STATUSES}
BOARD_ORDERS = {"new": "最新", "support": "附议最多"}


def public_status(status: str) -> PublicStatus:
    for s in PUBLIC_STATUSES:
        if status in s.statuses:
            return s
    return PUBLIC_STATUSES[0]


def _published(district: int) -> QuerySet[BoardPost]:
    """The district's published posts (a public page's district is its host's)."""
    return BoardPost.objects.filter(
        status=ModerationStatus.PUBLISHED, appeal__jurisdiction_id=district
    ).exclude(appeal__status__in=HIDDEN_STATUSES)


def post_list_public(
    *, district: int, order: str = "new", status_key: str = "", unit_id: int | None = None
) -> QuerySet[BoardPost]:
    """Published posts with their 附议 count, newest first or most supported first."""
    posts = _published(district).select_related("appeal", "appeal__lead_unit")
    group = PUBLIC_STATUS_BY_KEY.get(status_key)
    if group is not None:
        posts = posts.filter(appeal__status__in=group.statuses)
    if unit_id is not None:
        posts = posts.filter(appeal__lead_unit_id=unit_id)
    posts = posts.annotate(support_count=Count("appeal__supports"))
    if order == "support":
        return posts.order_by("-support_count", "-published_at", "-id")
    return posts.order_by("-published_at", "-id")


def board_units(*, district: int) -> QuerySet[Unit]:
    """The units that lead at least one published post: the unit filter's choices."""
    led = (
        _published(district).filter(appeal__lead_unit__isnull=False).values("appeal__lead_unit_id")
    )
    return Unit.objects.filter(pk__in=led).order_by("kind", "name")


@dataclass(frozen=True)
class PublicPost:
    post: BoardPost
    status: PublicStatus
    replies: list[Reply]
    support_count: int


def post_get_public(*, district: int, post_id: int) -> PublicPost:
    post = (
        _published(district)
        .select_related("appeal", "appeal__lead_unit")
        .filter(pk=post_id)
        .first()
    )
    if post is None:
        raise NotFound("未找到该留言，或留言尚未公开")
    appeal = post.appeal
    # A merged post is answered on the original appeal: show that reply.
    answered = appeal.merged_into_id or appeal.pk
    return PublicPost(
        post=post,
        status=public_status(appeal.status),
        replies=list(
            Reply.objects.filter(appeal_id=answered, released_at__isnull=False)
            .select_related("unit")
            .order_by("created_at")
        ),
        support_count=AppealSupport.objects.filter(appeal_id=appeal.pk).count(),
    )


def support_counts(*, appeal_ids: Collection[int]) -> dict[int, int]:
    """附议 per appeal (appeals without any are absent): the `likes` of the hotspot figures."""
    rows = (
        AppealSupport.objects.filter(appeal_id__in=list(appeal_ids))
        .values("appeal_id")
        .annotate(n=Count("id"))
    )
    return {row["appeal_id"]: row["n"] for row in rows}


def has_supported(*, appeal_id: int, supporter: str) -> bool:
    return AppealSupport.objects.filter(appeal_id=appeal_id, supporter=supporter).exists()


# --- moderation (staff) ---------------------------------------------------------------------


def _moderated_by(user: User) -> QuerySet[BoardPost]:
    """Every post of the moderator's district (every district's for the city's); none for
    anyone else."""
    posts = BoardPost.objects.all()
    if not may_moderate(user):
        return posts.none()
    return posts.filter(of_district(user.jurisdiction_scope, "appeal__"))


def moderation_queue(*, user: User, status: str = ModerationStatus.PENDING) -> QuerySet[BoardPost]:
    """Posts in one moderation status, oldest first (the queue is worked from its head)."""
    return (
        _moderated_by(user)
        .filter(status=status)
        .select_related("appeal", "appeal__lead_unit")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class ModerationView:
    post: BoardPost
    history: list[ModerationEntry]
    personal: list[PersonalSpan]  # found in the appeal's own text, for the moderator's eye


def post_get_for_moderation(*, user: User, post_id: int) -> ModerationView:
    post = (
        _moderated_by(user)
        .select_related("appeal", "appeal__lead_unit", "moderated_by")
        .filter(pk=post_id)
        .first()
    )
    if post is None:
        raise NotFound("未找到该留言")
    text = f"{post.appeal.title}\n{post.appeal.content}"
    return ModerationView(
        post=post,
        history=list(post.history.select_related("actor").order_by("created_at", "id")),
        personal=find_personal_data(text, public=True),
    )
