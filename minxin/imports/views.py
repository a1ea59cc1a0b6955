"""The import wizard (dispatchers and administrators): upload → 列对应 → 预检 → 导入.

Thin: parse the form, one service or selector, render. A refused file or mapping re-renders
its step with the Chinese reason and a 400."""

import csv
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from minxin.accounts.access import staff_user
from minxin.accounts.models import User
from minxin.cases.models import AppealKind
from minxin.core.errors import ValidationFailed
from minxin.core.htmx import htmx_made
from minxin.core.pagination import paginate
from minxin.core.posted import int_or_none
from minxin.core.sheets import row_safe
from minxin.projects.selectors import programmes_for

from . import project_template, reading, selectors, services
from .models import ImportJob, ImportKind, ImportPhase, ImportStatus
from .permissions import may_import, may_import_any, may_import_projects

PAGE = "派单员和管理员"
PAGE_ANY = "派单员、督查室和管理员"
PAGE_PROJECTS = "督查室、领导和管理员"
REJECTIONS_PER_PAGE = 50


def _user(request: HttpRequest) -> User:
    return staff_user(request, may_import, PAGE)


def _any_user(request: HttpRequest) -> User:
    """A job's pages: whoever may import something; the selector keeps each to their kinds."""
    return staff_user(request, may_import_any, PAGE_ANY)


def _upload_form(error: str) -> dict[str, Any]:
    """What the upload form (step 1) of either import shows besides its jobs."""
    return {
        "error": error,
        "encodings": reading.ENCODING_CHOICES,
        "max_mb": services.max_upload_bytes() // 1048576,
        "step": 1,
    }


def _index(request: HttpRequest, user: User, *, error: str = "", status: int = 200) -> HttpResponse:
    page = paginate(request, selectors.import_jobs_for(user=user, kind=ImportKind.APPEALS))
    return render(
        request,
        "imports/index.html",
        {
            "page": page,
            **_upload_form(error),
        },
        status=status,
    )


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _index(request, _user(request))


@login_required
@require_POST
@ratelimit(key="user", rate="30/h", method="POST", block=True)
def upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    file = request.FILES.get("file")
    if file is None:
        return _index(request, user, error="请选择要上传的文件", status=400)
    try:
        job = services.import_job_upload(
            actor=user, upload=file, encoding=request.POST.get("encoding", reading.ENCODING_AUTO)
        )
    except ValidationFailed as error:
        return _index(request, user, error=error.message, status=400)
    return redirect("imports:job", job_id=job.pk)


def _mapping_context(job: ImportJob, posted: dict[str, str] | None = None) -> dict[str, Any]:
    preview = services.import_job_preview(job=job)
    chosen = posted or {k: str(v) for k, v in job.mapping.items()}
    return {
        "fields": [
            {
                "key": f.key,
                "label": f.label,
                "required": f.required,
                "chosen": chosen.get(f.key, ""),
            }
            for f in services.fields_for(job.kind, job.headers)
        ],
        "columns": list(enumerate(job.headers)),
        "preview": services.preview_masked(job=job, preview=preview),
        "kinds": AppealKind.choices,
        "source_system": (posted or {}).get("source_system", job.source_system),
        "default_kind": (posted or {}).get("default_kind", job.default_kind),
    }


def _job_page(
    request: HttpRequest, job: ImportJob, *, extra: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    remap = request.GET.get("step") == "mapping"
    editable = job.status in (ImportStatus.UPLOADED, ImportStatus.CHECKED) or (
        job.status == ImportStatus.FAILED and job.phase == ImportPhase.DRY_RUN
    )
    show_mapping = editable and (job.status == ImportStatus.UPLOADED or remap or bool(extra))
    context: dict[str, Any] = {
        "job": job,
        "S": ImportStatus,
        "show_mapping": show_mapping,
        "projects": job.kind == ImportKind.PROJECTS,
    }
    if show_mapping:
        context.update(_mapping_context(job, (extra or {}).get("posted")))
        context["step"] = 2
    elif job.status in (ImportStatus.CHECKING, ImportStatus.CHECKED) or (
        job.status == ImportStatus.FAILED and job.phase == ImportPhase.DRY_RUN
    ):
        context["step"] = 3
    else:
        context["step"] = 4
    if job.status in (ImportStatus.CHECKED, ImportStatus.DONE) and not show_mapping:
        context["rejections"] = paginate(
            request, selectors.import_rejections(job=job), per_page=REJECTIONS_PER_PAGE
        )
    context.update(extra or {})
    return render(request, "imports/job.html", context, status=status)


@login_required
@require_GET
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    found = selectors.import_job_get_for(user=_any_user(request), job_id=job_id)
    return _job_page(request, found)


@login_required
@require_POST
def mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    user = _any_user(request)
    found = selectors.import_job_get_for(user=user, job_id=job_id)
    post = request.POST
    fields = services.fields_for(found.kind, found.headers)
    try:
        services.import_job_map(
            actor=user,
            job_id=found.pk,
            raw_mapping={f.key: post.get(f"col_{f.key}", "") for f in fields},
            source_system=post.get("source_system", ""),
            default_kind=post.get("default_kind", ""),
        )
    except ValidationFailed as error:
        posted = {f.key: post.get(f"col_{f.key}", "") for f in fields}
        posted.update(
            source_system=post.get("source_system", ""),
            default_kind=post.get("default_kind", ""),
        )
        return _job_page(
            request, found, extra={"error": error.message, "posted": posted}, status=400
        )
    return redirect("imports:job", job_id=found.pk)


@login_required
@require_POST
def start(request: HttpRequest, job_id: int) -> HttpResponse:
    user = _any_user(request)
    found = selectors.import_job_get_for(user=user, job_id=job_id)
    services.import_job_start(actor=user, job_id=found.pk)
    return redirect("imports:job", job_id=found.pk)


@login_required
@require_GET
def progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress box, polled by HTMX every 2 s while the job works; once it has finished the
    whole page reloads to show the results."""
    found = selectors.import_job_get_for(user=_any_user(request), job_id=job_id)
    response = render(request, "imports/_progress.html", {"job": found, "S": ImportStatus})
    if not found.is_working and htmx_made(request):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def rejections_csv(request: HttpRequest, job_id: int) -> HttpResponse:
    found = selectors.import_job_get_for(user=_any_user(request), job_id=job_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["行号", "原因", "摘录（已脱敏）"])
    for rejection in selectors.import_rejections(job=found).iterator(chunk_size=2000):
        writer.writerow(row_safe([rejection.row_number, rejection.reason, rejection.excerpt]))
    response = HttpResponse(
        "\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8"
    )  # the BOM makes Excel read it as UTF-8
    response["Content-Disposition"] = f'attachment; filename="import-{found.pk}-rejections.csv"'
    return response


# --- livelihood projects (the office) ------------------------------------------------------


def _projects_index(
    request: HttpRequest, user: User, *, error: str = "", status: int = 200
) -> HttpResponse:
    chosen = request.POST.get("programme") or request.GET.get("programme", "")
    return render(
        request,
        "imports/projects_index.html",
        {
            "page": paginate(
                request, selectors.import_jobs_for(user=user, kind=ImportKind.PROJECTS)
            ),
            "programmes": [p["programme"] for p in programmes_for(user)],
            "chosen": chosen,
            "fields": services.fields_for(ImportKind.PROJECTS),
            **_upload_form(error),
        },
        status=status,
    )


@login_required
@require_GET
def projects_index(request: HttpRequest) -> HttpResponse:
    return _projects_index(request, staff_user(request, may_import_projects, PAGE_PROJECTS))


@login_required
@require_POST
@ratelimit(key="user", rate="30/h", method="POST", block=True)
def projects_upload(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_import_projects, PAGE_PROJECTS)
    file = request.FILES.get("file")
    raw = request.POST.get("programme", "")
    if file is None:
        return _projects_index(request, user, error="请选择要上传的文件", status=400)
    try:
        job = services.import_job_upload(
            actor=user,
            upload=file,
            encoding=request.POST.get("encoding", reading.ENCODING_AUTO),
            kind=ImportKind.PROJECTS,
            programme_id=int_or_none(raw),
        )
    except ValidationFailed as error:
        return _projects_index(request, user, error=error.message, status=400)
    return redirect("imports:job", job_id=job.pk)


@login_required
@require_GET
def projects_template(request: HttpRequest) -> HttpResponse:
    staff_user(request, may_import_projects, PAGE_PROJECTS)
    response = HttpResponse(
        project_template.projects_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, "民心工程项目导入模板.xlsx")
    return response
