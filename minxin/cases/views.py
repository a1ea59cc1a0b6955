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
from minxin.core.htmx import htmx_made
from minxin.core.pagination import paginate, query_without_page, rows_through_page
from minxin.core.search import SearchQuery, highlight, snippet
from minxin.core.steps import RecordPage, posted_version_required
from minxin.directory.selectors import units_handling

from . import selectors, services
from .forms import ActionForm, AppealFilterForm
from .machine import APPEALS
from .models import Appeal, Attachment
from .permissions import (
    may_follow_up,
    may_reveal_phone,
    may_see_contact,
    may_see_phone_reveals,
    passes_appeals_down,
    works_a_unit_queue,
)
from .photos import photo_limits
from .workflow import TRANSITIONS, Action, Satisfaction

# A phone's appeals are listed whole on one page (a caller rarely has more).
PHONE_SEARCH_LIMIT = 50

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
    form = AppealFilterForm(request.GET or None, district=user.jurisdiction_scope)
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
            jurisdiction_id=data.get("jurisdiction"),
        )
    elif "q" in form.errors:  # words that cannot be searched: the message, nothing listed (400)
        return render(
            request,
            "cases/appeal_list.html",
            {"form": form, "rows": [], "query": "", "phone_search": may_reveal_phone(user)},
            status=400,
        )
    page = paginate(
        request,
        selectors.appeal_list_for(user=user, filters=filters),
        count_cap=rows_through_page(request) if filters.search else None,
        by_ids=bool(filters.search),
    )
    query = query_without_page(request.GET)
    return render(
        request,
        "cases/appeal_list.html",
        {
            "form": form,
            "page": page,
            "rows": _rows(page.object_list, filters.search),
            "query": query,
            "phone_search": may_reveal_phone(user),
        },
    )


@login_required
def unit_queue(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, works_a_unit_queue, "承办单位")
    tab = request.GET.get("tab", "open")
    q = request.GET.get("q", "").strip()
    filters = selectors.AppealFilters(q=q)
    try:
        search = filters.search
        appeals = selectors.unit_queue(user=user, include_done=tab == "all" or bool(q), q=q)
    except ValidationFailed as error:
        return render(
            request,
            "cases/unit_queue.html",
            {"rows": [], "tab": tab, "q": q, "error": error, "phone_search": True},
            status=error.status_code,
        )
    page = paginate(
        request,
        appeals,
        count_cap=rows_through_page(request) if search else None,
        by_ids=bool(search),
    )
    query = query_without_page(request.GET, tab=tab)
    rows = _rows(page.object_list, search)
    subs = selectors.sub_pending_by_appeal(appeal_ids=[row["appeal"].pk for row in rows])
    for row in rows:
        row["sub"] = subs.get(row["appeal"].pk)
    return render(
        request,
        "cases/unit_queue.html",
        {
            "page": page,
            "rows": rows,
            "tab": tab,
            "q": q,
            "query": query,
            "phone_search": True,
        },
    )


@login_required
def sub_tasks(request: HttpRequest) -> HttpResponse:
    """下派任务: what the viewer's street passed down to its communities and grid units, with
    their deadlines, overdue flags and reports."""
    user = staff_user(request, passes_appeals_down, "街道承办人")
    tab = request.GET.get("tab", "pending")
    if tab not in selectors.SUB_TABS:
        tab = "pending"
    page = paginate(request, selectors.sub_tasks_for(user=user, tab=tab))
    return render(
        request,
        "cases/sub_tasks.html",
        {"page": page, "tab": tab, "query": f"tab={tab}", "now": timezone.now()},
    )


@login_required
@require_POST
def appeal_phone_search(request: HttpRequest) -> HttpResponse:
    """The appeals of one phone number the viewer may see (HTMX; POST so that the number stays
    out of URLs and logs); for the roles that may reveal a number."""
    user = staff_user(request, may_reveal_phone)
    phone = request.POST.get("phone", "").strip().replace(" ", "")
    if not phone.isdigit() or not 7 <= len(phone) <= 15:
        return render(
            request,
            "cases/_phone_search.html",
            {"error": "请输入 7 到 15 位的电话号码"},
            status=400,
        )
    appeals = selectors.appeals_by_phone(user=user, phone=phone, limit=PHONE_SEARCH_LIMIT)
    return render(
        request,
        "cases/_phone_search.html",
        {"rows": _rows(appeals, None), "limit": PHONE_SEARCH_LIMIT},
    )


@login_required
def follow_up_queue(request: HttpRequest) -> HttpResponse:
    """回访重办: the revisits to call (every dissatisfied appeal and a sample of the rest), and
    the dissatisfied appeals waiting for the supervisor's decision (reopen or close)."""
    user = staff_user(request, may_follow_up)
    tab = request.GET.get("tab", "revisits")
    if tab == "decide":
        page = paginate(request, selectors.follow_up_queue(user=user))
        rows = _rows(page.object_list)
    else:
        tab = "revisits"
        page = paginate(request, selectors.revisit_queue(user=user))
        rows = []
    return render(
        request,
        "cases/follow_up_queue.html",
        {"page": page, "rows": rows, "tab": tab, "query": f"tab={tab}"},
    )


def _rows(appeals: Any, search: SearchQuery | None = None) -> list[dict[str, Any]]:
    """Each appeal with its deadline flag (computed in Python) and whether a leader has taken
    it in charge (one query for the page); searched, its title and a piece of its content with
    the words marked."""
    appeals = list(appeals)
    led = selectors.appeals_led([a.pk for a in appeals])
    return [
        {
            "appeal": a,
            "flag": selectors.deadline_flag(a),
            "led": a.pk in led,
            **(
                {"title": highlight(a.title, search), "snippet": snippet(a.content, search)}
                if search
                else {}
            ),
        }
        for a in appeals
    ]


def _refused(
    request: HttpRequest, *, user: User, appeal_id: int, error: MinxinError, open_action: str
) -> HttpResponse:
    """The appeal's page again, read afresh, with the refusal and what was posted in the form
    `open_action` left open."""
    return APPEAL_PAGE.refused(request, user, appeal_id, error, open_action=open_action)


@login_required
def appeal_detail(request: HttpRequest, appeal_id: int) -> HttpResponse:
    return APPEAL_PAGE.show(request, staff_user(request), appeal_id)


def _appeal_shows(user: User, appeal: Appeal) -> dict[str, Any]:
    available = selectors.actions_available(user=user, appeal=appeal)
    return {
        "appeal": appeal,
        "flag": selectors.deadline_flag(appeal),
        "timeline": selectors.appeal_timeline(appeal=appeal),
        "assignments": selectors.appeal_assignments(appeal=appeal),
        "replies": selectors.appeal_replies(appeal=appeal),
        "attachments": selectors.appeal_photos(appeal=appeal),
        "supplements": selectors.appeal_supplements(appeal=appeal),
        "pending_extension": selectors.pending_extension(appeal=appeal),
        "pending_transfer": selectors.pending_transfer(appeal=appeal),
        "forms": APPEALS.forms(available),
        "sub_assignments": selectors.sub_assignments_of(appeal=appeal),
        "sub_units": (
            list(selectors.sub_units_for(user=user)) if Action.SUB_DISPATCH in available else []
        ),
        "sub_due_suggested": selectors.sub_due_suggested(appeal=appeal),
        # the units a transfer form chooses from (the handler's suggestion, the new lead unit)
        "transfer_units": (
            list(units_handling(district=appeal.jurisdiction_id))
            if {Action.REQUEST_TRANSFER, Action.APPROVE_TRANSFER} & set(available)
            else []
        ),
        "screen_panel": Action.SCREEN in available,
        "dispatch_panel": Action.DISPATCH in available,
        "rate_panel": Action.RATE in available,
        "revisit_panel": Action.FOLLOW_UP in available,
        "revisit": selectors.pending_revisit(appeal=appeal),
        "satisfaction_choices": Satisfaction.choices,
        "open_action": "",
        "show_contact": may_see_contact(user),
        "may_reveal_phone": may_reveal_phone(user) and bool(appeal.appellant_phone),
        "revealed_phone": "",
        **photo_limits(),
        "peer_link": selectors.appeal_peer_link(appeal=appeal),
        "phone_reveals": (
            selectors.phone_reveals_of(appeal=appeal) if may_see_phone_reveals(user) else None
        ),
    }


APPEAL_PAGE = RecordPage(
    "cases/appeal_detail.html",
    _appeal_shows,
    lambda user, pk: selectors.appeal_get_for(user=user, appeal_id=pk),
    "cases:appeal_detail",
)


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
            inputs={**data, "photos": request.FILES.getlist("photos")},
        )
    except MinxinError as error:
        return _refused(request, user=user, appeal_id=appeal_id, error=error, open_action=action)
    if not selectors.appeal_visible_to(user=user, appeal_id=appeal.pk):
        # A return or a transfer takes the appeal out of the unit's scope: back to the queue,
        # not to a page the handler may no longer open.
        messages.success(
            request, f"已{transition.label}：{appeal.tracking_number}，该诉求已不在本单位工单中"
        )
        return redirect("cases:home")
    messages.success(request, f"已{transition.label}")
    return redirect(reverse("cases:appeal_detail", args=[appeal.pk]))


@login_required
@require_POST
def revisit(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """One revisit call (回访): reached with the two answers, or not reached."""
    user = staff_user(request, may_follow_up)
    appeal = selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    post = request.POST
    try:
        version = posted_version_required(request)
        reached = post.get("reached") != "no"
        solved = {"yes": True, "no": False}.get(post.get("solved", ""))
        services.revisit_record(
            appeal_id=appeal.pk,
            actor=Actor.of(user),
            expected_version=version,
            reached=reached,
            solved=solved if reached else None,
            satisfaction=post.get("satisfaction", "") if reached else "",
            reason=post.get("reason", ""),
        )
    except MinxinError as error:
        return _refused(
            request, user=user, appeal_id=appeal_id, error=error, open_action="follow_up"
        )
    messages.success(request, "已记录回访")
    return redirect(reverse("cases:appeal_detail", args=[appeal.pk]))


def _form_error(form: ActionForm) -> str:
    if "version" in form.errors:
        return "页面已过期，请刷新后重试"
    if "days" in form.errors:
        return "天数应为1至60之间的整数"
    if "sub_unit" in form.errors:
        return "请选择下派的社区或网格"
    if "sub_due" in form.errors:
        return "下派时限的格式不正确，请按“年-月-日 时:分”填写"
    if "lead_unit_id" in form.errors or "suggested_unit_id" in form.errors:
        return "请选择有效的单位"
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
    if htmx_made(request):
        return render(request, "cases/_phone_revealed.html", {"phone": phone})
    return APPEAL_PAGE.render(request, user, appeal, revealed_phone=phone)


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
