"""Reads of the knowledge base, taking the viewer: published articles for every reader; the
drafts and retired ones for the centre, and for the handlers of the owner unit. A district's
staff read their district's articles and the city's; the city's staff read all."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.selectors import appeal_get_for
from minxin.core.errors import NotFound
from minxin.core.queries import filtered
from minxin.core.search import SearchQuery, search_any, search_filter, title_first
from minxin.directory.models import Jurisdiction
from minxin.directory.selectors import (
    categories_and_below,
    jurisdiction_of_region,
    of_district,
    serving,
)
from minxin.triage.nlp.matter import matter_words

from .machine import MISSING
from .models import Article, ArticleEvent, ArticleRevision
from .permissions import keeps_knowledge
from .workflow import ArticleStatus

FIELDS = ["title", "body"]
SUGGESTIONS = 5
SUGGEST_TERMS = 8


def of_district_and_city(district: int | None) -> Q:
    """The articles a district is shown: its own and the city's (the condition `serving` puts
    on units); None: every article."""
    return serving(district)


def article_scope_for(*, user: User) -> QuerySet[Article]:
    articles = Article.objects.select_related("category", "owner_unit", "jurisdiction").filter(
        of_district_and_city(user.jurisdiction_scope)
    )
    if keeps_knowledge(user):
        return articles
    published = Q(status=ArticleStatus.PUBLISHED)
    if user.role == Role.HANDLER and user.unit_id is not None:
        return articles.filter(published | Q(owner_unit_id=user.unit_id))
    return articles.filter(published)


@dataclass(frozen=True)
class ArticleFilters:
    q: str = ""
    category_id: int | None = None
    status: str = ""
    review_due: bool = False  # only those past their review date

    @property
    def search(self) -> SearchQuery | None:
        return SearchQuery.parse(self.q) if self.q.strip() else None


def article_list_for(*, user: User, filters: ArticleFilters) -> QuerySet[Article]:
    """Filtered and searched (minxin/core/search.py), title hits first, then by title."""
    articles = article_scope_for(user=user)
    if filters.category_id:
        articles = articles.filter(category_id__in=categories_and_below(filters.category_id))
    articles = filtered(articles, status=filters.status)
    if filters.review_due:
        articles = articles.filter(
            status=ArticleStatus.PUBLISHED, review_due__lte=timezone.localdate()
        )
    search = filters.search
    if search:
        articles = search_filter(articles, search, fields=FIELDS)
        return articles.order_by(title_first(search), "title", "id")
    return articles.order_by("category__name", "title", "id")


def article_get_for(*, user: User, article_id: int) -> Article:
    article = article_scope_for(user=user).filter(pk=article_id).first()
    if article is None:
        raise NotFound(MISSING)
    return article


def article_revisions(*, article: Article) -> list[ArticleRevision]:
    return list(
        ArticleRevision.objects.filter(article=article)
        .select_related("created_by", "category")
        .order_by("-number")
    )


def article_events(*, article: Article) -> list[ArticleEvent]:
    return list(
        ArticleEvent.objects.filter(article=article)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def articles_suggested(
    *, text: str, district: int | None = None, limit: int = SUGGESTIONS
) -> list[Article]:
    """Published articles of `district` and the city's (None: every district's) for a text
    being typed (the call-taker's console, a reply): its words (jieba, less the fillers), the
    articles holding most of them first, a title hit counting twice."""
    terms = list(dict.fromkeys(matter_words(text[:2000])))[:SUGGEST_TERMS]
    if not terms:
        return []
    published = Article.objects.filter(
        of_district_and_city(district), status=ArticleStatus.PUBLISHED
    ).select_related("category", "owner_unit")
    hits = search_any(published, terms, fields=FIELDS)
    found = list(hits.order_by("-search_hits", "id")[:200])  # type: ignore[misc]

    def score(article: Article) -> int:
        title = article.title.lower()
        hits: int = article.search_hits  # type: ignore[attr-defined]
        return hits + sum(1 for t in terms if t.lower() in title)

    return sorted(found, key=lambda a: (-score(a), a.title))[:limit]


def reviews_due(*, user: User, today: date | None = None) -> int:
    """Published articles in the viewer's scope past their review date, of those the viewer
    keeps (a district's staff do not review the city's)."""
    today = today or timezone.localdate()
    return (
        article_scope_for(user=user)
        .filter(of_district(user.jurisdiction_scope))
        .filter(status=ArticleStatus.PUBLISHED, review_due__lte=today)
        .count()
    )


def article_answering(*, article_id: int, district: int | None = None) -> Article:
    """A published article to answer with, of `district` or the city's (404 otherwise, in
    Chinese)."""
    article = Article.objects.filter(
        of_district_and_city(district), pk=article_id, status=ArticleStatus.PUBLISHED
    ).first()
    if article is None:
        raise NotFound("未找到该知识条目，或它未发布")
    return article


def suggestions_district(
    *, user: User, appeal_id: int | None = None, region_id: int | None = None
) -> int | None:
    """Whose articles are suggested (with the city's): a district's staff get their
    district's; the city's staff those of the appeal's district (404 for an appeal they may
    not see), else of the place chosen on the console, else every district's."""
    if user.jurisdiction_scope is not None:
        return user.jurisdiction_scope
    if appeal_id is not None:
        return appeal_get_for(user=user, appeal_id=appeal_id).jurisdiction_id
    return jurisdiction_of_region(region_id) if region_id is not None else None


def districts_to_choose(*, user: User) -> list[tuple[int, str]]:
    """The districts a writer of the city may give an article to (besides the whole city);
    none for a district's staff (theirs) or on an install of one district (its)."""
    if user.jurisdiction_scope is not None:
        return []
    districts = list(Jurisdiction.objects.order_by("pk").values_list("pk", "name"))
    return districts if len(districts) > 1 else []
