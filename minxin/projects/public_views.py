"""The public pages of 民心工程 (/projects/): the list of public projects, a page per project,
its progress photos, and the residents' rating on the phone: phone → SMS code → code, verdict
and comment → receipt.

No account. A phone confirmed by its code is kept in the session (its hash, never the number)
for a short while, so a resident can rate a milestone too without another code. The phone and
the code travel only in POST bodies, never in a URL. Every form carries a one-time key: a
resubmitted rating finds its receipt instead of being refused as a second one. Views are thin:
parse, one selector or service, render; a domain error re-renders the form with its Chinese
message and 4xx status."""

from functools import partial
from typing import Any, Final
from urllib.parse import urlencode

from django.contrib.sessions.backends.base import SessionBase
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from minxin.core.errors import MinxinError, ValidationFailed
from minxin.core.pagination import paginate
from minxin.core.posted import int_or_none
from minxin.core.privacy import mask_phone
from minxin.core.session import is_one_time_key, one_time_key_new
from minxin.directory.selectors import jurisdiction_for_host
from minxin.notify.phone import phone_confirmed
from minxin.notify.phone_forms import PostedOnce, phone_code_page, phone_posted_confirm
from minxin.notify.services import CODE_TTL

from .models import Milestone, Project, ProjectKind, RatingRound, Verdict
from .public import (
    PUBLIC_STATUSES,
    Filters,
    public_photo_get,
    public_programmes,
    public_project_get,
    public_project_list,
    public_project_page,
    public_rows,
)
from .verdict import COMMENT_MAX, has_rated, milestones_rateable, project_rate, rating_round

PAGE_SIZE: Final = 10
PURPOSE: Final = "project_rating"  # the SMS code's purpose, and the session's confirmed phone
DONE_KEY: Final = "project_rating_done"  # one-time key → receipt, for resubmitted forms
DONE_MAX: Final = 20
RATED: Final = PostedOnce(DONE_KEY, "project_rating_receipt", DONE_MAX)
RATE_FIELDS: Final = ("phone", "verdict", "comment", "milestone")


def project_list(request: HttpRequest) -> HttpResponse:
    filters = Filters.parse(request.GET)
    district = _district(request)
    page = paginate(request, public_project_list(filters, district=district), per_page=PAGE_SIZE)
    return render(
        request,
        "projects/public/project_list.html",
        {
            "page": page,
            "rows": public_rows(list(page.object_list)),
            "query": urlencode(filters.as_query()),
            "filters": filters,
            "programmes": public_programmes(district),
            "kinds": ProjectKind.choices,
            "statuses": [(s.value, s.label) for s in PUBLIC_STATUSES],
        },
    )


def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    page = public_project_page(project_id, district=_district(request))  # or 404
    context = {"p": page, "project": page.project}
    if page.round:
        context |= _rate_context(request, page.project, page.round, step=_step(request.session))
    return render(request, "projects/public/project_detail.html", context)


def project_photo(request: HttpRequest, project_id: int, photo_id: int) -> FileResponse:
    photo = public_photo_get(project_id, photo_id, district=_district(request))  # or 404
    return FileResponse(photo.image.open("rb"), content_type=photo.content_type)


# --- rating: phone → code → verdict → receipt ----------------------------------------------


def _step(session: SessionBase) -> str:
    return "rate" if phone_confirmed(session, purpose=PURPOSE) else "phone"


def _district(request: HttpRequest) -> int:
    """The public site's district: the one whose host was asked for."""
    return jurisdiction_for_host(request.get_host())


def _rateable(request: HttpRequest, project_id: int) -> tuple[Project, str]:
    project = public_project_get(project_id, district=_district(request))  # or 404
    round_ = rating_round(project)
    if round_ is None:
        raise ValidationFailed("项目完工后才能评价")
    return project, round_


def _rate_context(
    request: HttpRequest,
    project: Project,
    round_: str,
    *,
    step: str,
    values: QueryDict | dict[str, str] | None = None,
    submission_key: str = "",
    error: str = "",
    milestones: list[Milestone] | None = None,
) -> dict[str, Any]:
    values = values or {}
    confirmed = phone_confirmed(request.session, purpose=PURPOSE)
    phone = str(values.get("phone", ""))[:20]
    return {
        "step": step,
        "round": round_,
        "round_label": RatingRound(round_).label,
        "verdicts": Verdict.choices,
        "milestones": milestones if milestones is not None else milestones_rateable(project),
        "values": {f: values.get(f, "") for f in RATE_FIELDS},
        "phone_masked": mask_phone(phone),
        "submission_key": submission_key or one_time_key_new(),
        "error": error,
        "comment_max": COMMENT_MAX,
        "code_minutes": int(CODE_TTL.total_seconds() // 60),
        "rated": bool(confirmed)
        and has_rated(
            project_id=project.pk, phone_hash=confirmed, round_=round_, milestone_id=None
        ),
    }


def _rate_page(
    request: HttpRequest, project: Project, round_: str, *, status: int = 200, **kwargs: Any
) -> HttpResponse:
    context = {"project": project, **_rate_context(request, project, round_, **kwargs)}
    return render(request, "projects/public/rate.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/h", method="POST", block=True)
def rate(request: HttpRequest, project_id: int) -> HttpResponse:
    """The rating form (GET); its post: the code confirmed (unless this browser confirmed the
    phone a moment ago), then the rating; refused, the form again with what was typed."""
    project, round_ = _rateable(request, project_id)
    session = request.session
    if request.method != "POST":
        return _rate_page(request, project, round_, step=_step(session))
    post = request.POST
    key = post.get("submission_key", "")
    done = session.get(DONE_KEY)
    done = done if isinstance(done, dict) else {}
    if is_one_time_key(key) and key in done:
        return redirect("public_projects:rate_receipt", project_id=project.pk)
    hashed = phone_confirmed(session, purpose=PURPOSE)
    step = "rate" if hashed else "code"
    try:
        hashed = phone_posted_confirm(session, post, purpose=PURPOSE, hashed=hashed)
        step = "rate"
        rating = project_rate(
            project_id=project.pk,
            phone_hash=hashed,
            verdict=post.get("verdict", ""),
            comment=post.get("comment", ""),
            milestone_id=int_or_none(post.get("milestone")),
        )
    except MinxinError as exc:
        return _rate_page(
            request,
            project,
            round_,
            step=step,
            values=post,
            submission_key=key if is_one_time_key(key) else "",
            error=exc.message,
            status=exc.status_code,
        )
    receipt = {
        "project_id": project.pk,
        "project": project.name,
        "milestone": rating.milestone.name if rating.milestone else "",
        "round": str(RatingRound(rating.round).label),
        "verdict": str(Verdict(rating.verdict).label),
        "at": timezone.localtime(rating.created_at).strftime("%Y-%m-%d %H:%M"),
    }
    RATED.keep(session, key, receipt, done=receipt)
    return redirect("public_projects:rate_receipt", project_id=project.pk)


@never_cache
@require_POST
@ratelimit(key="ip", rate="10/h", method="POST", block=True)
def code_send(request: HttpRequest, project_id: int) -> HttpResponse:
    """The phone typed: a code sent to it, and the form to type it in with the verdict."""
    project, round_ = _rateable(request, project_id)
    page = partial(_rate_page, request, project, round_)
    return phone_code_page(request.POST, purpose=PURPOSE, page=page)


@never_cache
def rate_receipt(request: HttpRequest, project_id: int) -> HttpResponse:
    project = public_project_get(project_id, district=_district(request))  # or 404
    receipt = request.session.get("project_rating_receipt")
    if not isinstance(receipt, dict) or receipt.get("project_id") != project.pk:
        return redirect("public_projects:project_detail", project_id=project.pk)
    return render(
        request, "projects/public/rate_receipt.html", {"project": project, "receipt": receipt}
    )
