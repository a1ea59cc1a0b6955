"""办结审核 screens: the queue of replies waiting for review, the quality panel on the appeal
page (for the reviewer: the submitted reply's check; for the handler: a draft checked before
submitting)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from minxin.accounts.access import staff_user
from minxin.cases import selectors as case_selectors
from minxin.cases.workflow import AppealStatus
from minxin.core.pagination import paginate
from minxin.core.text import text_clean

from . import selectors
from .permissions import may_review
from .policy import quality_of

DRAFT_MAX = 5000


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_review, "派单员和督查员")
    page = paginate(request, selectors.review_queue(user=user))
    return render(
        request,
        "review/queue.html",
        {"page": page, "rows": selectors.review_rows(list(page.object_list)), "query": ""},
    )


@login_required
def panel(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The submitted reply's quality check and why it waits for review."""
    appeal = case_selectors.appeal_get_for(user=staff_user(request), appeal_id=appeal_id)
    reply = selectors.latest_reply(appeal=appeal)
    show = appeal.status == AppealStatus.REVIEWING and reply is not None
    return render(request, "review/panel.html", {"appeal": appeal, "reply": reply, "show": show})


@login_required
@require_POST
def check(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """A draft reply checked before it is submitted (htmx: the result replaces the box)."""
    appeal = case_selectors.appeal_get_for(user=staff_user(request), appeal_id=appeal_id)
    text = text_clean(request.POST.get("reason"), label="答复内容", max_length=DRAFT_MAX)
    quality = quality_of(appeal, text)
    return render(request, "review/_quality.html", {"quality": quality.as_dict(), "draft": True})
