"""The dispatcher's screens: the screening queue and the dispatch panel of an appeal (the
screening form, with triage's suggestions, is `triage:panel`)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases import selectors as case_selectors
from minxin.cases import services as case_services
from minxin.cases.models import AppealEvent
from minxin.cases.selectors import AppealFilters
from minxin.cases.workflow import Action, AppealStatus
from minxin.core.errors import MinxinError, ValidationFailed, form_cleaned
from minxin.core.pagination import paginate
from minxin.directory.selectors import units_handling

from .forms import QUERY_KEYS, DispatchForm, QueueFilterForm, SavedFilterForm
from .permissions import may_dispatch
from .selectors import saved_filter_get_for, saved_filters_for, units_suggested_for
from .services import saved_filter_delete, saved_filter_save

TABS = {
    "received": "待甄别",
    "screened": "待派单",
    "returned": "退单待处理",
    "extensions": "延期审批",
    "transfers": "转办审批",
}


# The tabs that are queues of appeals in one status: filterable, sortable, savable.
QUEUE_TABS = {
    "received": AppealStatus.RECEIVED,
    "screened": AppealStatus.SCREENED,
    "returned": AppealStatus.RETURNED,
}


def _filter_query(params: QueryDict) -> str:
    """The queue's filters out of a query string, as a query string: the form's keys only, the
    empty ones and the page number left out (what a saved filter keeps)."""
    kept = QueryDict(mutable=True)
    for key in QUERY_KEYS:
        value = params.get(key, "").strip()
        if value:
            kept[key] = value
    return kept.urlencode()


@login_required
def screening(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_dispatch, "派单员")
    return _screening(request, user=user, params=request.GET)


def _screening(
    request: HttpRequest,
    *,
    user: User,
    params: QueryDict,
    error: MinxinError | None = None,
    posted_name: str = "",
) -> HttpResponse:
    tab = params.get("tab", "received")
    if tab not in TABS:
        tab = "received"
    rows: list[dict[str, Any]] = []
    filtering = tab in QUEUE_TABS
    form = QueueFilterForm(params if filtering else None, district=user.jurisdiction_scope)
    status = error.status_code if error else 200
    if tab == "extensions":
        page = paginate(request, case_selectors.extension_requests(user=user))
    elif tab == "transfers":
        page = paginate(request, case_selectors.transfer_requests(user=user))
    else:
        if form.is_valid():
            filters = form.filters()
        else:  # what cannot be searched: the form's message, the queue unfiltered (400)
            filters = AppealFilters()
            status = 400
        queue = case_selectors.queue_filtered(user=user, status=QUEUE_TABS[tab], filters=filters)
        page = paginate(request, queue)
        returns = (
            case_selectors.last_events_by_appeal(
                appeal_ids=[a.pk for a in page.object_list], action=Action.RETURN
            )
            if tab == "returned"
            else {}
        )
        rows = [
            {
                "appeal": a,
                "flag": case_selectors.deadline_flag(a),
                "note": _return_note(returns[a.pk]) if a.pk in returns else "",
            }
            for a in page.object_list
        ]
    counts = {
        "received": case_selectors.screening_queue(user=user).count(),
        "screened": case_selectors.screened_queue(user=user).count(),
        "returned": case_selectors.screening_queue(user=user, returned=True).count(),
        "extensions": case_selectors.extension_requests(user=user).count(),
        "transfers": case_selectors.transfer_requests(user=user).count(),
    }
    query = _filter_query(params) if filtering else ""
    pager = QueryDict(query, mutable=True)
    pager["tab"] = tab  # the pager's links keep the tab and the filters
    return render(
        request,
        "dispatch/screening.html",
        {
            "tab": tab,
            "tabs": TABS,
            "counts": counts,
            "page": page,
            "rows": rows,
            "query": pager.urlencode(),
            "filter_form": form if filtering else None,
            "filter_query": query,
            # something beyond the tab is chosen: it may be saved
            "filtered": bool(set(QueryDict(query)) - {"tab"}),
            "saved_filters": saved_filters_for(user=user),
            "saved_name": posted_name,
            "error": error,
            # Ticked appeals of the screening queue: bulk actions (triage:bulk), confirmed.
            "bulk": tab == "received",
        },
        status=status,
    )


@login_required
@require_POST
def saved_filter_save_view(request: HttpRequest) -> HttpResponse:
    """Save the queue's current filters under a name (常用筛选), for this user only."""
    user = staff_user(request, may_dispatch, "派单员")
    form = SavedFilterForm(request.POST)
    params = QueryDict(request.POST.get("query", ""))
    try:
        form_cleaned(form)
        if not QueueFilterForm(params).is_valid():
            raise ValidationFailed("筛选条件有误，请先修正筛选再保存")
        query = _filter_query(params)
        if set(QueryDict(query)) <= {"tab"}:
            query = ""  # a tab alone is no filter: the service asks for one
        saved = saved_filter_save(actor=user, name=form.cleaned_data["name"], query=query)
    except MinxinError as error:
        return _screening(
            request,
            user=user,
            params=params,
            error=error,
            posted_name=request.POST.get("name", ""),
        )
    messages.success(request, f"已保存常用筛选「{saved.name}」")
    return redirect(f"{reverse('dispatch:screening')}?{saved.query}")


@login_required
def saved_filter_apply(request: HttpRequest, filter_id: int) -> HttpResponse:
    """Open the queue with one of the user's saved filters (another user's: 404)."""
    user = staff_user(request, may_dispatch, "派单员")
    saved = saved_filter_get_for(user=user, filter_id=filter_id)
    return redirect(f"{reverse('dispatch:screening')}?{saved.query}")


@login_required
@require_POST
def saved_filter_delete_view(request: HttpRequest, filter_id: int) -> HttpResponse:
    user = staff_user(request, may_dispatch, "派单员")
    saved = saved_filter_get_for(user=user, filter_id=filter_id)
    saved_filter_delete(actor=user, filter_id=saved.pk)
    messages.success(request, f"已删除常用筛选「{saved.name}」")
    return redirect("dispatch:screening")


@login_required
def panel(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The dispatch form with suggested units, loaded into the appeal page by HTMX."""
    user = staff_user(request, may_dispatch, "派单员")
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    region = appeal.region
    suggested = [
        u
        for u in units_suggested_for(
            category=appeal.category, region=region, district=appeal.jurisdiction_id
        )
        if u.jurisdiction_id in (None, appeal.jurisdiction_id)
    ]
    return render(
        request,
        "dispatch/panel.html",
        {
            "appeal": appeal,
            "dispatching": appeal.status in (AppealStatus.SCREENED, AppealStatus.RETURNED),
            "units": units_handling(district=appeal.jurisdiction_id),
            "suggested": suggested,
            "returned_by": _last_return(appeal.pk)
            if appeal.status == AppealStatus.RETURNED
            else None,
        },
    )


def _last_return(appeal_id: int) -> str:
    latest = case_selectors.last_events_by_appeal(appeal_ids=[appeal_id], action=Action.RETURN)
    return _return_note(latest[appeal_id]) if appeal_id in latest else ""


def _return_note(event: AppealEvent) -> str:
    return f"{event.actor_unit.name if event.actor_unit else ''}退单：{event.reason}"


@login_required
@require_POST
def dispatch(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = staff_user(request, may_dispatch, "派单员")
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    form = DispatchForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(
            "页面已过期，请刷新后重试" if "version" in form.errors else "请选择主办单位"
        )
    data = form.cleaned_data
    case_services.appeal_dispatch(
        appeal_id=appeal.pk,
        actor=Actor.of(user),
        expected_version=data["version"],
        lead_unit_id=data["lead_unit"].pk,
        assist_unit_ids=[u.pk for u in data["assist_units"]],
        reason=data["reason"] or "",
    )
    messages.success(request, f"已派单至{data['lead_unit'].name}")
    next_appeal = case_selectors.screened_queue(user=user).exclude(pk=appeal.pk).first()
    if next_appeal is not None and request.POST.get("next") == "1":
        return redirect("cases:appeal_detail", next_appeal.pk)
    return redirect("dispatch:screening")
