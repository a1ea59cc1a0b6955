"""走访记录: the list (scoped, filtered, paginated), the form (a visit with a dynamic list of
matters, HTMX "add a matter"), and one visit with each matter's appeal and its status.

Thin: parse, one selector or service, render; a domain error re-renders the form with its
Chinese message and 4xx status, keeping what was typed and the same one-time key."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases.models import AppealKind
from minxin.core.errors import MinxinError, ValidationFailed
from minxin.core.pagination import paginate, query_without_page
from minxin.core.posted import date_or_none, ids_or_none, int_or_none
from minxin.core.session import is_one_time_key, one_time_key_new
from minxin.directory.selectors import places_to_choose, units_active

from . import selectors, services
from .models import NOTES_MAX, PLACE_MAX, TEXT_MAX
from .permissions import may_record_visits, sees_every_visit

MATTER_FIELDS = ("kind", "title", "content", "name", "phone")


def _recorder(request: HttpRequest) -> User:
    return staff_user(request, may_record_visits, "工作人员")


@login_required
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    user = _recorder(request)
    get = request.GET
    filters = selectors.VisitFilters(
        q=get.get("q", "").strip()[:100],
        region_id=int_or_none(get.get("region")),
        unit_id=int_or_none(get.get("unit")) if sees_every_visit(user) else None,
        visited_from=date_or_none(get.get("start")),
        visited_to=date_or_none(get.get("end")),
    )
    page = paginate(request, selectors.visit_list_for(user=user, filters=filters))
    query = query_without_page(get)
    rows = [{"visit": v, "met": selectors.met_masked(v.met_text)} for v in page.object_list]
    return render(
        request,
        "visits/list.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "filters": filters,
            "regions": places_to_choose(district=user.jurisdiction_scope),
            "units": units_active(district=user.jurisdiction_scope)
            if sees_every_visit(user)
            else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest) -> HttpResponse:
    user = _recorder(request)
    if request.method != "POST":
        return _form_page(request, user=user, posted=None, submission_key=one_time_key_new())
    post = request.POST
    key = post.get("submission_key", "")
    submission_key = key if is_one_time_key(key) else None
    try:
        draft, matters = _parse(post)
        recorded = services.visit_record(
            actor=Actor.of(user), draft=draft, matters=matters, submission_key=submission_key
        )
    except MinxinError as error:
        return _form_page(
            request,
            user=user,
            posted=post,
            submission_key=submission_key or one_time_key_new(),
            error=error.message,
            status=error.status_code,
        )
    count = recorded.visit.matters.count()
    messages.success(request, f"走访已记录，{count}项事项已转为诉求，进入甄别派单")
    return redirect("visits:detail", visit_id=recorded.visit.pk)


def _parse(post: QueryDict) -> tuple[services.VisitDraft, list[services.MatterDraft]]:
    raw = post.get("visited_at", "")
    visited_at = None
    if raw:
        try:
            visited_at = timezone.make_aware(datetime.fromisoformat(raw))
        except ValueError as exc:
            raise ValidationFailed("走访时间格式不正确") from exc
    ids = ids_or_none(post.getlist("participants"))
    if ids is None:
        raise ValidationFailed("走访人员中有无效的工作人员")
    draft = services.VisitDraft(
        place_text=post.get("place_text", ""),
        visited_at=visited_at,
        met_text=post.get("met_text", ""),
        region_id=int_or_none(post.get("region")),
        participant_ids=tuple(ids),
        participants_text=post.get("participants_text", ""),
        notes=post.get("notes", ""),
    )
    return draft, [
        services.MatterDraft(
            kind=row["kind"],
            title=row["title"],
            content=row["content"],
            raiser_name=row["name"],
            raiser_phone=row["phone"],
        )
        for row in _matter_rows(post)
        if any(row[f].strip() for f in ("title", "content", "name", "phone"))
    ]


def _matter_rows(post: QueryDict | None) -> list[dict[str, str]]:
    """The matters' fields come as parallel lists, one entry per row of the form."""
    if post is None:
        return []
    columns = {f: post.getlist(f"matter_{f}") for f in MATTER_FIELDS}
    lengths = {len(c) for c in columns.values()}
    if len(lengths) > 1:
        raise ValidationFailed("事项填写不完整，请刷新页面后重新填写")
    count = lengths.pop() if lengths else 0
    if count > services.MATTERS_MAX:
        raise ValidationFailed(f"一次走访最多记录{services.MATTERS_MAX}项事项")
    return [{f: columns[f][i] for f in MATTER_FIELDS} for i in range(count)]


def _form_page(
    request: HttpRequest,
    *,
    user: User,
    posted: QueryDict | None,
    submission_key: str,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    try:
        matters = _matter_rows(posted)
    except ValidationFailed:
        matters = []
    matters = matters or [dict.fromkeys(MATTER_FIELDS, "")]
    values = {
        f: (posted.get(f, "") if posted else "")
        for f in ("place_text", "region", "visited_at", "participants_text", "met_text", "notes")
    }
    if not values["visited_at"]:
        values["visited_at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    chosen = set(posted.getlist("participants")) if posted else {str(user.pk)}
    context = {
        "values": values,
        "matters": [{"n": n, **m} for n, m in enumerate(matters, start=1)],
        "next_n": len(matters) + 1,
        "kinds": AppealKind.choices,
        "regions": places_to_choose(district=user.jurisdiction_scope),
        "people": selectors.participant_choices(user=user),
        "chosen": chosen,
        "submission_key": submission_key,
        "error": error,
        "place_max": PLACE_MAX,
        "text_max": TEXT_MAX,
        "notes_max": NOTES_MAX,
        "matters_max": services.MATTERS_MAX,
    }
    return render(request, "visits/new.html", context, status=status)


@login_required
@require_GET
def matter_row(request: HttpRequest) -> HttpResponse:
    """HTMX: one more empty matter for the form."""
    _recorder(request)
    n = int_or_none(request.GET.get("n")) or 1
    if n > services.MATTERS_MAX:
        return render(request, "visits/_matter_limit.html", {"max": services.MATTERS_MAX})
    return render(
        request,
        "visits/_matter.html",
        {
            "m": {"n": n, **dict.fromkeys(MATTER_FIELDS, "")},
            "kinds": AppealKind.choices,
            "next_n": n + 1,
            "oob": True,
        },
    )


@login_required
@require_GET
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    user = _recorder(request)
    visit = selectors.visit_get_for(user=user, visit_id=visit_id)
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "matters": selectors.visit_matters_for(user=user, visit=visit),
            "participants": selectors.visit_participants(visit=visit),
        },
    )
