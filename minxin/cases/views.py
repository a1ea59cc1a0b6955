"""Staff screens of the loop: queues, the appeal list with filters, one appeal and its actions.

Thin: parse, one selector or service, render. Domain errors re-render the page with the
Chinese message and the error's 4xx status, keeping what the user typed."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.core.errors import MinxinError, NotFound, ValidationFailed
from minxin.core.pagination import paginate

from . import selectors, services
from .forms import ActionForm, AppealFilterForm
from .machine import APPEALS
from .models import Appeal, Attachment
from .permissions import (
    may_follow_up,
    may_reveal_phone,
    may_see_contact,
    may_see_phone_reveals,
    works_a_unit_queue,
)
from .workflow import TRANSITIONS, Action

HOME_BY_ROLE = {
    Role.CALL_TAKER: "intake:hotline",
    Role.DISPATCHER: "dispatch:screening",
    Role.HANDLER: "cases:unit_queue",
    Role.SUPERVISOR: "cases:appeal_list",
    Role.LEADER: "cases:appeal_list",
    Role.ADMIN: "cases:appeal_list",
    Role.DEPUTY: "selection:round_list",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(HOME_BY_ROLE.get(Role(staff_user(request).role), "cases:appeal_list"))


@login_required
def appeal_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if user.role == Role.HANDLER:
        return redirect("cases:unit_queue")
    form = AppealFilterForm(request.GET or None)
    filters = selectors.AppealFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.AppealFilters(
            q=data["q"] or "",
            status=data["status"] or "",
            unit_id=data["unit"].pk if data["unit"] else None,
            category_id=data["category"].pk if data["category"] else None,
            region_id=data["region"].pk if data["region"] else None,
            channel=data["channel"] or "",
            overdue=bool(data["overdue"]),
            received_from=data["received_from"],
            received_to=data["received_to"],
            sort=data["sort"] or "",
        )
    page = paginate(request, selectors.appeal_list_for(user=user, filters=filters))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/appeal_list.html",
        {
            "form": form,
            "page": page,
            "rows": _rows(page.object_list),
            "query": query.urlencode(),
        },
    )


@login_required
def unit_queue(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, works_a_unit_queue, "承办单位")
    tab = request.GET.get("tab", "open")
    appeals = selectors.unit_queue(user=user, include_done=tab == "all")
    page = paginate(request, appeals)
    return render(
        request,
        "cases/unit_queue.html",
        {
            "page": page,
            "rows": _rows(page.object_list),
            "tab": tab,
            "query": f"tab={tab}",
        },
    )


@login_required
def follow_up_queue(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_follow_up)
    page = paginate(request, selectors.follow_up_queue(user=user))
    return render(
        request,
        "cases/follow_up_queue.html",
        {
            "page": page,
            "rows": _rows(page.object_list),
            "query": "",
        },
    )


def _rows(appeals: Any) -> list[dict[str, Any]]:
    """Each appeal with its deadline flag (computed in Python) and whether a leader has taken
    it in charge (one query for the page)."""
    appeals = list(appeals)
    led = selectors.appeals_led([a.pk for a in appeals])
    return [{"appeal": a, "flag": selectors.deadline_flag(a), "led": a.pk in led} for a in appeals]


@login_required
def appeal_detail(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = staff_user(request)
    appeal = selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    return _detail_render(request, user=user, appeal=appeal)


def _detail_render(
    request: HttpRequest,
    *,
    user: User,
    appeal: Appeal,
    error: MinxinError | None = None,
    posted: dict[str, Any] | None = None,
    open_action: str = "",
    revealed_phone: str = "",
) -> HttpResponse:
    available = selectors.actions_available(user=user, appeal=appeal)
    context = {
        "appeal": appeal,
        "flag": selectors.deadline_flag(appeal),
        "timeline": selectors.appeal_timeline(appeal=appeal),
        "assignments": selectors.appeal_assignments(appeal=appeal),
        "replies": list(appeal.replies.select_related("unit").all()),
        "attachments": list(appeal.attachments.all()),
        "pending_extension": selectors.pending_extension(appeal=appeal),
        "forms": APPEALS.forms(available),
        "screen_panel": Action.SCREEN in available,
        "dispatch_panel": Action.DISPATCH in available,
        "rate_panel": Action.RATE in available,
        "error": error,
        "posted": posted or {},
        "open_action": open_action,
        "show_contact": may_see_contact(user),
        "may_reveal_phone": may_reveal_phone(user) and bool(appeal.appellant_phone),
        "revealed_phone": revealed_phone,
        "phone_reveals": (
            selectors.phone_reveals_of(appeal=appeal) if may_see_phone_reveals(user) else None
        ),
    }
    status = error.status_code if error else 200
    return render(request, "cases/appeal_detail.html", context, status=status)


@login_required
@require_POST
def appeal_act(request: HttpRequest, appeal_id: int, action: str) -> HttpResponse:
    user = staff_user(request)
    appeal = selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    transition = TRANSITIONS.get(action)  # type: ignore[call-overload]
    if transition is None:
        raise NotFound("未知的操作")
    form = ActionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(_form_error(form))
        data = form.cleaned_data
        services.appeal_act(
            appeal_id=appeal.pk,
            action=action,
            actor=Actor.of(user),
            expected_version=data["version"],
            reason=data.get("reason") or "",
            inputs=data,
        )
    except MinxinError as error:
        appeal = selectors.appeal_get_for(user=user, appeal_id=appeal_id)
        return _detail_render(
            request,
            user=user,
            appeal=appeal,
            error=error,
            posted=request.POST.dict(),
            open_action=action,
        )
    if not selectors.appeal_visible_to(user=user, appeal_id=appeal.pk):
        # A return or a transfer takes the appeal out of the unit's scope: back to the queue,
        # not to a page the handler may no longer open.
        messages.success(
            request, f"已{transition.label}：{appeal.tracking_number}，该诉求已不在本单位工单中"
        )
        return redirect("cases:home")
    messages.success(request, f"已{transition.label}")
    return redirect(reverse("cases:appeal_detail", args=[appeal.pk]))


def _form_error(form: ActionForm) -> str:
    if "version" in form.errors:
        return "页面已过期，请刷新后重试"
    if "days" in form.errors:
        return "天数应为1至60之间的整数"
    return "提交的内容有误"


@login_required
def attachment(request: HttpRequest, appeal_id: int, attachment_id: int) -> FileResponse:
    """Photos are personal data: served only to staff who may see the appeal."""
    appeal = selectors.appeal_get_for(user=staff_user(request), appeal_id=appeal_id)
    photo = get_object_or_404(Attachment, pk=attachment_id, appeal=appeal)
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


@login_required
@require_POST
def phone_reveal(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The full number, to call: one logged reveal (`services.phone_reveal`). With htmx, the
    masked number's place takes the full one; without, the page comes back with it."""
    user = staff_user(request, may_reveal_phone)
    appeal = selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    phone = services.phone_reveal(actor=user, appeal=appeal)
    if request.headers.get("HX-Request") == "true":
        return render(request, "cases/_phone_revealed.html", {"phone": phone})
    return _detail_render(request, user=user, appeal=appeal, revealed_phone=phone)


@login_required
def phone_reveal_list(request: HttpRequest) -> HttpResponse:
    staff_user(request, may_see_phone_reveals, "督查员和管理员")
    page = paginate(request, selectors.phone_reveal_list())
    return render(request, "cases/phone_reveals.html", {"page": page, "query": ""})


@login_required
def appeal_print(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The dispatch slip (交办单) to print: the appeal, its units and its deadlines; the
    appellant masked like every page."""
    user = staff_user(request)
    appeal = selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    return render(
        request,
        "cases/appeal_print.html",
        {
            "appeal": appeal,
            "assignments": selectors.appeal_assignments(appeal=appeal),
            "dispatch": selectors.last_events_by_appeal(
                appeal_ids=[appeal.pk], action=Action.DISPATCH
            ).get(appeal.pk),
            "show_contact": may_see_contact(user),
            "printed_at": timezone.now(),
        },
    )
