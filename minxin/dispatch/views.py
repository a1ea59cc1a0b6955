"""The dispatcher's screens: the screening queue and the dispatch panel of an appeal (the
screening form, with triage's suggestions, is `triage:panel`)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.cases import selectors as case_selectors
from minxin.cases import services as case_services
from minxin.cases.models import AppealEvent
from minxin.cases.workflow import Action, AppealStatus
from minxin.core.errors import ValidationFailed
from minxin.core.pagination import paginate
from minxin.directory.selectors import units_handling

from .forms import DispatchForm
from .permissions import may_dispatch
from .selectors import units_suggested_for

TABS = {
    "received": "待甄别",
    "screened": "待派单",
    "returned": "退单待处理",
    "extensions": "延期审批",
    "transfers": "转办审批",
}


@login_required
def screening(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_dispatch, "派单员")
    tab = request.GET.get("tab", "received")
    if tab not in TABS:
        tab = "received"
    rows: list[dict[str, Any]] = []
    if tab == "extensions":
        page = paginate(request, case_selectors.extension_requests(user=user))
    elif tab == "transfers":
        page = paginate(request, case_selectors.transfer_requests(user=user))
    else:
        queue = {
            "received": case_selectors.screening_queue(user=user),
            "screened": case_selectors.screened_queue(user=user),
            "returned": case_selectors.screening_queue(user=user, returned=True),
        }[tab]
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
    return render(
        request,
        "dispatch/screening.html",
        {
            "tab": tab,
            "tabs": TABS,
            "counts": counts,
            "page": page,
            "rows": rows,
            "query": f"tab={tab}",
            # Ticked appeals of the screening queue: bulk actions (triage:bulk), confirmed.
            "bulk": tab == "received",
        },
    )


@login_required
def panel(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The dispatch form with suggested units, loaded into the appeal page by HTMX."""
    user = staff_user(request, may_dispatch, "派单员")
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    region = appeal.region
    suggested = units_suggested_for(category=appeal.category, region=region)
    return render(
        request,
        "dispatch/panel.html",
        {
            "appeal": appeal,
            "dispatching": appeal.status in (AppealStatus.SCREENED, AppealStatus.RETURNED),
            "units": units_handling(),
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
