"""Task force screens: the list, setting one up, and its page — members, scope (items,
appeals, projects), the appeals every member sees, meetings with their decisions and the
state of each decision's order, the timeline, and the office's and lead unit's forms.

Thin: parse, one selector or service, render. A refused write re-renders the page with the
Chinese message, what the user typed, and the error's 4xx status."""

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.core.errors import MinxinError, ValidationFailed
from minxin.core.pagination import paginate
from minxin.core.posted import date_or_none, datetime_or_none, ids_or_none, int_or_none
from minxin.core.steps import RecordPage
from minxin.deadlines.calendar import working_day_end
from minxin.directory.selectors import units_handling
from minxin.supervision.permissions import takes_charge

from . import selectors, services
from .machine import TASK_FORCES
from .models import TaskForce
from .permissions import may_see_task_forces, may_set_up
from .workflow import TaskForceAction

VIEWERS_PAGE = "督查室、领导和各单位"
OFFICE_PAGE = "督查室和领导"
DECISION_ROWS = 3  # decision rows on the meeting form (more in another record)


def _ids(values: list[str]) -> list[int]:
    ids = ids_or_none(values)
    if ids is None:
        raise ValidationFailed("所选内容有误")
    return ids


def _numbers(raw: str) -> list[str]:
    """Tracking numbers typed one per line or separated by spaces, commas or 、."""
    for sep in ",，、;；\n\r\t":
        raw = raw.replace(sep, " ")
    return [n for n in raw.split(" ") if n]


def _scope(post: QueryDict) -> services.Scope:
    return services.Scope(
        item_ids=_ids(post.getlist("items")),
        tracking_numbers=_numbers(post.get("appeals", "")),
        project_ids=_ids(post.getlist("projects")),
    )


def _pickers() -> dict[str, Any]:
    return {"units": units_handling(), **selectors.scope_choices()}


@login_required
def task_force_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_see_task_forces, VIEWERS_PAGE)
    page = paginate(request, selectors.task_forces_listed(user))
    return render(
        request,
        "taskforces/task_force_list.html",
        {"page": page, "forces": page.object_list, "can_set_up": may_set_up(user), "query": ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_force_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_set_up, OFFICE_PAGE)
    if request.method == "GET":
        return render(request, "taskforces/task_force_new.html", {**_pickers(), "posted": {}})
    post = request.POST
    try:
        lead = post.get("lead_unit", "")
        leader = post.get("leader", "")
        task_force = services.task_force_set_up(
            actor=user,
            name=post.get("name", ""),
            purpose=post.get("purpose", ""),
            lead_unit_id=int_or_none(lead),
            member_ids=_ids(post.getlist("members")),
            leader_id=int_or_none(leader),
            scope=_scope(post),
        )
    except MinxinError as error:
        context = {
            **_pickers(),
            "posted": post.dict(),
            "posted_members": post.getlist("members"),
            "posted_items": post.getlist("items"),
            "posted_projects": post.getlist("projects"),
            "error": error,
        }
        return render(request, "taskforces/task_force_new.html", context, status=error.status_code)
    messages.success(request, f"已成立{task_force.name}")
    return redirect("taskforces:task_force_detail", task_force.pk)


def _task_force_shows(user: User, task_force: TaskForce) -> dict[str, Any]:
    lead, members = TASK_FORCES.units(task_force) if TASK_FORCES.units else (None, frozenset())
    actions = TASK_FORCES.available(
        actor=Actor.of(user),
        status=task_force.status,
        lead_unit_id=lead,
        assisting_unit_ids=members,
    )
    appeals = selectors.task_force_appeals(task_force)
    return {
        **_pickers(),
        "task_force": task_force,
        "members": task_force.members.order_by("name"),
        "scope_items": task_force.items.select_related("issue_list__unit").order_by("deadline"),
        "scope_projects": task_force.projects.order_by("name"),
        "appeals": appeals[:50],
        "appeal_count": appeals.count(),
        "meetings": selectors.task_force_meetings(task_force),
        "history": selectors.task_force_timeline(task_force),
        "may": {a: a in actions for a in TaskForceAction},
        "decision_rows": range(DECISION_ROWS),
        "today": timezone.localdate().isoformat(),
    }


TASK_FORCE_PAGE = RecordPage(
    "taskforces/task_force_detail.html",
    _task_force_shows,
    selectors.task_force_get_for,
    "taskforces:task_force_detail",
)


@login_required
def task_force_detail(request: HttpRequest, task_force_id: int) -> HttpResponse:
    user = staff_user(request, may_see_task_forces, VIEWERS_PAGE)
    return TASK_FORCE_PAGE.show(request, user, task_force_id)


@login_required
@require_POST
def members_add(request: HttpRequest, task_force_id: int) -> HttpResponse:
    user = staff_user(request, may_see_task_forces, VIEWERS_PAGE)
    return TASK_FORCE_PAGE.take(
        request,
        user,
        task_force_id,
        lambda: services.task_force_add_members(
            actor=user, task_force_id=task_force_id, unit_ids=_ids(request.POST.getlist("members"))
        ),
        said="已增加成员单位",
    )


@login_required
@require_POST
def scope_add(request: HttpRequest, task_force_id: int) -> HttpResponse:
    user = staff_user(request, may_see_task_forces, VIEWERS_PAGE)
    return TASK_FORCE_PAGE.take(
        request,
        user,
        task_force_id,
        lambda: services.task_force_add_scope(
            actor=user, task_force_id=task_force_id, scope=_scope(request.POST)
        ),
        said="已纳入专班范围",
    )


def _due(raw: str) -> datetime | None:
    """A date input's value as the end of that working day, or None if it is not one."""
    day = date_or_none(raw)
    return working_day_end(day) if day else None


@login_required
@require_POST
def meeting_record(request: HttpRequest, task_force_id: int) -> HttpResponse:
    user = staff_user(request, may_see_task_forces, VIEWERS_PAGE)
    post = request.POST
    decisions = []
    for i in range(DECISION_ROWS):
        content = post.get(f"decision_{i}", "").strip()
        unit, due = post.get(f"decision_{i}_unit", ""), post.get(f"decision_{i}_due", "")
        if not content and not unit:
            continue
        decisions.append(
            services.DecisionDraft(content=content, unit_id=int_or_none(unit), due_at=_due(due))
        )
    draft = services.MeetingDraft(
        held_at=datetime_or_none(post.get("held_at", "")),
        place=post.get("place", ""),
        attendees=post.get("attendees", ""),
        minutes=post.get("minutes", ""),
        decisions=decisions,
    )
    return TASK_FORCE_PAGE.take(
        request,
        user,
        task_force_id,
        lambda: services.task_force_meeting(actor=user, task_force_id=task_force_id, draft=draft),
        said=f"已记录会议，议定事项 {len(decisions)} 项已下发督办单",
    )


@login_required
@require_POST
def task_force_end(request: HttpRequest, task_force_id: int) -> HttpResponse:
    user = staff_user(request, may_see_task_forces, VIEWERS_PAGE)
    return TASK_FORCE_PAGE.take(
        request,
        user,
        task_force_id,
        lambda: services.task_force_close(
            actor=user, task_force_id=task_force_id, summary=request.POST.get("summary", "")
        ),
        said="专班已结束",
    )


@login_required
def leader_cases(request: HttpRequest) -> HttpResponse:
    """我的包案: what a leader has taken personally — appeals, issue-list items, task forces."""
    user = staff_user(request, takes_charge, "区领导")
    return render(request, "taskforces/leader_cases.html", selectors.led_by(user))


@login_required
def queue_panel(request: HttpRequest) -> HttpResponse:
    """The unit queue's fragment: the active task forces the viewer's unit leads or belongs
    to, each with its open appeals counted (the appeals are on the task force's page)."""
    user = staff_user(request)
    return render(
        request, "taskforces/queue_panel.html", {"forces": selectors.active_for_unit(user)}
    )
