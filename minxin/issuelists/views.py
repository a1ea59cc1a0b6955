"""Issue-list screens: the office's ranking of the units' lists, a unit's list with its items
(and the form to add one), and an item's page — its volume check, linked and suggested
appeals, timeline, the unit's and the office's actions, a leader's charge and instructions.

Thin: parse, one selector or service, render. A refused write re-renders the page with the
Chinese message, what the user typed, and the error's 4xx status."""

from datetime import timedelta
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
from minxin.accounts.roles import Role
from minxin.core.errors import MinxinError, NotFound, ValidationFailed, form_cleaned
from minxin.core.pagination import paginate
from minxin.core.posted import ids_or_none, int_or_none
from minxin.core.steps import RecordPage
from minxin.deadlines.calendar import working_day_end
from minxin.directory.models import Unit
from minxin.directory.selectors import (
    categories_active,
    places_to_choose,
    unit_get,
    units_handling,
)

from . import selectors, services
from .machine import ITEMS
from .models import Difficulty, IssueItem, Urgency
from .permissions import may_keep_list, may_see_lists, sees_every_list
from .workflow import ItemAction, ItemStatus

VIEWERS_PAGE = "督查室、领导、派单员和各单位"


class ItemForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "请填写事项名称"})
    goal = forms.CharField(max_length=3000, error_messages={"required": "请填写工作目标"})
    description = forms.CharField(max_length=3000, required=False)
    responsible = forms.CharField(max_length=50, error_messages={"required": "请填写责任人"})
    deadline = forms.DateField(
        error_messages={"required": "请填写完成时限", "invalid": "完成时限格式有误"}
    )
    urgency = forms.ChoiceField(choices=Urgency.choices, required=False)
    difficulty = forms.ChoiceField(choices=Difficulty.choices, required=False)
    categories = forms.ModelMultipleChoiceField(
        queryset=categories_active(),
        required=False,
        error_messages={"invalid_choice": "所选诉求分类不存在", "invalid_pk_value": "分类有误"},
    )
    regions = forms.ModelMultipleChoiceField(
        queryset=places_to_choose(),
        required=False,
        error_messages={"invalid_choice": "所选区域不存在", "invalid_pk_value": "区域有误"},
    )


class InstructForm(forms.Form):
    instruction = forms.CharField(max_length=3000, error_messages={"required": "请填写批示内容"})
    unit = forms.ModelChoiceField(
        queryset=units_handling(), required=False, error_messages={"invalid_choice": "单位有误"}
    )
    due = forms.DateField(
        error_messages={"required": "请填写办理时限", "invalid": "办理时限格式有误"}
    )


def _year(raw: str | None) -> int:
    year = timezone.localdate().year
    number = int_or_none(raw)
    return number if number is not None and 2000 <= number <= 2100 else year


@login_required
def list_index(request: HttpRequest) -> HttpResponse:
    """The office's review: every unit's list of the year, ranked. A unit's handler sees its
    own list here (the page the navigation opens)."""
    user = staff_user(request, may_see_lists, VIEWERS_PAGE)
    year = _year(request.GET.get("year"))
    if not sees_every_list(user):
        assert user.unit is not None  # may_see_lists
        return _list_render(request, user=user, unit=user.unit, year=year)
    return render(
        request,
        "issuelists/list_index.html",
        {
            "year": year,
            "years": [year - 1, year, year + 1],
            "ranks": selectors.lists_ranked(year=year),
            "units": units_handling(),
            "can_keep": user.role not in (Role.DISPATCHER,),
        },
    )


@login_required
def dashboard_panel(request: HttpRequest) -> HttpResponse:
    """The dashboard's review of the lists: the year's five lists ranked last (most overdue
    first) and the totals, linking to the full ranking. An HTMX fragment."""
    staff_user(request, sees_every_list, "督查室、领导和派单员")
    year = timezone.localdate().year
    ranks = selectors.lists_ranked(year=year)
    return render(
        request,
        "issuelists/dashboard_panel.html",
        {
            "year": year,
            "worst": [r for r in reversed(ranks) if r.overdue][:5],
            "lists": len(ranks),
            "items": sum(r.items for r in ranks),
            "live": sum(r.live for r in ranks),
            "overdue": sum(r.overdue for r in ranks),
            "closed": sum(r.closed for r in ranks),
        },
    )


def _list_render(
    request: HttpRequest,
    *,
    user: User,
    unit: Unit,
    year: int,
    error: MinxinError | None = None,
    posted: dict[str, Any] | None = None,
) -> HttpResponse:
    items = selectors.items_listed(user, unit_id=unit.pk, year=year)
    page = paginate(request, items)
    context = {
        "unit": unit,
        "year": year,
        "page": page,
        "items": page.object_list,
        "today": timezone.localdate(),
        "can_keep": may_keep_list(user, unit.pk),
        "categories": categories_active().order_by("path_name"),
        "regions": places_to_choose(),
        "urgencies": Urgency.choices,
        "difficulties": Difficulty.choices,
        "posted": posted or {"deadline": (timezone.localdate() + timedelta(days=90)).isoformat()},
        "posted_categories": (posted or {}).get("categories", []),
        "posted_regions": (posted or {}).get("regions", []),
        "error": error,
    }
    status = error.status_code if error else 200
    return render(request, "issuelists/list_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def list_detail(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    user = staff_user(request, may_see_lists, VIEWERS_PAGE)
    if not sees_every_list(user) and user.unit_id != unit_id:
        raise NotFound("未找到该单位的事项清单或无权查看")
    unit = unit_get(unit_id)
    if unit is None:
        raise NotFound("未找到该单位的事项清单或无权查看")
    year = _year(str(year))
    if request.method == "GET":
        return _list_render(request, user=user, unit=unit, year=year)
    form = ItemForm(request.POST)
    try:
        data = form_cleaned(form)
        item = services.issue_item_add(
            actor=user,
            unit_id=unit.pk,
            year=year,
            draft=services.ItemDraft(
                title=data["title"],
                goal=data["goal"],
                description=data["description"],
                responsible=data["responsible"],
                deadline=data["deadline"],
                urgency=data["urgency"] or Urgency.NORMAL,
                difficulty=data["difficulty"] or Difficulty.NORMAL,
                category_ids=[c.pk for c in data["categories"]],
                region_ids=[r.pk for r in data["regions"]],
            ),
        )
    except MinxinError as error:
        posted: dict[str, Any] = request.POST.dict()
        posted["categories"] = request.POST.getlist("categories")
        posted["regions"] = request.POST.getlist("regions")
        return _list_render(request, user=user, unit=unit, year=year, error=error, posted=posted)
    messages.success(request, f"已列入清单：{item.title}")
    return redirect("issuelists:item_detail", item.pk)


def _item_shows(user: User, item: IssueItem) -> dict[str, Any]:
    who = Actor.of(user)
    actions = ITEMS.available(actor=who, status=item.status, lead_unit_id=item.issue_list.unit_id)
    return {
        "item": item,
        "history": selectors.item_history(item),
        "volume": services.item_volume(item),
        "linked": selectors.item_appeals(item, user)[:50],
        "linked_count": item.appeal_links.count(),
        "suggested": (
            selectors.appeals_suggested(item, user) if ItemAction.LINK_APPEAL in actions else []
        ),
        "forms": ITEMS.forms(actions),
        "may_link": ItemAction.LINK_APPEAL in actions,
        "may_take_charge": ItemAction.TAKE_CHARGE in actions and item.leader_id != user.pk,
        "may_instruct": ItemAction.INSTRUCT in actions,
        "units": units_handling(),
        "overdue": item.status != ItemStatus.CLOSED and item.deadline < timezone.localdate(),
        "default_due": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }


ITEM_PAGE = RecordPage(
    "issuelists/item_detail.html", _item_shows, selectors.item_get_for, "issuelists:item_detail"
)


@login_required
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    user = staff_user(request, may_see_lists, VIEWERS_PAGE)
    return ITEM_PAGE.show(request, user, item_id)


@login_required
@require_POST
def item_act(request: HttpRequest, item_id: int) -> HttpResponse:
    user = staff_user(request, may_see_lists, VIEWERS_PAGE)
    return ITEM_PAGE.step(
        request,
        user,
        item_id,
        ItemAction,
        partial(services.issue_item_act, actor=user, item_id=item_id),
        label=ITEMS.label,
    )


@login_required
@require_POST
def item_link(request: HttpRequest, item_id: int) -> HttpResponse:
    user = staff_user(request, may_see_lists, VIEWERS_PAGE)

    def link() -> int:
        ids = ids_or_none(request.POST.getlist("appeals"))
        if ids is None:
            raise ValidationFailed("所选诉求有误")
        return services.issue_item_link(actor=user, item_id=item_id, appeal_ids=ids)

    return ITEM_PAGE.take(request, user, item_id, link, said=lambda n: f"已关联 {n} 件诉求")


@login_required
@require_POST
def item_take_charge(request: HttpRequest, item_id: int) -> HttpResponse:
    user = staff_user(request, may_see_lists, VIEWERS_PAGE)
    take_charge = partial(services.issue_item_take_charge, actor=user, item_id=item_id)
    return ITEM_PAGE.take(request, user, item_id, take_charge, said="已包案该事项")


@login_required
@require_POST
def item_instruct(request: HttpRequest, item_id: int) -> HttpResponse:
    user = staff_user(request, may_see_lists, VIEWERS_PAGE)

    def instruct() -> object:
        data = form_cleaned(InstructForm(request.POST))
        return services.issue_item_instruct(
            actor=user,
            item_id=item_id,
            instruction=data["instruction"],
            unit_id=data["unit"].pk if data["unit"] else None,
            due_at=working_day_end(data["due"]),
        )

    return ITEM_PAGE.take(request, user, item_id, instruct, said="已批示，并向办理单位下发督办单")
