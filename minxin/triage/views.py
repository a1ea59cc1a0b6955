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
from minxin.cases.workflow import Action, AppealStatus
from minxin.core.errors import MinxinError, ValidationFailed
from minxin.core.posted import int_or_none
from minxin.deadlines.models import Urgency
from minxin.directory.models import Category, Region, Unit
from minxin.directory.selectors import category_leaf_groups, places_to_choose
from minxin.dispatch.permissions import may_dispatch

from .forms import ScreenForm
from .models import CorrectionField, TriageSuggestion
from .selectors import auto_dispatch_rule_records, triage_suggestion_get, triage_suggestions_for
from .services import triage_correction_record
from .tasks import triage_waiting_queue

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
    """Loaded into the appeal page by HTMX while the appeal awaits screening. Without its
    suggestion yet (intake's triage has not run), the triage is queued as intake queues it —
    not computed in the request — and a short waiting state asks for the panel again."""
    user = staff_user(request, may_dispatch, "派单员")
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    context: dict[str, Any] = {"appeal": appeal, "screening": False, "waiting": False}
    if appeal.status == AppealStatus.RECEIVED:
        suggestion = triage_suggestion_get(appeal_id=appeal.pk)
        if suggestion is None:
            triage_waiting_queue()
            context["waiting"] = True
        else:
            context.update(_screen_context(appeal, suggestion))
    return render(request, "triage/panel.html", context)


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """The 快速交办 rules with how often their decisions were later corrected, loaded into the
    screening queue by HTMX (empty without rules)."""
    staff_user(request, may_dispatch, "派单员")
    return render(request, "triage/rules.html", {"records": auto_dispatch_rule_records()})


def _urgency(appeal: Appeal, s: TriageSuggestion) -> str:
    # The call-taker may have marked it more urgent than the text shows: keep the higher.
    return max(s.urgency, appeal.urgency, key=lambda u: _URGENCY_RANK.get(Urgency(u), 0))


def _screen_context(appeal: Appeal, s: TriageSuggestion) -> dict[str, Any]:
    urgency = _urgency(appeal, s)
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
        "regions": places_to_choose(district=appeal.jurisdiction_id),
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


# --- bulk: the queue's ticked appeals, one action, confirmed first ----------------------------

BULK_ACTIONS = {
    "accept": "采纳建议并派单",
    "invalid": "标记无效",
    "merge": "合并到同一件",
}
BULK_MAX = 100


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """The appeals ticked on the screening queue: the first post shows what will happen to each
    (the confirmation), the second (`confirm=1`) does it, one appeal at a time, each with the
    version it was confirmed at; what could not be done is listed, nothing else changes."""
    user = staff_user(request, may_dispatch, "派单员")
    action = request.POST.get("action", "")
    if action not in BULK_ACTIONS:
        raise ValidationFailed("请选择批量操作")
    ids = [n for x in request.POST.getlist("appeals") if (n := int_or_none(x)) is not None]
    ids = ids[:BULK_MAX]
    appeals = list(case_selectors.screening_queue(user=user).filter(pk__in=ids))
    if not appeals:
        raise ValidationFailed("请先勾选待甄别的诉求")
    reason = request.POST.get("reason", "").strip()[:500]
    into = request.POST.get("into_tracking_number", "").strip()[:30]
    if action == "invalid" and not reason:
        raise ValidationFailed("批量标记无效须填写理由")
    if action == "merge" and not into:
        raise ValidationFailed("请填写要合并到的原诉求受理编号")
    suggestions = triage_suggestions_for(appeal_ids=[a.pk for a in appeals])
    if request.POST.get("confirm") != "1":
        rows = [{"appeal": a, "suggestion": suggestions.get(a.pk)} for a in appeals]
        return render(
            request,
            "triage/bulk_confirm.html",
            {
                "action": action,
                "label": BULK_ACTIONS[action],
                "rows": rows,
                "reason": reason,
                "into": into,
            },
        )
    done: list[str] = []
    failed: list[str] = []
    for appeal in appeals:
        version = request.POST.get(f"version_{appeal.pk}", "")
        try:
            _bulk_one(
                user,
                appeal,
                action,
                version=int_or_none(version) or 0,
                reason=reason,
                into=into,
                suggestion=suggestions.get(appeal.pk),
            )
        except MinxinError as error:
            failed.append(f"{appeal.tracking_number}（{error.message}）")
        else:
            done.append(appeal.tracking_number)
    if done:
        messages.success(request, f"已{BULK_ACTIONS[action]} {len(done)} 件")
    gone = len(set(ids)) - len(appeals)
    if gone:
        messages.info(request, f"{gone} 件已不在待甄别队列（已被处理），未再处理")
    if failed:
        messages.error(request, f"未能处理 {len(failed)} 件：" + "；".join(failed))
    return redirect("dispatch:screening")


def _bulk_one(
    user: User,
    appeal: Appeal,
    action: str,
    *,
    version: int,
    reason: str,
    into: str,
    suggestion: TriageSuggestion | None,
) -> None:
    actor = Actor.of(user)
    if action == "invalid":
        case_services.appeal_act(
            appeal_id=appeal.pk,
            action=Action.MARK_INVALID,
            actor=actor,
            expected_version=version,
            reason=reason,
        )
    elif action == "merge":
        case_services.appeal_merge(
            appeal_id=appeal.pk,
            actor=actor,
            expected_version=version,
            into_tracking_number=into,
            reason=reason,
        )
    else:
        if suggestion is None or suggestion.category is None or suggestion.suggested_unit is None:
            raise ValidationFailed("没有完整的分类和承办单位建议，请逐件甄别")
        screened = case_services.appeal_screen(
            appeal_id=appeal.pk,
            actor=actor,
            expected_version=version,
            category_id=suggestion.category.pk,
            region_id=suggestion.region_id or appeal.region_id,
            urgency=_urgency(appeal, suggestion),
        )
        case_services.appeal_dispatch(
            appeal_id=appeal.pk,
            actor=actor,
            expected_version=screened.version,
            lead_unit_id=suggestion.suggested_unit.pk,
        )
