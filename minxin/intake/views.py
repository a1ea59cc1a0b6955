"""The call-taker's console: enter a phone appeal fast, see the caller's earlier appeals."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases import selectors as case_selectors
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import MinxinError, NotFound
from minxin.core.posted import int_or_none
from minxin.intake.services import appeal_receive, appeal_receive_answered

from .forms import hotline_draft, hotline_form_context
from .permissions import may_take_calls


def _context(user: User, posted: dict[str, str] | None = None) -> dict[str, object]:
    return {
        **hotline_form_context(posted, district=user.jurisdiction_scope),
        "submission_key": uuid.uuid4().hex,
    }


@login_required
def hotline(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_take_calls, "热线接线员")
    if request.method != "POST":
        return render(request, "intake/hotline.html", _context(user))
    post = request.POST
    answer = post.get("answer_article", "")
    try:
        draft = hotline_draft(post)
        key = post.get("submission_key") or None
        if answer:  # 直接答复 with a knowledge-base article
            article_id = int_or_none(answer)
            if article_id is None:
                raise NotFound("未找到该知识条目，或它未发布")
            created = appeal_receive_answered(
                actor=user, draft=draft, article_id=article_id, submission_key=key
            )
        else:
            created = appeal_receive(actor=Actor.of(user), draft=draft, submission_key=key)
    except MinxinError as error:
        context = _context(user, post.dict())
        context["submission_key"] = post.get("submission_key") or context["submission_key"]
        context["error"] = error.message
        return render(request, "intake/hotline.html", context, status=error.status_code)
    appeal = created.appeal
    answered = "，已直接答复并办结" if appeal.status == AppealStatus.ARCHIVED and answer else ""
    # Shown once so the call-taker can read both back to the caller; not put in any URL.
    messages.success(
        request,
        f"已受理：受理编号 {appeal.tracking_number}，查询码 {appeal.query_code}（请告知来电人）"
        + answered,
    )
    return redirect("intake:hotline")


@login_required
@require_POST
def caller_history(request: HttpRequest) -> HttpResponse:
    """The caller's earlier appeals (HTMX, POST so the number stays out of URLs and logs)."""
    user = staff_user(request, may_take_calls, "热线接线员")
    phone = request.POST.get("appellant_phone", "")
    appeals = (
        list(case_selectors.appeals_by_phone(user=user, phone=phone)) if len(phone) >= 7 else []
    )
    return render(request, "intake/_caller_history.html", {"appeals": appeals, "phone": phone})
