"""知识库 screens: the list (searched in Chinese with the same search as the appeals), an
article with its revisions and steps, writing and revising, and the suggestions for a text
being typed (HTMX, POST: the call-taker's console, a handler's reply). Thin: parse, one
selector or service, render."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.core.errors import MinxinError, PermissionDenied, ValidationFailed
from minxin.core.pagination import paginate, query_without_page
from minxin.core.posted import choice_or_blank, date_or_none, int_or_none
from minxin.core.search import highlight, snippet
from minxin.core.steps import RecordPage, posted_version
from minxin.directory.selectors import categories_to_filter, units_handling

from . import selectors
from .machine import ARTICLES
from .models import Article
from .permissions import (
    keeps_district_of,
    keeps_knowledge,
    may_read_knowledge,
    may_write_knowledge,
)
from .services import ArticleDraft, article_act, article_create, article_revise
from .workflow import ArticleAction, ArticleStatus

READERS = "工作人员"


def _date(raw: str) -> date | None:
    day = date_or_none(raw)
    if day is None and raw.strip():
        raise ValidationFailed("日期格式不正确")
    return day


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_read_knowledge, READERS)
    get = request.GET
    filters = selectors.ArticleFilters(
        q=get.get("q", ""),
        category_id=int_or_none(get.get("category")),
        status=choice_or_blank(get.get("status"), ArticleStatus.values),
        review_due=get.get("review") == "due",
    )
    context: dict[str, Any] = {
        "categories": categories_to_filter(),
        "statuses": ArticleStatus.choices,
        "filters": filters,
        "may_write": may_write_knowledge(user),
        "keeps": keeps_knowledge(user),
        "reviews_due": selectors.reviews_due(user=user),
    }
    try:
        search = filters.search
        page = paginate(request, selectors.article_list_for(user=user, filters=filters))
    except MinxinError as error:
        return render(
            request,
            "knowledge/list.html",
            context | {"error": error, "rows": []},
            status=error.status_code,
        )
    query = query_without_page(get)
    rows = [
        {"article": a, "title": highlight(a.title, search), "snippet": snippet(a.body, search)}
        for a in page.object_list
    ]
    return render(
        request,
        "knowledge/list.html",
        context | {"page": page, "rows": rows, "query": query},
    )


def _article_shows(user: User, article: Article) -> dict[str, Any]:
    available = (
        ARTICLES.available(
            actor=Actor.of(user), status=article.status, lead_unit_id=article.owner_unit_id
        )
        if keeps_district_of(user, article)
        else []  # the city's article, read by a district's staff
    )
    return {
        "a": article,
        "revisions": selectors.article_revisions(article=article),
        "events": selectors.article_events(article=article),
        "forms": [f for f in ARTICLES.forms(available) if f["action"] != ArticleAction.REVISE],
        "may_revise": ArticleAction.REVISE in available,
    }


ARTICLE_PAGE = RecordPage(
    "knowledge/detail.html",
    _article_shows,
    lambda user, pk: selectors.article_get_for(user=user, article_id=pk),
    "knowledge:detail",
)


@login_required
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    user = staff_user(request, may_read_knowledge, READERS)
    return ARTICLE_PAGE.show(request, user, article_id)


@login_required
@require_POST
def article_post(request: HttpRequest, article_id: int) -> HttpResponse:
    user = staff_user(request, may_read_knowledge, READERS)
    post = request.POST
    return ARTICLE_PAGE.take(
        request,
        user,
        article_id,
        lambda: article_act(
            actor=user,
            article_id=article_id,
            action=post.get("action", ""),
            expected_version=posted_version(request),
            reason=post.get("reason", ""),
            review_due=_date(post.get("review_due", "")),  # a bad date is refused on the page
        ),
        said="已完成",
    )


def _form(
    request: HttpRequest,
    user: User,
    *,
    posted: dict[str, Any],
    article: Article | None = None,
    error: MinxinError | None = None,
) -> HttpResponse:
    context = {
        "posted": posted,
        "a": article,
        "categories": categories_to_filter(),
        "units": units_handling(district=user.jurisdiction_scope),
        "choose_unit": article is None and keeps_knowledge(user),
        "districts": selectors.districts_to_choose(user=user) if article is None else [],
        "error": error,
    }
    return render(
        request, "knowledge/form.html", context, status=error.status_code if error else 200
    )


def _draft(request: HttpRequest) -> ArticleDraft:
    post = request.POST
    return ArticleDraft(
        title=post.get("title", ""),
        body=post.get("body", ""),
        category_id=int_or_none(post.get("category")),
        review_due=_date(post.get("review_due", "")),
        owner_unit_id=int_or_none(post.get("owner_unit")),
        jurisdiction_id=int_or_none(post.get("jurisdiction")),
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_write_knowledge, "知识库编辑")
    if request.method == "GET":
        return _form(request, user, posted={})
    try:
        article = article_create(actor=user, draft=_draft(request))
    except MinxinError as error:
        return _form(request, user, posted=request.POST.dict(), error=error)
    messages.success(request, "已保存为草稿")
    return redirect("knowledge:detail", article.pk)


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    user = staff_user(request, may_write_knowledge, "知识库编辑")
    article = selectors.article_get_for(user=user, article_id=article_id)
    if not keeps_district_of(user, article):
        raise PermissionDenied("全市通用的知识条目只能由市级工作人员修改")
    if request.method == "GET":
        posted = {
            "title": article.title,
            "body": article.body,
            "category": str(article.category_id or ""),
            "review_due": article.review_due.isoformat(),
            "version": article.version,
        }
        return _form(request, user, posted=posted, article=article)
    try:
        article_revise(
            actor=user,
            article_id=article.pk,
            expected_version=posted_version(request),
            draft=_draft(request),
            note=request.POST.get("note", ""),
        )
    except MinxinError as error:
        return _form(request, user, posted=request.POST.dict(), article=article, error=error)
    messages.success(request, "已保存新版本")
    return redirect("knowledge:detail", article.pk)


@login_required
@require_POST
def suggest(request: HttpRequest) -> HttpResponse:
    """Articles for the text being typed (HTMX; POST, so what a caller says stays out of URLs
    and logs). `insert` marks the reply form's picker (a button inserts the answer). Those of
    the viewer's district and the city's; for the city's staff, of the `appeal`'s district,
    else of the `region` chosen on the console (`selectors.suggestions_district`)."""
    user = staff_user(request, may_read_knowledge, READERS)
    post = request.POST
    text = " ".join(post.get(name, "") for name in ("title", "content", "reply_text", "text"))
    district = selectors.suggestions_district(
        user=user,
        appeal_id=int_or_none(post.get("appeal")),
        region_id=int_or_none(post.get("region")),
    )
    return render(
        request,
        "knowledge/_suggestions.html",
        {
            "articles": selectors.articles_suggested(text=text, district=district),
            "mode": post.get("mode", ""),
            "typed": bool(text.strip()),
        },
    )
