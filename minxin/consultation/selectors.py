"""Reads of consultations, for a viewer: the office and moderators see every one of their
district (the city's every district's), a deputy the published ones, the public the published
ones of the host's district (never a draft or a withdrawn one: 404). Comments: staff read the
text as written (masked on the page); the public only the published ones' public text."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from minxin.accounts.models import User
from minxin.core.errors import NotFound
from minxin.directory.models import Region
from minxin.directory.selectors import of_district, within

from .machine import MISSING
from .models import Article, Comment, Consultation, ContactPoint, Decision
from .permissions import moderates_comments, runs_consultations
from .workflow import CommentStatus, ConsultationStatus

PUBLIC_STATUSES = (
    ConsultationStatus.OPEN,
    ConsultationStatus.CLOSED,
    ConsultationStatus.REPORTED,
)


def _annotated(qs: QuerySet[Consultation]) -> QuerySet[Consultation]:
    return qs.select_related("issuing_unit").annotate(
        n_comments=Count("comments", distinct=True),
        n_pending=Count(
            "comments", filter=Q(comments__status=CommentStatus.PENDING), distinct=True
        ),
    )


def consultations_for(user: User) -> QuerySet[Consultation]:
    found = Consultation.objects.filter(of_district(user.jurisdiction_scope))
    if not (runs_consultations(user) or moderates_comments(user)):
        found = found.filter(status__in=PUBLIC_STATUSES)
    return _annotated(found)


def consultation_get_for(user: User, consultation_id: int) -> Consultation:
    found = consultations_for(user).filter(pk=consultation_id).first()
    if found is None:
        raise NotFound(MISSING)
    return found


def public_consultations(*, district: int | None = None) -> QuerySet[Consultation]:
    """The published ones of `district` (the host's); every district's for None."""
    published = Consultation.objects.filter(of_district(district), status__in=PUBLIC_STATUSES)
    return _annotated(published)


def public_consultation_get(consultation_id: int, *, district: int) -> Consultation:
    found = public_consultations(district=district).filter(pk=consultation_id).first()
    if found is None:
        raise NotFound("未找到该征求意见")
    return found


@dataclass
class ArticleView:
    article: Article | None  # None: the whole draft
    comments: list[Comment] = field(default_factory=list)


@dataclass(frozen=True)
class Counts:
    comments: int
    published: int
    adopted: int
    partly: int
    not_adopted: int

    @property
    def answered(self) -> int:
        return self.adopted + self.partly + self.not_adopted


@dataclass(frozen=True)
class Page:
    consultation: Consultation
    parts: list[ArticleView]
    counts: Counts


def consultation_page(consultation: Consultation, *, public: bool) -> Page:
    """The draft's articles, each with its comments (the public: published ones only), the
    whole-draft comments first, and the counts (recomputed from the comments)."""
    articles = list(consultation.articles.order_by("position"))
    comments = consultation.comments.select_related("contact_point", "article").order_by(
        "created_at", "pk"
    )
    every = list(comments)
    shown = [c for c in every if c.status == CommentStatus.PUBLISHED] if public else every
    whole = ArticleView(None)
    by_article = {a.pk: ArticleView(a) for a in articles}
    for c in shown:
        by_article.get(c.article_id or 0, whole).comments.append(c)
    counts = Counts(
        comments=len(every),
        published=sum(1 for c in every if c.status == CommentStatus.PUBLISHED),
        adopted=sum(1 for c in every if c.decision == Decision.ADOPTED),
        partly=sum(1 for c in every if c.decision == Decision.PARTLY),
        not_adopted=sum(1 for c in every if c.decision == Decision.NOT_ADOPTED),
    )
    return Page(consultation, [whole, *by_article.values()], counts)


def report_rows(consultation: Consultation) -> list[Comment]:
    """The feedback report's rows: every answered comment, article by article."""
    return list(
        consultation.comments.exclude(decision="")
        .select_related("article", "contact_point")
        .order_by("article__position", "created_at", "pk")
    )


def contact_points_active(*, district: int | None = None) -> QuerySet[ContactPoint]:
    """The active points, those of `district` when given: placed within it, or placed
    nowhere (a point of no region serves any district, as before there were districts)."""
    points = ContactPoint.objects.filter(is_active=True)
    if district is None:
        return points
    placed = Region.objects.filter(within(district))
    return points.filter(Q(region__isnull=True) | Q(region__in=placed))
