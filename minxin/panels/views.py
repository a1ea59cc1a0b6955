"""单位测评 screens: the office's list, a new evaluation, its page (units, items, panel and
invitations, hearings with commitments, results, steps); the panellist's pages reached by the
invitation link (the token read from the query string once, then kept in the session), a
deputy's evaluations and sheets in the console (seated by account), and the public results
once closed."""

from typing import Any, Final

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.core.errors import MinxinError, ValidationFailed
from minxin.core.pages import public_read
from minxin.core.posted import datetime_or_none, int_or_none
from minxin.core.steps import RecordPage, posted_version
from minxin.directory.selectors import jurisdiction_for_host, units_handling
from minxin.metrics.selectors import districts_for

from . import selectors
from .machine import EVALUATIONS
from .models import Evaluation, PanelGroup, Panellist
from .permissions import runs_evaluations, sits_on_panels
from .services import (
    EvaluationDraft,
    HearingDraft,
    evaluation_act,
    evaluation_create,
    hearing_record,
    panellist_invite,
    panellist_of,
    seat_of,
    sheet_submit,
)
from .workflow import EvaluationAction

OFFICE = "督查员和领导"
TOKEN: Final = "panel_token"  # noqa: S105 - a session key, not a secret


@login_required
def evaluation_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, runs_evaluations, OFFICE)
    items = selectors.evaluations_for(user)[:100]
    return render(request, "panels/list.html", {"items": items})


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_new(request: HttpRequest) -> HttpResponse:
    """A new evaluation of the creator's district; the city's staff pick the district when
    the install has several (its units: the district's own and the city's)."""
    user = staff_user(request, runs_evaluations, OFFICE)
    context: dict[str, Any] = {
        "units": units_handling(district=user.jurisdiction_scope),
        "districts": districts_for(user=user).options,
        "rows": range(1, 6),
    }
    if request.method == "GET":
        return render(request, "panels/new.html", context | {"posted": {}})
    post = request.POST
    items = []
    for n in range(1, 6):
        text = post.get(f"item_{n}", "")
        full = int_or_none(post.get(f"max_{n}", "") or "10")
        if text.strip():
            items.append((text, full if full is not None else 0))
    try:
        evaluation = evaluation_create(
            actor=user,
            draft=EvaluationDraft(
                title=post.get("title", ""),
                description=post.get("description", ""),
                opens_at=datetime_or_none(post.get("opens_at", "")),
                closes_at=datetime_or_none(post.get("closes_at", "")),
                unit_ids=tuple(u for raw in post.getlist("units") if (u := int_or_none(raw))),
                items=tuple(items),
                district_id=int_or_none(post.get("district", "")),
            ),
        )
    except MinxinError as error:
        context |= {"posted": post.dict(), "error": error}
        return render(request, "panels/new.html", context, status=error.status_code)
    messages.success(request, "已新建测评，请邀请评议人员")
    return redirect("panels:detail", evaluation.pk)


def _evaluation_shows(user: User, evaluation: Evaluation) -> dict[str, Any]:
    actions = EVALUATIONS.available(actor=Actor.of(user), status=evaluation.status)
    return {
        "e": evaluation,
        "units": evaluation.units.order_by("name"),
        "items": evaluation.items.order_by("position"),
        "panellists": selectors.panel_of(evaluation),
        "deputies": selectors.deputies_to_seat(evaluation),
        "sheets": evaluation.sheets.count(),
        "results": selectors.results(evaluation),
        "hearings": selectors.hearings_of(evaluation),
        "forms": EVALUATIONS.forms(actions),
        "can_hear": EvaluationAction.HEARING in actions,
        "groups": PanelGroup.choices,
        "invited": "",
    }


EVALUATION_PAGE = RecordPage(
    "panels/detail.html", _evaluation_shows, selectors.evaluation_get_for, "panels:detail"
)


@login_required
def evaluation_detail(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    user = staff_user(request, runs_evaluations, OFFICE)
    return EVALUATION_PAGE.show(request, user, evaluation_id)


@login_required
@require_POST
def evaluation_post(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    """The steps (open, close), an invitation, a hearing."""
    user = staff_user(request, runs_evaluations, OFFICE)
    evaluation = selectors.evaluation_get_for(user, evaluation_id)
    post = request.POST
    raw = post.get("action", "")
    version = posted_version(request)
    invited = ""
    try:
        if raw == "seat":
            panellist, _ = panellist_invite(
                actor=user,
                evaluation_id=evaluation.pk,
                user_id=int_or_none(post.get("user", "")) or 0,
            )
            messages.success(
                request, f"已将{panellist.name}列为评议人员，请其登录后在「我的测评」打分"
            )
        elif raw == "invite":
            panellist, token = panellist_invite(
                actor=user,
                evaluation_id=evaluation.pk,
                name=post.get("name", ""),
                group=post.get("group", ""),
            )
            link = request.build_absolute_uri(reverse("public_panels:join")) + f"?code={token}"
            invited = f"{panellist.name}的邀请链接（只显示这一次，请发送给本人）：{link}"
        elif raw == EvaluationAction.HEARING:
            hearing_record(
                actor=user,
                evaluation_id=evaluation.pk,
                expected_version=version,
                draft=_hearing_draft(post),
            )
            messages.success(request, "已记录面对面询问，整改承诺已转为督办单")
        elif raw in (EvaluationAction.OPEN, EvaluationAction.CLOSE):
            evaluation_act(
                actor=user,
                evaluation_id=evaluation.pk,
                action=EvaluationAction(raw),
                expected_version=version,
            )
            messages.success(request, f"已{EVALUATIONS.label(raw)}")
        else:
            raise ValidationFailed("未知的操作")
    except MinxinError as error:
        return EVALUATION_PAGE.refused(request, user, evaluation_id, error)
    if invited:  # shown once, on this page: the evaluation as the invitation left it
        evaluation = selectors.evaluation_get_for(user, evaluation_id)
        return EVALUATION_PAGE.render(request, user, evaluation, invited=invited)
    return redirect("panels:detail", evaluation.pk)


def _hearing_draft(post: QueryDict) -> HearingDraft:
    return HearingDraft(
        unit_id=int_or_none(post.get("unit", "")),
        held_at=datetime_or_none(post.get("held_at", "")),
        question=post.get("question", ""),
        asked_by=post.get("asked_by", ""),
        answer=post.get("answer", ""),
        commitments=post.get("commitments", "").splitlines(),
        due_at=datetime_or_none(post.get("due_at", "")),
    )


# --- the panellist ---------------------------------------------------------------------------


@never_cache
@ratelimit(key="ip", rate="30/h", block=True)
def join(request: HttpRequest) -> HttpResponse:
    """The invitation link: the code kept in the session, then the sheet (no code in the URL)."""
    code = request.GET.get("code", "")[:64]
    try:
        panellist_of(code)
    except MinxinError as error:
        return render(
            request, "panels/public/sheet.html", {"error": error}, status=error.status_code
        )
    request.session[TOKEN] = code
    return redirect("public_panels:sheet")


def _values(request: HttpRequest) -> dict[int, int]:
    """The sheet's scores from the form: item_<id> → an integer (a blank or a word is 400)."""
    values: dict[int, int] = {}
    for name in request.POST:
        if (
            name.startswith("item_")
            and (key := int_or_none(name.removeprefix("item_"))) is not None
        ):
            value = int_or_none(request.POST.get(name, ""))
            if value is None:
                raise ValidationFailed("得分应为整数")
            values[key] = value
    return values


def _sheet_page(
    request: HttpRequest,
    template: str,
    panellist: Panellist,
    *,
    error: MinxinError | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {"page": selectors.sheet_page(panellist)}
    if error is not None:
        context |= {"error": error, "posted": request.POST.dict()}
    return render(request, template, context, status=error.status_code if error else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="60/h", method="POST", block=True)
@public_read
def sheet(request: HttpRequest) -> HttpResponse:
    """The sheet of a panellist invited by link (the code in the session)."""
    template = "panels/public/sheet.html"
    token = str(request.session.get(TOKEN, ""))
    try:
        panellist = panellist_of(token)
    except MinxinError as error:
        return render(request, template, {"error": error}, status=error.status_code)
    if request.method == "POST":
        try:
            sheet_submit(
                token=token,
                unit_id=int_or_none(request.POST.get("unit", "")) or 0,
                values=_values(request),
            )
        except MinxinError as error:
            return _sheet_page(request, template, panellist, error=error)
        messages.success(request, "测评表已提交，谢谢")
        return redirect("public_panels:sheet")
    return _sheet_page(request, template, panellist)


# --- a deputy seated by account ---------------------------------------------------------------


@login_required
def my_evaluations(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, sits_on_panels, "人大代表")
    return render(request, "panels/mine.html", {"seats": selectors.seats_of(user)})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def my_sheet(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    """A seated deputy's sheet; anyone not on this panel is refused (403) and nothing is kept."""
    user = staff_user(request)
    template = "panels/my_sheet.html"
    try:
        panellist = seat_of(user, evaluation_id)
    except MinxinError as error:
        return render(request, template, {"error": error}, status=error.status_code)
    if request.method == "POST":
        try:
            sheet_submit(
                user=user,
                evaluation_id=evaluation_id,
                unit_id=int_or_none(request.POST.get("unit", "")) or 0,
                values=_values(request),
            )
        except MinxinError as error:
            return _sheet_page(request, template, panellist, error=error)
        messages.success(request, "测评表已提交，谢谢")
        return redirect("panels:my_sheet", evaluation_id)
    return _sheet_page(request, template, panellist)


@public_read
def public_results(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    district = jurisdiction_for_host(request.get_host())
    evaluation = selectors.evaluation_public_get(evaluation_id, district=district)
    return render(
        request,
        "panels/public/results.html",
        {
            "e": evaluation,
            "results": selectors.results(evaluation),
            "hearings": selectors.hearings_of(evaluation),
        },
    )
