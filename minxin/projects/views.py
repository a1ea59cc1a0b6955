"""The staff's livelihood-project screens: the programmes, a programme's overview, a
project's page and its forms (steps, progress, milestones, letters, re-planning, appeals,
supervision orders), a unit's own projects, and a new project (also from a hotspot).

Thin: parse, one selector or service, render. A refused write re-renders the project page
with the Chinese message and the error's 4xx status; nothing was written."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.core.errors import MinxinError, ValidationFailed
from minxin.core.pagination import paginate
from minxin.core.posted import choice_or_blank, int_or_none
from minxin.core.steps import RecordPage, posted_version
from minxin.directory.selectors import places_to_choose, units_handling

from . import forms, selectors, services, verdict
from .machine import PROJECTS
from .models import LinkSource, ProjectKind, RatingRound
from .permissions import may_link_appeals, may_run_projects, may_see_projects, sees_every_project
from .selectors import ProjectPage
from .workflow import ProjectAction, ProjectStatus

VIEWERS = "督查室、领导、热线中心和承办单位"
RUNNERS = "督查室和领导"
ROWS_PER_PAGE = 50
COMMENTS_SHOWN = 20  # the residents' latest comments on the project page; the rest paginated


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_see_projects, VIEWERS)
    return render(
        request,
        "projects/programme_list.html",
        {"programmes": selectors.programmes_for(user), "can_run": may_run_projects(user)},
    )


@login_required
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    user = staff_user(request, may_see_projects, VIEWERS)
    status = choice_or_blank(request.GET.get("status"), ProjectStatus.values)
    overview = selectors.programme_overview(user, programme_id, status=status)
    page = Paginator(overview.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    chart = {
        "achievements": [
            {"label": f"{a.name}（{a.measure}）", "share": a.share}
            for a in overview.achievements[:12]
        ],
    }
    return render(
        request,
        "projects/programme_detail.html",
        {
            "o": overview,
            "page": page,
            "status": status,
            "statuses": [(s.value, s.label, overview.by_status[s.value]) for s in ProjectStatus],
            "chart": chart,
            "can_run": may_run_projects(user),
        },
    )


@login_required
def unit_projects(request: HttpRequest) -> HttpResponse:
    """A unit's own projects, each target with the form to report on it (the phone page)."""
    user = staff_user(request, may_see_projects, VIEWERS)
    projects = selectors.unit_projects_for(user)
    return render(request, "projects/unit_projects.html", {"projects": projects})


# --- one project -------------------------------------------------------------------------


def _project_shows(user: User, page: ProjectPage) -> dict[str, Any]:
    project = page.project
    actor = Actor.of(user)
    lead, assisting = PROJECTS.units(project) if PROJECTS.units else (None, frozenset())
    available = PROJECTS.available(
        actor=actor, status=project.status, lead_unit_id=lead, assisting_unit_ids=assisting
    )
    steps = PROJECTS.forms([a for a in available if a in services.PLAIN_ACTIONS])
    reportable = [
        t.target
        for t in page.targets
        if sees_every_project(user) or user.unit_id in (t.target.unit_id, project.lead_unit_id)
    ]
    chart = {
        "targets": [
            {"label": f"{t.target.name}（{t.target.measure}）", "share": t.share}
            for t in page.targets
        ],
        "milestones": [
            {
                "name": m.milestone.name,
                "start": m.milestone.planned_start.isoformat(),
                "end": m.milestone.planned_end.isoformat(),
                "done": m.milestone.done_on.isoformat() if m.milestone.done_on else "",
                "late": m.late,
            }
            for m in page.milestones
        ],
        "today": timezone.localdate().isoformat(),
    }
    return {
        "p": page,
        "project": project,
        "steps": steps,
        "may_report": ProjectAction.REPORT in available,
        "reportable": reportable,
        "may_finish_milestone": ProjectAction.MILESTONE_DONE in available,
        "may_sign": ProjectAction.SIGN_LETTER in available,
        "may_replan": ProjectAction.REPLAN in available,
        "may_link": ProjectAction.LINK_APPEAL in available and may_link_appeals(user),
        "may_order": may_run_projects(user),
        "suggested": selectors.appeals_suggested(user, project.pk)
        if may_link_appeals(user)
        else [],
        "chart": chart,
        "rounds": RatingRound,
        "ratings": verdict.ratings_summary(project),
        "rating_comments": list(verdict.rating_comments(project)[: COMMENTS_SHOWN + 1]),
        "today": timezone.localdate(),
    }


PROJECT_PAGE = RecordPage(
    "projects/project_detail.html",
    _project_shows,
    selectors.project_page,
    "projects:project_detail",
    check=selectors.project_for,
)


@login_required
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    user = staff_user(request, may_see_projects, VIEWERS)
    return PROJECT_PAGE.show(request, user, project_id)


def _done(request: HttpRequest, project_id: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("projects:project_detail", project_id)


@login_required
@require_POST
def project_step(request: HttpRequest, project_id: int) -> HttpResponse:
    user = staff_user(request, may_see_projects, VIEWERS)
    action = request.POST.get("action", "")
    return PROJECT_PAGE.take(
        request,
        user,
        project_id,
        lambda: services.project_act(
            project_id=project_id,
            action=action,
            actor=user,
            expected_version=posted_version(request),
            reason=request.POST.get("reason", ""),
        ),
        said=lambda _: f"已{PROJECTS.label(action)}",
        form=action,
    )


@login_required
@require_POST
def progress_new(request: HttpRequest, project_id: int) -> HttpResponse:
    user = staff_user(request, may_see_projects, VIEWERS)
    selectors.project_for(user, project_id)
    post = request.POST
    try:
        latitude, longitude = services.point_clean(post.get("latitude"), post.get("longitude"))
        region = post.get("region", "").strip()
        report = services.progress_report(
            actor=user,
            draft=services.ProgressDraft(
                target_id=forms.id_of(post.get("target"), "指标"),
                value=services.value_clean(post.get("value"), "累计完成值"),
                note=post.get("note", ""),
                correction_reason=post.get("correction_reason", ""),
                region_id=int_or_none(region),
                latitude=latitude,
                longitude=longitude,
                photos=request.FILES.getlist("photos"),
            ),
        )
    except MinxinError as error:
        if post.get("back") == "mine":
            messages.error(request, error.message)
            return redirect("projects:unit_projects")
        return PROJECT_PAGE.refused(request, user, project_id, error, form="report")
    what = "更正" if report.is_correction else "填报"
    value = f"{report.value.normalize():f}"  # 3, not 3.00
    message = f"已{what}「{report.target.name}」累计完成 {value}{report.target.measure}"
    if post.get("back") == "mine":
        messages.success(request, message)
        return redirect("projects:unit_projects")
    return _done(request, project_id, message)


@login_required
@require_POST
def milestone_finish(request: HttpRequest, project_id: int) -> HttpResponse:
    user = staff_user(request, may_see_projects, VIEWERS)
    return PROJECT_PAGE.take(
        request,
        user,
        project_id,
        lambda: services.milestone_done(
            actor=user,
            project_id=project_id,
            milestone_id=forms.id_of(request.POST.get("milestone"), "节点"),
            done_on=forms.date_of(request.POST.get("done_on"), "完成日期"),
        ),
        said=lambda milestone: f"节点「{milestone.name}」已完成",
        form="milestone",
    )


@login_required
@require_POST
def letter_new(request: HttpRequest, project_id: int) -> HttpResponse:
    user = staff_user(request, may_run_projects, RUNNERS)
    post = request.POST
    return PROJECT_PAGE.take(
        request,
        user,
        project_id,
        lambda: services.letter_sign(
            actor=user,
            project_id=project_id,
            unit_id=forms.id_of(post.get("unit"), "责任单位"),
            target_ids=forms.ids_of(post.getlist("targets")),
            signatories=post.get("signatories", ""),
            signed_on=forms.date_of(post.get("signed_on"), "签订日期"),
            scan=request.FILES.get("scan"),
        ),
        said=lambda letter: f"已录入{letter.unit.name}的目标责任书",
        form="letter",
    )


@login_required
def letter_scan(request: HttpRequest, project_id: int, letter_id: int) -> FileResponse:
    user = staff_user(request, may_see_projects, VIEWERS)
    letter = selectors.letter_for(user, project_id, letter_id)
    return FileResponse(
        letter.scan.open("rb"),
        content_type=letter.scan_type or "application/octet-stream",
        filename=f"目标责任书-{letter.pk}.{str(letter.scan.name).rsplit('.', 1)[-1]}",
    )


@login_required
@require_POST
def replan(request: HttpRequest, project_id: int) -> HttpResponse:
    user = staff_user(request, may_run_projects, RUNNERS)
    return PROJECT_PAGE.take(
        request,
        user,
        project_id,
        lambda: services.project_replan(
            actor=user,
            project_id=project_id,
            end_date=forms.date_of(request.POST.get("end_date"), "计划完成日期"),
            reason=request.POST.get("reason", ""),
            expected_version=posted_version(request),
        ),
        said=lambda project: f"已调整为{project.end_date:%Y-%m-%d}完成，节点已重新倒排",
        form="replan",
    )


@login_required
@require_POST
def appeals_link(request: HttpRequest, project_id: int) -> HttpResponse:
    user = staff_user(request, may_link_appeals, "督查室、领导和派单员")
    selectors.project_for(user, project_id)
    ids = list(forms.ids_of(request.POST.getlist("appeals")))
    number = request.POST.get("tracking_number", "").strip()
    try:
        if number:
            ids.append(selectors.appeal_numbered(user, number))
        if not ids:
            raise ValidationFailed("请选择或填写要关联的诉求")
        source = LinkSource.MANUAL if number else LinkSource.SUGGESTED
        linked = services.appeal_link(
            actor=user, project_id=project_id, appeal_ids=ids, source=source
        )
    except MinxinError as error:
        return PROJECT_PAGE.refused(request, user, project_id, error, form="link")
    message = f"已关联 {linked} 件诉求" if linked else "这些诉求已关联"
    if request.POST.get("back") == "appeal" and len(ids) == 1:
        messages.success(request, message)
        return redirect("cases:appeal_detail", ids[0])
    return _done(request, project_id, message)


@login_required
@require_POST
def order_new(request: HttpRequest, project_id: int) -> HttpResponse:
    user = staff_user(request, may_run_projects, RUNNERS)
    return PROJECT_PAGE.take(
        request,
        user,
        project_id,
        lambda: services.project_order_issue(
            actor=user,
            project_id=project_id,
            content=request.POST.get("content", ""),
            due_at=forms.due_of(request.POST.get("due_at")),
        ),
        said=lambda order: f"已向{order.unit.name}下发督办单",
        form="order",
    )


@login_required
def appeal_panel(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The appeal page's fragment: the projects it is about, and linking it to one of its
    place's projects (dispatchers and the office)."""
    user = staff_user(request)
    found = selectors.projects_of_appeal(user, appeal_id)
    return render(
        request,
        "projects/appeal_panel.html",
        {"found": found, "appeal_id": appeal_id, "may_link": may_link_appeals(user)},
    )


# --- a new project -----------------------------------------------------------------------


def _new_context(request: HttpRequest, user: User, **extra: Any) -> dict[str, Any]:
    posted = extra.get("posted", {})
    return {
        "programmes": selectors.programmes_for(user),
        "kinds": ProjectKind.choices,
        "units": units_handling(),
        "places": places_to_choose(),
        "target_rows": forms.rows_posted(
            posted, "target", ("name", "value", "measure", "unit", "years"), forms.TARGET_ROWS
        ),
        "milestone_rows": forms.rows_posted(
            posted, "milestone", ("name", "days", "task", "unit"), forms.MILESTONE_ROWS
        ),
        "chosen": {
            name: set(posted.getlist(name)) if hasattr(posted, "getlist") else set()
            for name in ("assisting_units", "regions")
        },
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    """A new project into a programme's plan, or a candidate from a hotspot (`?hotspot=` the
    appeal the hotspot's messages were merged into; its appeals are linked)."""
    user = staff_user(request, may_run_projects, RUNNERS)
    source = request.POST if request.method == "POST" else request.GET
    hotspot = selectors.hotspot_for(user, source.get("hotspot", ""))
    if request.method == "GET":
        posted = {"is_public": "on", "name": hotspot.title if hotspot else ""}
        if programme := request.GET.get("programme", ""):
            posted["programme"] = programme
        return render(
            request,
            "projects/project_new.html",
            _new_context(request, user, posted=posted, hotspot=hotspot),
        )
    try:
        draft = forms.project_draft(request.POST)
        if hotspot is not None:
            project = services.project_from_hotspot(actor=user, draft=draft, appeal_id=hotspot.pk)
        else:
            project = services.project_create(
                actor=user, draft=draft, planned=request.POST.get("planned") == "on"
            )
    except MinxinError as error:
        context = _new_context(request, user, posted=request.POST, hotspot=hotspot, error=error)
        return render(request, "projects/project_new.html", context, status=error.status_code)
    return _done(request, project.pk, f"已录入项目「{project.name}」")


@login_required
def rating_comments(request: HttpRequest, project_id: int) -> HttpResponse:
    """All the residents' comments on a project, newest first, paginated."""
    user = staff_user(request, may_see_projects, VIEWERS)
    project = selectors.project_for(user, project_id)
    page = paginate(request, verdict.rating_comments(project), per_page=ROWS_PER_PAGE)
    return render(request, "projects/rating_comments.html", {"project": project, "page": page})


@login_required
def progress_reports(request: HttpRequest, project_id: int) -> HttpResponse:
    """Every progress report of a project with its evidence, newest first, paginated."""
    user = staff_user(request, may_see_projects, VIEWERS)
    project = selectors.project_for(user, project_id)
    page = paginate(request, selectors.reports_of(project), per_page=ROWS_PER_PAGE)
    return render(request, "projects/progress_reports.html", {"project": project, "page": page})


@login_required
def report_photo(request: HttpRequest, project_id: int, photo_id: int) -> FileResponse:
    """A progress report's photo, for whoever sees the project (public or not)."""
    user = staff_user(request, may_see_projects, VIEWERS)
    photo = selectors.report_photo_for(user, project_id, photo_id)
    return FileResponse(photo.image.open("rb"), content_type=photo.content_type)
