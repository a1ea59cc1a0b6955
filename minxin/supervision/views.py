"""Supervision order screens: issue (on an appeal or a unit), list, detail and answer, and the
appeal page's supervision fragment (its timeline merged with orders and deadline warnings).

Thin: parse, one selector or service, render. A refused write re-renders the form with the
Chinese message, what the user typed, and the error's 4xx status."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases import selectors as case_selectors
from minxin.cases.models import Appeal
from minxin.cases.photos import photo_limits
from minxin.cases.workflow import Action
from minxin.core.errors import MinxinError, NotFound, ValidationFailed, form_cleaned
from minxin.core.pagination import paginate, query_without_page
from minxin.core.steps import RecordPage, posted_version_required
from minxin.deadlines.calendar import working_day_end
from minxin.directory.selectors import units_handling

from . import onsite, selectors
from .machine import ORDERS
from .models import SupervisionOrder
from .permissions import may_issue_orders, may_see_orders, sees_every_order, takes_charge
from .services import appeal_take_charge, supervision_order_answer, supervision_order_issue
from .workflow import OrderAction

VIEWERS_PAGE = "督查员、领导和承办单位"
ISSUERS_PAGE = "督查员和领导"
MAX_TEXT = 2000
# A typo in the year (2205 for 2025) would make an order that never escalates.
MAX_DUE_AHEAD = timedelta(days=366)
DUE_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class OrderIssueForm(forms.Form):
    content = forms.CharField(
        max_length=MAX_TEXT,
        error_messages={"required": "请填写督办事项", "max_length": "督办事项不能超过2000字"},
    )
    due_at = forms.DateTimeField(
        input_formats=DUE_FORMATS,
        error_messages={
            "required": "请填写答复期限",
            "invalid": "答复期限格式有误，请选择日期和时间",
        },
    )
    unit = forms.ModelChoiceField(
        queryset=units_handling(),
        required=False,
        error_messages={"invalid_choice": "所选督办单位不存在，请重新选择"},
    )

    def clean_due_at(self) -> datetime:
        due_at: datetime = self.cleaned_data["due_at"]
        if due_at > timezone.now() + MAX_DUE_AHEAD:
            raise forms.ValidationError("答复期限不能晚于一年以后，请核对年份")
        return due_at


class OrderAnswerForm(forms.Form):
    answer = forms.CharField(
        max_length=MAX_TEXT,
        error_messages={"required": "请填写答复内容", "max_length": "答复内容不能超过2000字"},
    )


class OrderFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *selectors.ORDER_STATES]
    )
    unit = forms.ModelChoiceField(
        label="督办单位", required=False, queryset=units_handling(), empty_label="全部单位"
    )


def _can_answer(user: User, order: SupervisionOrder) -> bool:
    # Only shows or hides the form; the service decides.
    refused = ORDERS.refusal(
        action=OrderAction.ANSWER,
        actor=Actor.of(user),
        status=order.status,
        lead_unit_id=order.unit_id,
    )
    return refused is None


def _default_due() -> str:
    """Three days from now at the end of the working day, in the datetime-local input's format."""
    return working_day_end(timezone.localdate() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")


def _issue_context(*, appeal: Appeal | None, posted: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "appeal": appeal,
        "units": units_handling(),
        "posted": posted or {"due_at": _default_due()},
    }


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_see_orders, VIEWERS_PAGE)
    form = OrderFilterForm(request.GET or None)
    state, unit_id = "", None
    if form.is_valid():
        state = form.cleaned_data["state"] or ""
        unit = form.cleaned_data["unit"]
        unit_id = unit.pk if unit else None
    orders = selectors.order_list_for(user=user, state=state, unit_id=unit_id)
    page = paginate(request, orders)
    now = timezone.now()
    rows = [
        {"order": o, "state": selectors.order_state(o, now), "can_answer": _can_answer(user, o)}
        for o in page.object_list
    ]
    query = query_without_page(request.GET)
    return render(
        request,
        "supervision/order_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query,
            "own_unit": None if sees_every_order(user) else user.unit,
            "can_issue": may_issue_orders(user),
            "answerable": any(r["can_answer"] for r in rows),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_issue(request: HttpRequest, appeal_id: int | None = None) -> HttpResponse:
    """On a unit (`orders/new/`) or on one appeal (`appeals/<id>/orders/new/`, posted from the
    appeal page's supervision panel; a refused post lands here with the message)."""
    user = staff_user(request, may_issue_orders, ISSUERS_PAGE)
    appeal = (
        case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
        if appeal_id is not None
        else None
    )
    if request.method == "GET":
        return render(
            request, "supervision/order_issue.html", _issue_context(appeal=appeal, posted=None)
        )
    form = OrderIssueForm(request.POST)
    try:
        data = form_cleaned(form)
        order = supervision_order_issue(
            actor=user,
            content=data["content"],
            due_at=data["due_at"],
            appeal_id=appeal.pk if appeal else None,
            unit_id=data["unit"].pk if data["unit"] else None,
        )
    except MinxinError as error:
        context = _issue_context(appeal=appeal, posted=request.POST.dict())
        context["error"] = error
        return render(request, "supervision/order_issue.html", context, status=error.status_code)
    messages.success(request, f"已向{order.unit.name}下发督办单")
    if appeal is not None:
        return redirect("cases:appeal_detail", appeal.pk)
    return redirect("supervision:order_detail", order.pk)


def _order_shows(user: User, order: SupervisionOrder) -> dict[str, Any]:
    return {
        "order": order,
        "state": selectors.order_state(order),
        "history": selectors.order_history(order=order),
        "can_answer": _can_answer(user, order),
        "photos": selectors.order_photos(order=order),
        **photo_limits(),
    }


ORDER_PAGE = RecordPage(
    "supervision/order_detail.html",
    _order_shows,
    lambda user, pk: selectors.order_get_for(user=user, order_id=pk),
    "supervision:order_detail",
)


@login_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    user = staff_user(request, may_see_orders, VIEWERS_PAGE)
    return ORDER_PAGE.show(request, user, order_id)


@login_required
def order_photo(request: HttpRequest, order_id: int, photo_id: int) -> FileResponse:
    """A photo of an order's answer: only for those who may see the order (404 otherwise)."""
    user = staff_user(request, may_see_orders, VIEWERS_PAGE)
    order = selectors.order_get_for(user=user, order_id=order_id)
    photo = selectors.order_photo_get(order=order, photo_id=photo_id)
    return FileResponse(photo.image.open("rb"), content_type=photo.content_type)


@login_required
@require_POST
def order_answer(request: HttpRequest, order_id: int) -> HttpResponse:
    user = staff_user(request, may_see_orders, VIEWERS_PAGE)
    order = selectors.order_get_for(user=user, order_id=order_id)
    form = OrderAnswerForm(request.POST)
    try:
        form_cleaned(form)
        supervision_order_answer(
            actor=user,
            order_id=order.pk,
            answer=form.cleaned_data["answer"],
            photos=request.FILES.getlist("photos"),
        )
    except MinxinError as error:
        return ORDER_PAGE.refused(request, user, order_id, error)
    messages.success(request, f"已答复督办单 {order.pk}")
    if request.POST.get("back") == "list":
        return redirect("supervision:order_list")
    return redirect("supervision:order_detail", order.pk)


@login_required
def appeal_panel(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The appeal page's timeline, merged with its supervision orders and deadline warnings,
    and the issue form for supervisors: scoped exactly like the appeal page."""
    user = staff_user(request)
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    context = {
        **_issue_context(appeal=appeal, posted=None),
        "entries": selectors.appeal_supervision_timeline(user=user, appeal=appeal),
        "can_issue": may_issue_orders(user),
        "leader_cases": (cases := selectors.leader_cases_of(appeal)),
        "may_take_charge": takes_charge(user) and all(c.leader_id != user.pk for c in cases),
    }
    return render(request, "supervision/order_appeal_panel.html", context)


@login_required
@require_POST
def appeal_take_charge_view(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """领导包案 from the appeal page's supervision panel; back to the appeal page. A refusal (not
    a leader, already taken) is its 4xx page with the Chinese message, as the middleware
    renders every domain error: nothing was typed that the page would have to keep."""
    user = staff_user(request)
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    appeal_take_charge(actor=user, appeal_id=appeal.pk, note=request.POST.get("note", ""))
    messages.success(request, f"已包案诉求 {appeal.tracking_number}")
    return redirect("cases:appeal_detail", appeal.pk)


# --- 四不两直: on-site checks of dissatisfied appeals ------------------------------------------


def _onsite_context(user: User, appeal: Appeal) -> dict[str, Any]:
    may = Action.ONSITE_CHECK in case_selectors.actions_available(user=user, appeal=appeal)
    return {
        "appeal": appeal,
        "checks": onsite.onsite_checks_of(appeal),
        "may_check": may and onsite.appeal_dissatisfied(appeal),
        "posted": {},
    }


@login_required
def onsite_panel(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = staff_user(request)
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    return render(request, "supervision/onsite_panel.html", _onsite_context(user, appeal))


def _when(raw: str) -> datetime | None:
    try:
        value = parse_datetime(raw.strip()) if raw.strip() else None
    except ValueError:
        value = None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@login_required
@require_POST
def onsite_record(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = staff_user(request)
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    post = request.POST
    try:
        version = posted_version_required(request)
        raw_due = post.get("correction_due", "").strip()
        due = _when(raw_due + ("T18:00" if raw_due and "T" not in raw_due else ""))
        if raw_due and due is None:
            raise ValidationFailed("整改期限格式不正确")
        onsite.onsite_check_record(
            appeal_id=appeal.pk,
            actor=user,
            expected_version=version,
            draft=onsite.CheckDraft(
                findings=post.get("findings", ""),
                checked_at=_when(post.get("checked_at", "")),
                correction_due=due,
                photos=request.FILES.getlist("photos"),
            ),
        )
    except MinxinError as error:
        context = _onsite_context(user, appeal) | {"error": error, "posted": post.dict()}
        return render(request, "supervision/onsite_record.html", context, status=error.status_code)
    messages.success(request, "已记录四不两直督查，并向主办单位下达整改督办单")
    return redirect("cases:appeal_detail", appeal.pk)


@login_required
def onsite_photo(request: HttpRequest, appeal_id: int, photo_id: int) -> FileResponse:
    """The check's photos: only for those who may see the appeal."""
    appeal = case_selectors.appeal_get_for(user=staff_user(request), appeal_id=appeal_id)
    photo = onsite.onsite_photo_get(appeal=appeal, photo_id=photo_id)
    if photo is None:
        raise NotFound
    return FileResponse(photo.image.open("rb"), content_type=photo.content_type)
