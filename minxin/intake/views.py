"""The call-taker's console: enter a phone appeal fast, see the caller's earlier appeals."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.cases import selectors as case_selectors
from minxin.cases.models import AppealKind, Channel
from minxin.cases.services import AppealDraft
from minxin.core.errors import ValidationFailed
from minxin.deadlines.models import Urgency
from minxin.directory.selectors import places_to_choose
from minxin.intake.services import appeal_receive

from .permissions import may_take_calls


def _context(posted: dict[str, str] | None = None) -> dict[str, object]:
    return {
        "kinds": AppealKind.choices,
        "urgencies": Urgency.choices,
        "regions": places_to_choose(),
        "posted": posted or {"kind": AppealKind.COMPLAINT, "urgency": Urgency.NORMAL},
        "submission_key": uuid.uuid4().hex,
    }


@login_required
def hotline(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_take_calls, "热线接线员")
    if request.method != "POST":
        return render(request, "intake/hotline.html", _context())
    post = request.POST
    region_id = post.get("region") or None
    try:
        created = appeal_receive(
            actor=Actor.of(user),
            draft=AppealDraft(
                channel=Channel.HOTLINE,
                kind=post.get("kind", ""),
                title=post.get("title", ""),
                content=post.get("content", ""),
                place_text=post.get("place_text", ""),
                region_id=int(region_id) if region_id and region_id.isdigit() else None,
                urgency=post.get("urgency", Urgency.NORMAL),
                appellant_name=post.get("appellant_name", ""),
                appellant_phone=post.get("appellant_phone", ""),
                is_anonymous=post.get("is_anonymous") == "on",
            ),
            submission_key=post.get("submission_key") or None,
        )
    except ValidationFailed as error:
        context = _context(post.dict())
        context["submission_key"] = post.get("submission_key") or context["submission_key"]
        context["error"] = error.message
        return render(request, "intake/hotline.html", context, status=400)
    appeal = created.appeal
    # Shown once so the call-taker can read both back to the caller; not put in any URL.
    messages.success(
        request,
        f"已受理：受理编号 {appeal.tracking_number}，查询码 {appeal.query_code}（请告知来电人）",
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
