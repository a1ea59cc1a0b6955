"""考核申诉 pages: the appeal page's panel (the requests on the appeal, and the form for the
lead unit), the list the supervision office decides from (a unit sees its own), the decision,
the evidence photos. Thin: parse, one selector or service, render or redirect."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.models import User
from minxin.cases import selectors as case_selectors
from minxin.cases.models import Appeal
from minxin.core.errors import MinxinError
from minxin.core.pagination import paginate
from minxin.core.steps import posted_version

from .machine import EXEMPTIONS
from .permissions import decides_exemptions, may_list_exemptions, sees_all_exemptions
from .selectors import (
    exemption_get_for,
    exemption_list_for,
    exemption_photo_get,
    exemption_waiting_count,
    exemptions_of_appeal,
    request_options,
    request_window_days,
)
from .services import ExemptionDraft, exemption_act, exemption_request
from .workflow import ExemptionAction, ExemptionStatus, Ground

PAGE = "承办单位、督查室和领导"


def _panel_context(user: User, appeal: Appeal, posted: Any = None) -> dict[str, Any]:
    options = request_options(user=user, appeal=appeal, now=timezone.now())
    askable = [o for o in options if not o["refusal"]]
    exemptions = exemptions_of_appeal(user=user, appeal=appeal)
    return {
        "appeal": appeal,
        "exemptions": exemptions,
        # Why a kind cannot be asked is said only when no request of that kind shows it.
        "kinds_shown": {x.kind for x in exemptions},
        "options": options,
        "askable": askable,
        "grounds": Ground.choices,
        "window_days": request_window_days(),
        "posted": posted or {},
    }


@login_required
def appeal_panel(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The requests on this appeal the viewer may see, and the lead unit's form; nothing at all
    when there is neither (most appeals)."""
    user = staff_user(request)
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    context = _panel_context(user, appeal)
    if not context["exemptions"] and not context["options"]:
        return HttpResponse("")
    return render(request, "exemptions/appeal_panel.html", context)


@login_required
@require_POST
def exemption_request_view(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = staff_user(request)
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    post = request.POST
    try:
        exemption_request(
            actor=user,
            draft=ExemptionDraft(
                appeal_id=appeal.pk,
                kind=post.get("kind", ""),
                ground=post.get("ground", ""),
                statement=post.get("statement", ""),
                photos=request.FILES.getlist("photos"),
            ),
        )
    except MinxinError as error:
        # The form again, on a page of its own, with the refusal and what was typed.
        context = _panel_context(user, appeal, posted=post) | {"error": error, "open": True}
        return render(request, "exemptions/request.html", context, status=error.status_code)
    messages.success(request, "已提交免考核申请，等待督查室审核")
    return redirect("cases:appeal_detail", appeal.pk)


@login_required
def exemption_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_list_exemptions, PAGE)
    status = request.GET.get("status", ExemptionStatus.SUBMITTED)
    if status not in ExemptionStatus.values and status != "all":
        status = ExemptionStatus.SUBMITTED
    page = paginate(request, exemption_list_for(user=user, status=status))
    return render(
        request,
        "exemptions/list.html",
        {
            "page": page,
            "status": status,
            "tabs": [(ExemptionStatus.SUBMITTED, "待审核"), *_decided_tabs(), ("all", "全部")],
            "query": f"status={status}",
            "waiting": exemption_waiting_count(user=user),
            "decides": decides_exemptions(user),
            "district": sees_all_exemptions(user),
            "forms": EXEMPTIONS.forms([ExemptionAction.APPROVE, ExemptionAction.REFUSE]),
        },
    )


def _decided_tabs() -> list[tuple[str, str]]:
    return [
        (s.value, str(s.label))
        for s in (ExemptionStatus.APPROVED, ExemptionStatus.REFUSED, ExemptionStatus.WITHDRAWN)
    ]


@login_required
@require_POST
def exemption_act_view(request: HttpRequest, exemption_id: int, action: str) -> HttpResponse:
    """Approve or refuse (from the list), withdraw (from the appeal page): back where it was
    asked from, with the outcome; a refusal is shown on that page with its 4xx status."""
    user = staff_user(request)
    post = request.POST
    try:
        exemption = exemption_act(
            actor=user,
            exemption_id=exemption_id,
            action=action,
            reason=post.get("reason", ""),
            expected_version=posted_version(request),
        )
    except MinxinError as error:
        current = exemption_get_for(user=user, exemption_id=exemption_id)
        context = {
            "x": current,
            "error": error,
            "decides": decides_exemptions(user),
            "forms": EXEMPTIONS.forms([ExemptionAction.APPROVE, ExemptionAction.REFUSE]),
            "posted": post,
            "open_action": action,
        }
        return render(request, "exemptions/decide.html", context, status=error.status_code)
    messages.success(request, f"{EXEMPTIONS.label(action)}：{exemption.appeal.tracking_number}")
    if post.get("back") == "appeal":
        return redirect("cases:appeal_detail", exemption.appeal_id)
    return redirect("exemptions:list")


@login_required
def evidence_photo(request: HttpRequest, exemption_id: int, photo_id: int) -> FileResponse:
    photo = exemption_photo_get(
        user=staff_user(request), exemption_id=exemption_id, photo_id=photo_id
    )
    return FileResponse(photo.image.open("rb"), content_type=photo.content_type)
