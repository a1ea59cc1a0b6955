"""The telephone link's views: the hook the exchange calls (JSON), the console's pop-up
(HTMX, polled), a call's page where its appeal is received, the call log, and the call panel
of an appeal's page. Each parses, calls one selector or service, renders."""

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.cases.permissions import may_reveal_phone
from minxin.core.errors import MinxinError, PermissionDenied, ValidationFailed
from minxin.core.htmx import htmx_made
from minxin.core.pagination import paginate
from minxin.core.posted import choice_or_blank, date_or_none, int_or_none
from minxin.intake.forms import hotline_draft, hotline_form_context
from minxin.intake.permissions import may_take_calls

from . import selectors, services
from .machine import CALLS
from .models import CallDirection, Pbx
from .permissions import may_see_calls
from .workflow import CallAction, CallStatus

logger = logging.getLogger(__name__)

BODY_MAX = 16 * 1024


class RateLimited(MinxinError):
    status_code = 429
    default_message = "请求过于频繁，请稍后再试"


def _rate(name: str, default: str) -> str:
    return str(settings.MINXIN.get(name, default))


def _limited(request: HttpRequest, *, group: str, key: str, rate: str) -> bool:
    return bool(is_ratelimited(request, group=group, key=key, rate=rate, increment=True))


def _presented_token(request: HttpRequest, params: QueryDict) -> str:
    """`Authorization: Bearer <token>`, or a `token` field of the body for an exchange that
    cannot set headers. Never the URL: paths are logged."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return params.get("token", "")


def _pbx(request: HttpRequest, params: QueryDict) -> Pbx:
    """The calling exchange, or 403; wrong tokens are limited per address (guessing), and
    each exchange has its own rate so a looping one cannot crowd out the others."""
    bad_rate = _rate("CTI_BAD_TOKEN_RATE", "20/m")
    if is_ratelimited(request, group="cti-bad-token", key="ip", rate=bad_rate):
        raise RateLimited
    raw = _presented_token(request, params)
    pbx = services.pbx_authenticate(raw)
    if pbx is None:
        if _limited(request, group="cti-bad-token", key="ip", rate=bad_rate):
            raise RateLimited
        raise PermissionDenied("令牌无效或已停用" if raw.strip() else "缺少令牌")
    rate = _rate("CTI_PBX_RATE", "600/m")
    if _limited(request, group=f"cti-pbx-{pbx.pk}", key="ip", rate=rate):
        raise RateLimited
    return pbx


def _params(request: HttpRequest) -> QueryDict:
    """The body's parameters: form-encoded (the generic CTI's way) or a JSON object."""
    if request.content_type == "application/json":
        if len(request.body) > BODY_MAX:
            raise ValidationFailed("请求体过大")
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError):  # arrays nested thousands deep
            raise ValidationFailed("请求体不是有效的 JSON") from None
        if not isinstance(data, dict):
            raise ValidationFailed("请求体应为 JSON 对象")
        params = QueryDict(mutable=True)
        for name, value in data.items():
            values = value if isinstance(value, list) else [value]
            params.setlist(str(name), ["" if v is None else str(v) for v in values])
        return params
    return request.POST


@csrf_exempt
def hook(request: HttpRequest) -> HttpResponse:
    """POST /cti/hook: newCall, answer, hangup (docs/cti.md). 200 `{}` when applied or
    already known; 4xx `{"error": "..."}` in Chinese otherwise."""
    if request.method != "POST":
        response = JsonResponse({"error": f"不支持 {request.method} 方法，请用 POST"}, status=405)
        response["Allow"] = "POST"
        return response
    try:
        if _limited(request, group="cti-ip", key="ip", rate=_rate("CTI_IP_RATE", "1200/m")):
            raise RateLimited
        params = _params(request)
        pbx = _pbx(request, params)
        notice = services.call_notice_clean(
            event=params.get("event", ""),
            call_id=params.get("callId", ""),
            direction=params.get("direction", ""),
            from_number=params.get("from", ""),
            to_number=params.get("to", ""),
            users=[*params.getlist("user"), *params.getlist("user[]")],
            cause=params.get("cause", ""),
            answering_number=params.get("answeringNumber", ""),
            recording_url=params.get("recordingUrl", ""),
        )
        noticed = services.call_notice_receive(pbx=pbx, notice=notice)
    except MinxinError as error:
        return JsonResponse({"error": error.message}, status=error.status_code)
    # No number here: the exchange's id for the call, ours, and what became of it.
    logger.info(
        "cti %s pbx=%s call=%s status=%s%s",
        notice.event,
        pbx.prefix,
        noticed.call.pk,
        noticed.call.status,
        "" if noticed.changed else " (repeat)",
    )
    return JsonResponse({})


# --- the console ------------------------------------------------------------------------


@login_required
@require_GET
def popup(request: HttpRequest) -> HttpResponse:
    """The console's calls (polled by HTMX every two seconds): empty when there are none."""
    user = staff_user(request, may_take_calls, "热线接线员")
    return render(request, "cti/_popup.html", {"popped": selectors.calls_popup_for(user=user)})


def _call_context(request: HttpRequest, call_pk: int) -> dict[str, object]:
    user = staff_user(request, may_see_calls, "热线中心和督查室")
    call = selectors.call_get_for(user=user, call_pk=call_pk)
    may_receive = (
        call.appeal_id is None
        and CALLS.refusal(
            action=CallAction.RECEIVE_APPEAL, actor=Actor.of(user), status=call.status
        )
        is None
    )
    return {
        "call": call,
        "events": selectors.call_events(call=call),
        "earlier": selectors.caller_earlier_appeals(user=user, call=call),
        "may_receive": may_receive,
        "may_reveal_phone": may_reveal_phone(user) and bool(call.phone),
        **hotline_form_context(district=user.jurisdiction_scope),
    }


@login_required
def call_detail(request: HttpRequest, call_pk: int) -> HttpResponse:
    """A call: what the exchange told, the caller's earlier appeals and, for the call-taker,
    the form that receives its appeal."""
    context = _call_context(request, call_pk)
    if request.method != "POST":
        return render(request, "cti/call_detail.html", context)
    user = staff_user(request)
    try:
        created = services.call_appeal_receive(
            actor=user, call_pk=call_pk, draft=hotline_draft(request.POST)
        )
    except MinxinError as error:
        context.update(error=error.message, posted=request.POST.dict())
        return render(request, "cti/call_detail.html", context, status=error.status_code)
    appeal = created.appeal
    messages.success(
        request,
        f"已受理：受理编号 {appeal.tracking_number}，查询码 {appeal.query_code}（请告知来电人）",
    )
    return redirect("intake:hotline")


@login_required
@require_POST
def call_phone_reveal(request: HttpRequest, call_pk: int) -> HttpResponse:
    """The whole number, to call back: one logged look (`services.call_phone_reveal`)."""
    user = staff_user(request, may_see_calls, "热线中心和督查室")
    call = selectors.call_get_for(user=user, call_pk=call_pk)
    phone = services.call_phone_reveal(actor=user, call=call)
    if htmx_made(request):
        return render(request, "cases/_phone_revealed.html", {"phone": phone})
    context = _call_context(request, call_pk)
    context["revealed_phone"] = phone
    return render(request, "cti/call_detail.html", context)


# --- the call log -------------------------------------------------------------------------

FILTER_KEYS = ("since", "until", "status", "direction", "agent", "appeal")


def _filters(request: HttpRequest) -> selectors.CallFilters:
    get = request.GET
    return selectors.CallFilters(
        since=date_or_none(get.get("since", "")),
        until=date_or_none(get.get("until", "")),
        status=choice_or_blank(get.get("status"), CallStatus.values),
        direction=choice_or_blank(get.get("direction"), CallDirection.values),
        agent_id=int_or_none(get.get("agent")),
        appeal=choice_or_blank(get.get("appeal"), ("yes", "no")),
    )


@login_required
def call_log(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_see_calls, "热线中心和督查室")
    filters = _filters(request)
    calls = selectors.call_log_for(user=user, filters=filters)
    query = urlencode({k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)})
    return render(
        request,
        "cti/call_log.html",
        {
            "page": paginate(request, calls),
            "figures": selectors.call_log_figures(calls),
            "filters": filters,
            "statuses": CallStatus.choices,
            "directions": CallDirection.choices,
            "agents": selectors.call_agents(),
            "query": query,
        },
    )


@login_required
@require_GET
def appeal_panel(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """On an appeal's page: the call it was received from (its id, times, recording)."""
    user = staff_user(request)
    call = selectors.call_of_appeal(user=user, appeal_id=appeal_id)
    return render(request, "cti/_appeal_panel.html", {"call": call})
