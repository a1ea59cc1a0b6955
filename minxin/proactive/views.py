"""未诉先办 screens: the list, a new task (by hand or from a hotspot or a repeat matter on
the dashboard), and a task's page with its actions, history and measured effect.

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
from minxin.core.errors import MinxinError, form_cleaned
from minxin.core.pagination import paginate, query_without_page
from minxin.core.posted import int_or_none
from minxin.core.steps import RecordPage
from minxin.deadlines.calendar import working_day_end
from minxin.directory.selectors import categories_active, places_to_choose, units_handling

from . import selectors
from .machine import TASKS
from .models import ProactiveTask, TaskSource
from .permissions import may_propose_tasks, may_see_tasks
from .services import TaskDraft, proactive_task_act, proactive_task_propose
from .workflow import TaskAction, TaskStatus

VIEWERS_PAGE = "督查员、派单员、领导和承办单位"
PROPOSERS_PAGE = "督查员、派单员和领导"


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "请填写任务名称"})
    content = forms.CharField(max_length=2000, error_messages={"required": "请填写任务内容"})
    unit = forms.ModelChoiceField(
        queryset=units_handling(),
        error_messages={"required": "请选择责任单位", "invalid_choice": "所选单位不存在"},
    )
    category = forms.ModelChoiceField(
        queryset=categories_active(),
        required=False,
        error_messages={"invalid_choice": "所选诉求分类不存在"},
    )
    region = forms.ModelChoiceField(
        queryset=places_to_choose(),
        required=False,
        error_messages={"invalid_choice": "所选区域不存在"},
    )
    due = forms.DateField(
        error_messages={"required": "请填写完成期限", "invalid": "完成期限格式有误"}
    )
    source = forms.ChoiceField(choices=TaskSource.choices, required=False)
    appeal = forms.IntegerField(required=False, min_value=1)


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *TaskStatus.choices]
    )


def _form_context(*, posted: dict[str, Any], appeal_id: int | None) -> dict[str, Any]:
    return {
        "posted": posted,
        "appeal_id": appeal_id,
        "units": units_handling(),
        "categories": categories_active().order_by("path_name"),
        "regions": places_to_choose(),
        "sources": TaskSource.choices,
    }


def _posted_from(draft: TaskDraft) -> dict[str, Any]:
    return {
        "title": draft.title,
        "content": draft.content,
        "unit": str(draft.unit_id or ""),
        "category": str(draft.category_id or ""),
        "region": str(draft.region_id or ""),
        "source": draft.source,
        "due": (timezone.localdate() + timedelta(days=14)).isoformat(),
    }


def _seasonal_draft(query: Any) -> TaskDraft:
    """A seasonal suggestion of the list page, as a first draft the proposer edits."""
    suggestion = next(
        (
            x
            for x in selectors.seasonal_suggestions()
            if str(x.category.pk) == query.get("category")
            and str(x.region.pk) == query.get("region")
        ),
        None,
    )
    if suggestion is None:
        return TaskDraft("", "", None, None, source=TaskSource.SEASONAL)
    year, month = suggestion.target
    return TaskDraft(
        title=f"{suggestion.region.name}{suggestion.category.name}类问题{month}月前主动排查",
        content=(
            f"去年{month}月{suggestion.region.name}「{suggestion.category.name}」类诉求"
            f"{suggestion.last_year}件，是当年月均（{suggestion.mean}件）的"
            f"{suggestion.last_year / max(suggestion.mean, 0.1):.1f}倍。"
            f"请在{year}年{month}月前主动排查、提前处置，并将结果报回。"
        ),
        unit_id=suggestion.unit.pk if suggestion.unit else None,
        due_at=None,
        category_id=suggestion.category.pk,
        region_id=suggestion.region.pk,
        source=TaskSource.SEASONAL,
    )


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_see_tasks, VIEWERS_PAGE)
    form = FilterForm(request.GET or None)
    tasks = selectors.tasks_for(user)
    if form.is_valid() and form.cleaned_data["status"]:
        tasks = tasks.filter(status=form.cleaned_data["status"])
    page = paginate(request, tasks)
    query = query_without_page(request.GET)
    return render(
        request,
        "proactive/task_list.html",
        {
            "form": form,
            "page": page,
            "tasks": page.object_list,
            "query": query,
            "can_propose": may_propose_tasks(user),
            "seasonal": selectors.seasonal_suggestions() if may_propose_tasks(user) else [],
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_propose(request: HttpRequest) -> HttpResponse:
    """GET `?appeal=<id>&source=hotspot|repeat` proposes from the dashboard's matter: the form
    comes filled in from the appeal, which the proposer must be allowed to see."""
    user = staff_user(request, may_propose_tasks, PROPOSERS_PAGE)
    if request.method == "GET":
        raw = request.GET.get("appeal", "")
        appeal_id = int_or_none(raw)
        if appeal_id is not None:
            source = request.GET.get("source", TaskSource.HOTSPOT)
            posted = _posted_from(selectors.draft_from_appeal(user, appeal_id, source))
        elif request.GET.get("source") == TaskSource.SEASONAL:
            posted = _posted_from(_seasonal_draft(request.GET))
        else:
            posted = _posted_from(TaskDraft("", "", None, None))
        context = _form_context(posted=posted, appeal_id=appeal_id)
        return render(request, "proactive/task_propose.html", context)
    form = TaskForm(request.POST)
    # Kept for the form shown again after a refusal, so the task stays tied to its appeal.
    raw = request.POST.get("appeal", "")
    appeal_id = int_or_none(raw)
    try:
        data = form_cleaned(form)
        appeal_id = data["appeal"]
        if appeal_id is not None:  # the proposer must see the appeal the task comes from
            selectors.draft_from_appeal(user, appeal_id, data["source"] or TaskSource.HOTSPOT)
        task = proactive_task_propose(
            actor=user,
            draft=TaskDraft(
                title=data["title"],
                content=data["content"],
                unit_id=data["unit"].pk,
                due_at=working_day_end(data["due"]),
                category_id=data["category"].pk if data["category"] else None,
                region_id=data["region"].pk if data["region"] else None,
                source=data["source"] or TaskSource.MANUAL,
                source_appeal_id=appeal_id,
            ),
        )
    except MinxinError as error:
        context = _form_context(posted=request.POST.dict(), appeal_id=appeal_id)
        context["error"] = error
        return render(request, "proactive/task_propose.html", context, status=error.status_code)
    messages.success(request, f"已向{task.unit.name}提出未诉先办任务")
    return redirect("proactive:task_detail", task.pk)


def _task_shows(user: User, task: ProactiveTask) -> dict[str, Any]:
    actions = TASKS.available(actor=Actor.of(user), status=task.status, lead_unit_id=task.unit_id)
    return {
        "task": task,
        "history": selectors.task_history(task),
        "effect": selectors.task_effect(task),
        "forms": TASKS.forms(actions),
        "overdue": task.status in (TaskStatus.PROPOSED, TaskStatus.IN_PROGRESS)
        and task.due_at < timezone.now(),
    }


TASK_PAGE = RecordPage(
    "proactive/task_detail.html", _task_shows, selectors.task_get_for, "proactive:task_detail"
)


@login_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    user = staff_user(request, may_see_tasks, VIEWERS_PAGE)
    return TASK_PAGE.show(request, user, task_id)


@login_required
@require_POST
def task_act(request: HttpRequest, task_id: int) -> HttpResponse:
    user = staff_user(request, may_see_tasks, VIEWERS_PAGE)
    return TASK_PAGE.step(
        request,
        user,
        task_id,
        TaskAction,
        partial(proactive_task_act, actor=user, task_id=task_id),
        label=TASKS.label,
    )
