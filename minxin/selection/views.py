"""票决 screens for the office and the deputies: the rounds, a new round, a round's page (its
candidates, comments, running count, the steps the viewer may take, history), a candidate's
form, and a deputy's ballot.

Thin: parse, one selector or service, render. A refused write re-renders the page with the
Chinese message, what the user typed, and the error's 4xx status."""

from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.core.errors import MinxinError, ValidationFailed, form_cleaned
from minxin.core.posted import int_or_none
from minxin.core.steps import RecordPage, posted_version
from minxin.directory.selectors import areas_to_filter, places_to_choose, units_handling
from minxin.projects.models import Origin, ProjectKind
from minxin.projects.selectors import programmes_to_choose

from . import selectors
from .machine import ROUNDS
from .models import PassBase, SelectionRound, VoteChoice
from .permissions import is_deputy, may_see_rounds, runs_rounds
from .services import (
    CandidateDraft,
    RoundDraft,
    candidate_add,
    candidate_withdraw,
    deputy_vote,
    round_act,
    round_create,
)
from .workflow import RoundAction

VIEWERS_PAGE = "督查员、领导和人大代表"
OFFICE_PAGE = "督查员和领导"


def _when(value: Any) -> datetime | None:
    return (
        timezone.make_aware(value)
        if isinstance(value, datetime) and timezone.is_naive(value)
        else value
    )


class RoundForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "请填写票决名称"})
    programme = forms.ModelChoiceField(
        queryset=programmes_to_choose(),
        error_messages={"required": "请选择列入的年度计划", "invalid_choice": "所选计划不存在"},
    )
    region = forms.ModelChoiceField(
        queryset=areas_to_filter(),
        error_messages={"required": "请选择票决范围", "invalid_choice": "所选范围不存在"},
    )
    description = forms.CharField(max_length=5000, required=False)
    comment_closes_at = forms.DateTimeField(
        input_formats=["%Y-%m-%dT%H:%M"],
        error_messages={"required": "请填写公示截止时间", "invalid": "公示截止时间格式有误"},
    )
    vote_opens_at = forms.DateTimeField(
        input_formats=["%Y-%m-%dT%H:%M"],
        error_messages={"required": "请填写表决开始时间", "invalid": "表决开始时间格式有误"},
    )
    vote_closes_at = forms.DateTimeField(
        input_formats=["%Y-%m-%dT%H:%M"],
        error_messages={"required": "请填写表决截止时间", "invalid": "表决截止时间格式有误"},
    )
    pass_base = forms.ChoiceField(
        choices=PassBase.choices, error_messages={"invalid_choice": "通过基数有误"}
    )
    pass_percent = forms.IntegerField(
        min_value=50,
        max_value=99,
        error_messages={
            "required": "请填写通过比例",
            "invalid": "通过比例应为整数",
            "min_value": "通过比例应在50%到99%之间",
            "max_value": "通过比例应在50%到99%之间",
        },
    )
    residents_vote = forms.BooleanField(required=False)
    residents_choices = forms.IntegerField(
        min_value=1, max_value=50, required=False, error_messages={"invalid": "可选项目数应为整数"}
    )


class CandidateForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "请填写项目名称"})
    kind = forms.ChoiceField(
        choices=ProjectKind.choices,
        error_messages={"required": "请选择项目类别", "invalid_choice": "请选择项目类别"},
    )
    summary = forms.CharField(max_length=5000, error_messages={"required": "请填写项目内容"})
    lead_unit = forms.ModelChoiceField(
        queryset=units_handling(),
        error_messages={"required": "请选择牵头单位", "invalid_choice": "所选单位不存在"},
    )
    region = forms.ModelChoiceField(
        queryset=places_to_choose(),
        required=False,
        error_messages={"invalid_choice": "所选区域不存在"},
    )
    budget = forms.DecimalField(
        required=False,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=2,
        error_messages={"invalid": "预算应为数字", "min_value": "预算不能为负数"},
    )
    start_date = forms.DateField(
        error_messages={"required": "请填写计划开工日期", "invalid": "计划开工日期格式有误"}
    )
    end_date = forms.DateField(
        error_messages={"required": "请填写计划完成日期", "invalid": "计划完成日期格式有误"}
    )
    target_name = forms.CharField(max_length=100, required=False)
    target_value = forms.DecimalField(
        required=False,
        max_digits=16,
        decimal_places=2,
        error_messages={"invalid": "目标值应为数字"},
    )
    target_measure = forms.CharField(max_length=20, required=False)
    source = forms.ChoiceField(
        choices=Origin.choices, error_messages={"invalid_choice": "请选择来源"}
    )
    proposing_unit = forms.ModelChoiceField(
        queryset=units_handling(),
        required=False,
        error_messages={"invalid_choice": "所选单位不存在"},
    )
    suggestion_number = forms.CharField(max_length=30, required=False)
    appeal_number = forms.CharField(max_length=30, required=False)


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_see_rounds, VIEWERS_PAGE)
    return render(
        request,
        "selection/round_list.html",
        {"rounds": selectors.rounds_for(user)[:100], "can_create": runs_rounds(user)},
    )


def _round_form_context(user: User, posted: dict[str, Any]) -> dict[str, Any]:
    """The form's choices: the viewer's district's programmes and areas (every district's for
    the city's staff; the service refuses a programme of another district)."""
    district = user.jurisdiction_scope
    return {
        "posted": posted,
        "programmes": selectors.programmes_for_rounds(user),
        "regions": areas_to_filter(district=district).order_by("code"),
        "bases": PassBase.choices,
    }


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, runs_rounds, OFFICE_PAGE)
    if request.method == "GET":
        # The form's first values: half of those present pass a project, residents pick three.
        posted = {"pass_base": PassBase.PRESENT, "pass_percent": "50", "residents_choices": "3"}  # nosec B105
        return render(request, "selection/round_new.html", _round_form_context(user, posted))
    form = RoundForm(request.POST)
    try:
        data = form_cleaned(form)
        selection = round_create(
            actor=user,
            draft=RoundDraft(
                title=data["title"],
                programme_id=data["programme"].pk,
                region_id=data["region"].pk,
                description=data["description"],
                comment_closes_at=_when(data["comment_closes_at"]),
                vote_opens_at=_when(data["vote_opens_at"]),
                vote_closes_at=_when(data["vote_closes_at"]),
                pass_base=data["pass_base"],
                pass_percent=data["pass_percent"],
                residents_vote=data["residents_vote"],
                residents_choices=data["residents_choices"] or 3,
            ),
        )
    except MinxinError as error:
        context = _round_form_context(user, request.POST.dict()) | {"error": error}
        return render(request, "selection/round_new.html", context, status=error.status_code)
    messages.success(request, "已新建票决，请录入候选项目")
    return redirect("selection:round_detail", selection.pk)


def _round_shows(user: User, selection: SelectionRound) -> dict[str, Any]:
    actions = ROUNDS.available(actor=Actor.of(user), status=selection.status)
    return {
        "r": selection,
        "p": selectors.round_page(selection, viewer=user),
        "forms": ROUNDS.forms(actions),
        "can_add": RoundAction.ADD_CANDIDATE in actions,
        "can_withdraw": RoundAction.WITHDRAW_CANDIDATE in actions,
        "office": runs_rounds(user),
        "deputy": is_deputy(user),
        "choices": VoteChoice.choices,
        "now": timezone.now(),
    }


ROUND_PAGE = RecordPage(
    "selection/round_detail.html", _round_shows, selectors.round_get_for, "selection:round_detail"
)


@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    user = staff_user(request, may_see_rounds, VIEWERS_PAGE)
    return ROUND_PAGE.show(request, user, round_id)


@login_required
@require_POST
def round_step(request: HttpRequest, round_id: int) -> HttpResponse:
    user = staff_user(request, runs_rounds, OFFICE_PAGE)
    return ROUND_PAGE.step(
        request,
        user,
        round_id,
        RoundAction,
        partial(round_act, actor=user, round_id=round_id),
        label=ROUNDS.label,
    )


@login_required
@require_http_methods(["GET", "POST"])
def candidate_new(request: HttpRequest, round_id: int) -> HttpResponse:
    user = staff_user(request, runs_rounds, OFFICE_PAGE)
    selection = selectors.round_get_for(user, round_id)
    context: dict[str, Any] = {
        "r": selection,
        "kinds": ProjectKind.choices,
        "sources": Origin.choices,
        "units": units_handling(district=selection.jurisdiction_id),
        "regions": places_to_choose(district=selection.jurisdiction_id),
    }
    if request.method == "GET":
        year = selection.programme.year
        posted = {
            "source": request.GET.get("source", Origin.OFFICE),
            "suggestion_number": request.GET.get("suggestion", "")[:30],
            "appeal_number": request.GET.get("appeal", "")[:30],
            "start_date": f"{year}-03-01",
            "end_date": f"{year}-12-31",
        }
        return render(
            request,
            "selection/candidate_new.html",
            context | {"posted": posted, "version": selection.version},
        )
    form = CandidateForm(request.POST)
    try:
        data = form_cleaned(form)
        candidate = candidate_add(
            actor=user,
            round_id=selection.pk,
            expected_version=posted_version(request),
            draft=CandidateDraft(
                name=data["name"],
                kind=data["kind"],
                summary=data["summary"],
                lead_unit_id=data["lead_unit"].pk,
                start_date=data["start_date"],
                end_date=data["end_date"],
                source=data["source"],
                region_id=data["region"].pk if data["region"] else None,
                budget=data["budget"],
                target_name=data["target_name"],
                target_value=data["target_value"],
                target_measure=data["target_measure"],
                proposing_unit_id=data["proposing_unit"].pk if data["proposing_unit"] else None,
                suggestion_number=data["suggestion_number"],
                appeal_number=data["appeal_number"],
            ),
        )
    except MinxinError as error:
        context |= {
            "posted": request.POST.dict(),
            "error": error,
            "version": request.POST.get("version", ""),
        }
        return render(request, "selection/candidate_new.html", context, status=error.status_code)
    messages.success(request, f"已录入候选项目「{candidate.name}」")
    return redirect("selection:round_detail", selection.pk)


@login_required
@require_POST
def candidate_remove(request: HttpRequest, round_id: int, candidate_id: int) -> HttpResponse:
    user = staff_user(request, runs_rounds, OFFICE_PAGE)
    withdraw = partial(
        candidate_withdraw,
        actor=user,
        round_id=round_id,
        candidate_id=candidate_id,
        reason=request.POST.get("reason", ""),
        expected_version=posted_version(request),
    )
    return ROUND_PAGE.take(
        request, user, round_id, withdraw, said=lambda c: f"已撤回候选项目「{c.name}」"
    )


@login_required
@require_POST
def ballot(request: HttpRequest, round_id: int) -> HttpResponse:
    """A deputy's ballot: one choice per candidate (`vote_<candidate id>`), all at once."""
    user = staff_user(request, is_deputy, "人大代表")

    def vote() -> object:
        choices: dict[int, str] = {}
        for name in request.POST:
            if name.startswith("vote_"):
                candidate = int_or_none(name.removeprefix("vote_"))
                if candidate is None:
                    raise ValidationFailed("表决票中有不属于本轮的候选项目，请刷新后重新表决")
                choices[candidate] = request.POST.get(name, "")
        return deputy_vote(actor=user, round_id=round_id, choices=choices)

    return ROUND_PAGE.take(request, user, round_id, vote, said="表决票已提交，感谢您履职")
