"""人民建议征集: the citizen's pages (submit, receipt, track, the public list of adopted
suggestions) and the staff's (review queue, one suggestion with its actions, the dashboard
fragment).

No account for the proposer: what a browser may see is the list of suggestion ids in its
session, added when it submits one or proves one with number and query code. Neither the code
nor the phone ever appears in a URL. Views are thin: parse, one selector or service, render."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.core.errors import MinxinError, NotFound, ValidationFailed
from minxin.core.pages import PublicForm, public_submit, public_track, receipt_page
from minxin.core.pagination import paginate, query_without_page
from minxin.core.session import (
    APPEAL_GRANTS_KEY,
    grant,
    grants,
)
from minxin.core.steps import RecordPage
from minxin.directory.selectors import jurisdiction_for_host, units_handling
from minxin.metrics.permissions import may_see_dashboard
from minxin.metrics.selectors import period_from

from . import selectors, services
from .forms import SuggestionActionForm, SuggestionFilterForm
from .machine import SUGGESTIONS
from .models import CONTENT_MAX, TITLE_MAX, Suggestion, SuggestionField
from .permissions import may_review_suggestions
from .workflow import TRANSITIONS, AdoptionLevel, SuggestionStatus

GRANTS_KEY = "suggestion_grants"
RECEIPT_KEY = "suggestion_receipt"
SUBMIT_FORM = PublicForm(
    "suggestions/submit.html",
    ("field", "title", "content", "proposer_name", "proposer_phone"),
    lambda values: {
        "field_choices": SuggestionField.choices,
        "title_max": TITLE_MAX,
        "content_max": CONTENT_MAX,
    },
)


# --- the citizen's pages ------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="10/h", method="POST", block=True)
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return SUBMIT_FORM.blank(request)
    post = request.POST
    draft = services.SuggestionDraft(
        field=post.get("field", ""),
        title=post.get("title", ""),
        content=post.get("content", ""),
        proposer_name=post.get("proposer_name", ""),
        proposer_phone=post.get("proposer_phone", ""),
    )

    def submit_draft(submission_key: str | None) -> Suggestion:
        return services.suggestion_submit(
            actor=Actor.citizen(),
            draft=draft,
            submission_key=submission_key,
            district=jurisdiction_for_host(request.get_host()),
        ).suggestion

    return public_submit(
        request,
        submit_draft,
        refused=SUBMIT_FORM.page,
        grants_key=GRANTS_KEY,
        receipt_key=RECEIPT_KEY,
        receipt_url="suggestions:receipt",
        # The receipt says whether the outcome will come by SMS.
        receipt=lambda suggestion: {"sms": bool(suggestion.proposer_phone)},
    )


@never_cache
def receipt(request: HttpRequest) -> HttpResponse:
    return receipt_page(request, RECEIPT_KEY, "suggestions/receipt.html", back="suggestions:submit")


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
def track(request: HttpRequest) -> HttpResponse:
    return public_track(
        request,
        lambda number, code: selectors.suggestion_get_for_citizen(
            tracking_number=number, query_code=code
        ),
        template="suggestions/track.html",
        grants_key=GRANTS_KEY,
        detail_url="suggestions:track_detail",
        number=lambda raw: raw.strip().upper(),  # JY… typed in lower case is still found
    )


@never_cache
def track_detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    try:
        view = selectors.citizen_suggestion_view(
            tracking_number=tracking_number, granted_ids=grants(request.session, GRANTS_KEY)
        )
    except NotFound:
        return redirect("suggestions:track")  # the same answer whether it exists or not
    if view.appeal is not None:
        # A proposer whose suggestion became an appeal may follow and rate it on the citizen's
        # tracking page.
        grant(request.session, APPEAL_GRANTS_KEY, view.appeal.pk)
    return render(request, "suggestions/detail.html", {"view": view, "s": view.suggestion})


@require_GET
def adopted(request: HttpRequest) -> HttpResponse:
    district = jurisdiction_for_host(request.get_host())
    page = paginate(request, selectors.adopted_public(district=district), per_page=10)
    return render(
        request,
        "suggestions/adopted.html",
        {"page": page, "rows": selectors.public_rows(list(page.object_list)), "query": ""},
    )


# --- staff: review ------------------------------------------------------------------------


def _reviewer(request: HttpRequest) -> User:
    return staff_user(request, may_review_suggestions, "督查员、领导和管理员")


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    user = _reviewer(request)
    params = request.GET if request.GET else QueryDict(f"status={selectors.OPEN}")
    form = SuggestionFilterForm(params)
    filters = selectors.SuggestionFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.SuggestionFilters(
            q=data["q"] or "",
            status=data["status"] or "",
            level=data["level"] or "",
            field=data["field"] or "",
            submitted_from=data["start"],
            submitted_to=data["end"],
        )
    page = paginate(request, selectors.suggestion_list(user=user, filters=filters))
    query = query_without_page(params)
    return render(
        request,
        "suggestions/review_list.html",
        {"form": form, "page": page, "query": query},
    )


@login_required
@require_GET
def review_detail(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    return SUGGESTION_PAGE.show(request, _reviewer(request), suggestion_id)


def _suggestion_shows(user: User, suggestion: Suggestion) -> dict[str, Any]:
    actions = SUGGESTIONS.forms(
        SUGGESTIONS.available(actor=Actor.of(user), status=suggestion.status)
    )
    wanted = any(a["extra"] == "unit_id" for a in actions)
    units = units_handling(district=suggestion.jurisdiction_id) if wanted else []
    return {
        "s": suggestion,
        "events": selectors.suggestion_timeline(suggestion=suggestion),
        "actions": actions,
        "units": units,
    }


SUGGESTION_PAGE = RecordPage(
    "suggestions/review_detail.html",
    _suggestion_shows,
    lambda user, pk: selectors.suggestion_get(user=user, suggestion_id=pk),
    "suggestions:review_detail",
)


@login_required
@require_POST
def review_act(request: HttpRequest, suggestion_id: int, action: str) -> HttpResponse:
    user = _reviewer(request)
    suggestion = selectors.suggestion_get(user=user, suggestion_id=suggestion_id)
    transition = TRANSITIONS.get(action)  # type: ignore[call-overload]
    if transition is None or transition.creates:
        raise NotFound("未知的操作")
    form = SuggestionActionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(
                "页面已过期，请刷新后重试" if "version" in form.errors else "提交的内容有误"
            )
        data = form.cleaned_data
        services.suggestion_act(
            suggestion_id=suggestion.pk,
            action=action,
            actor=Actor.of(user),
            expected_version=data["version"],
            reason=data.get("reason") or "",
            inputs=data,
        )
    except MinxinError as error:
        return SUGGESTION_PAGE.refused(request, user, suggestion_id, error)
    messages.success(request, f"已{transition.label}")
    return redirect("suggestions:review_detail", suggestion_id=suggestion.pk)


# --- staff: the dashboard's fragment -------------------------------------------------------


@login_required
@require_GET
def dashboard_panel(request: HttpRequest) -> HttpResponse:
    """Counts by outcome for the dashboard's period (`start`/`end`), each linking to the review
    list filtered the same way. An HTMX fragment: the dashboard includes it with hx-get."""
    user = staff_user(request, may_see_dashboard, "督查员和领导")
    period = period_from(request.GET)
    counts = selectors.outcome_counts(
        start=period.start, end=period.end, district=user.jurisdiction_scope
    )
    dates = {"start": period.start.isoformat(), "end": period.end.isoformat()}

    def url(**params: str) -> str:
        return reverse("suggestions:review_list") + "?" + urlencode({**params, **dates})

    tiles = [
        {"label": "收到建议", "value": counts.submitted, "url": url()},
        {"label": "待处理", "value": counts.waiting, "url": url(status=selectors.OPEN)},
        {
            "label": "已采纳",
            "value": counts.adopted_total,
            "url": url(status=SuggestionStatus.ADOPTED),
        },
        *(
            {
                "label": f"　其中{level.label}",
                "value": counts.adopted[level.value],
                "url": url(status=SuggestionStatus.ADOPTED, level=level.value),
            }
            for level in AdoptionLevel
        ),
        {
            "label": "未采纳",
            "value": counts.declined,
            "url": url(status=SuggestionStatus.DECLINED),
        },
    ]
    return render(
        request,
        "suggestions/_dashboard_panel.html",
        {"tiles": tiles, "counts": counts},
    )
