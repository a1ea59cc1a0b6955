"""The screening panel: triage's suggestions beside the screening form, prefilled with them."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases import selectors as case_selectors
from minxin.cases import services as case_services
from minxin.cases.models import Appeal, AppealKind
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import MinxinError, ValidationFailed
from minxin.deadlines.models import Urgency
from minxin.directory.models import Category, Region, Unit
from minxin.directory.selectors import category_leaf_groups, places_to_choose
from minxin.dispatch.permissions import may_dispatch

from .forms import ScreenForm
from .models import CorrectionField, TriageSuggestion
from .selectors import triage_suggestion_get
from .services import appeal_triage, triage_correction_record

PERSONAL_LABELS = {
    "phone": "电话号码",
    "id_card": "身份证号",
    "plate": "车牌号",
    "email": "电子邮箱",
    "name": "姓名",
}
_URGENCY_RANK = {Urgency.NORMAL: 0, Urgency.URGENT: 1, Urgency.CRITICAL: 2}


@login_required
def panel(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """Loaded into the appeal page by HTMX while the appeal awaits screening."""
    user = staff_user(request, may_dispatch, "派单员")
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    context: dict[str, Any] = {"appeal": appeal, "screening": False}
    if appeal.status == AppealStatus.RECEIVED:
        suggestion = triage_suggestion_get(appeal_id=appeal.pk)
        if suggestion is None:  # the intake task has not run (yet): compute it now
            appeal_triage(appeal_id=appeal.pk, auto_dispatch=False)
            suggestion = triage_suggestion_get(appeal_id=appeal.pk)
        assert suggestion is not None
        context.update(_screen_context(appeal, suggestion))
    return render(request, "triage/panel.html", context)


def _screen_context(appeal: Appeal, s: TriageSuggestion) -> dict[str, Any]:
    # The call-taker may have marked it more urgent than the text shows: keep the higher.
    urgency = max(s.urgency, appeal.urgency, key=lambda u: _URGENCY_RANK.get(Urgency(u), 0))
    categories = category_leaf_groups()
    leaf_ids = {c.pk for _, cats in categories for c in cats}
    return {
        "screening": True,
        "suggestion": s,
        "personal": [
            (PERSONAL_LABELS.get(kind, kind), n) for kind, n in sorted(s.personal_data.items())
        ],
        "chosen": {
            "category": s.category or appeal.category,
            "region_id": s.region_id or appeal.region_id,
            "urgency": urgency,
            "kind": appeal.kind,
        },
        "extra_category": s.category if s.category and s.category.pk not in leaf_ids else None,
        "categories": categories,
        "regions": places_to_choose(),
        "urgencies": Urgency.choices,
        "kinds": AppealKind.choices,
    }


@login_required
@require_POST
def screen(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """Screen with the chosen values; each one that differs from the suggestion is recorded
    as a correction (a training example for the next `minxin triage train`)."""
    user = staff_user(request, may_dispatch, "派单员")
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    form = ScreenForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(
            "页面已过期，请刷新后重试" if "version" in form.errors else "请选择分类和紧急程度"
        )
    data = form.cleaned_data
    category: Category = data["category"]
    region: Region | None = data["region"]
    screened = case_services.appeal_screen(
        appeal_id=appeal.pk,
        actor=Actor.of(user),
        expected_version=data["version"],
        category_id=category.pk,
        region_id=region.pk if region else None,
        urgency=data["urgency"],
        kind=data["kind"] or None,
    )
    suggestion = triage_suggestion_get(appeal_id=appeal.pk)
    if suggestion is not None:
        suggested_region = suggestion.region.code if suggestion.region else ""
        for field, suggested, chosen in (
            (
                CorrectionField.CATEGORY,
                suggestion.category.path_name if suggestion.category else suggestion.category_path,
                category.path_name,
            ),
            (CorrectionField.URGENCY, suggestion.urgency, data["urgency"]),
            (CorrectionField.REGION, suggested_region, region.code if region else ""),
        ):
            triage_correction_record(
                appeal_id=appeal.pk,
                field=field,
                suggested_value=suggested,
                chosen_value=chosen,
                actor=user,
            )
    unit = suggestion.suggested_unit if suggestion is not None else None
    if request.POST.get("dispatch") == "1" and unit is not None:
        return _dispatch_suggested(request, user=user, appeal=screened, unit=unit)
    messages.success(request, "已甄别，请派单")
    return redirect("cases:appeal_detail", appeal.pk)


def _dispatch_suggested(
    request: HttpRequest, *, user: User, appeal: Appeal, unit: Unit
) -> HttpResponse:
    """Screened with the suggestion: dispatched to the suggested unit in the same step, then on
    to the head of the queue (a dispatcher's 500 a day are one key each when triage is right).
    A dispatch refused leaves the appeal screened, with the dispatch form and the reason."""
    try:
        case_services.appeal_dispatch(
            appeal_id=appeal.pk,
            actor=Actor.of(user),
            expected_version=appeal.version,
            lead_unit_id=unit.pk,
        )
    except MinxinError as error:
        messages.error(request, f"已甄别，派单未成功：{error.message}")
        return redirect("cases:appeal_detail", appeal.pk)
    messages.success(request, f"{appeal.tracking_number} 已甄别并派单至{unit.name}")
    following = case_selectors.screening_queue(user=user).first()
    if following is not None:
        return redirect("cases:appeal_detail", following.pk)
    return redirect("dispatch:screening")
