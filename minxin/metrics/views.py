"""The figures' screens: the dashboard, the units' scorecards, the bulletin and the exports.

Thin: period, selector or service, render."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.models import User
from minxin.audit.models import AuditKind
from minxin.audit.services import audit_record
from minxin.cases.forms import AppealFilterForm
from minxin.cases.selectors import NEAR_FILTER
from minxin.core.errors import ValidationFailed
from minxin.core.pagination import paginate
from minxin.proactive.permissions import may_propose_tasks
from minxin.projects.permissions import may_run_projects

from . import exports as export_files
from . import prometheus, selectors
from .direct_answers import direct_answer_rate
from .facts import metric_changes_pending
from .map_views import dashboard_map
from .metrics import RATES
from .models import ExportKind, ExportStatus
from .permissions import may_see_dashboard, may_see_scorecards
from .scorecards import component_labels, score_formula, score_min_appeals, scorecard_for

TILE_RATES = ("reply_rate", "on_time_rate", "satisfaction_rate")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _list_url(**params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse("cases:appeal_list") + (f"?{query}" if query else "")


def _list_link(districts: selectors.Districts) -> Callable[..., str]:
    """The list a figure links to: for the city's staff who picked a district (辖区 beside
    the period), that district's appeals only; a district's staff's list is theirs already."""
    chosen = districts.chosen if districts.options else None
    return lambda **params: _list_url(jurisdiction=chosen, **params)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_see_dashboard, "督查员和领导")
    period = selectors.period_from(request.GET)
    districts = selectors.districts_for(user=user, asked=request.GET.get("district"))
    board = selectors.dashboard_for(period=period, district=districts.chosen)
    list_url = _list_link(districts)
    in_period = {"received_from": period.start.isoformat(), "received_to": period.end.isoformat()}
    counts = board.district.counts
    tiles = [
        {"label": "受理量", "value": counts.received, "url": list_url(**in_period)},
        {"label": "在办", "value": board.sla.open, "url": list_url(status="open")},
        # The list's 临期 filter counts by the same rule as the tile.
        {
            "label": "临期",
            "value": board.sla.near,
            "url": list_url(status=NEAR_FILTER),
            "tone": "amber",
        },
        {
            "label": "超期",
            "value": board.sla.overdue,
            "url": list_url(overdue="on"),
            "tone": "red",
        },
    ]
    rates = []
    for name in TILE_RATES:
        definition = RATES[name]
        value = board.district.rate(name)
        rates.append(
            {
                "label": definition.label,
                "pct": _pct(value),
                "numerator": getattr(counts, definition.numerator),
                "denominator": getattr(counts, definition.denominator),
            }
        )
    data = {
        "days": board.days,
        "channels": [{"name": k, "data": v} for k, v in board.by_channel.items()],
        "categories": [
            {"name": name, "value": n, "url": list_url(category=pk, **in_period)}
            for pk, name, n in board.categories
        ],
        "regions": [
            {
                "name": name,
                "received": received,
                "overdue": overdue,
                "receivedUrl": list_url(region=pk, **in_period),
                "overdueUrl": list_url(region=pk, overdue="on"),
            }
            for pk, name, received, overdue in board.regions
        ],
        "sla": {
            "open": board.sla.open,
            "near": board.sla.near,
            "overdue": board.sla.overdue,
            "urls": {
                "open": list_url(status="open"),
                "near": list_url(status=NEAR_FILTER),
                "overdue": list_url(overdue="on"),
            },
        },
    }
    panels = {
        "since": board.matters_since,
        "hotspots": board.hotspots,
        # A hotspot can become a candidate livelihood project (民心工程), its appeals linked.
        "hotspot_to_project": may_run_projects(user),
        # A hotspot or a repeat matter can become a proactive task (未诉先办) for its unit.
        "matter_to_task": may_propose_tasks(user),
        "repeats": board.repeats,
        "low_satisfaction": [
            {
                "row": row,
                "pct": _pct(row.rate),
                "url": list_url(category=row.category_id, **in_period),
            }
            for row in board.low_satisfaction
        ],
    }
    return render(
        request,
        "metrics/dashboard.html",
        {
            "period": period,
            "districts": districts,
            "tiles": tiles,
            "rates": rates,
            "data": data,
            "panels": panels,
            "map": dashboard_map(board.regions, lambda pk: list_url(region=pk, **in_period)),
            "tile_url": settings.MINXIN_MAP_TILE_URL,
            "pending": metric_changes_pending(),
        },
    )


@login_required
def scorecards(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_see_scorecards, "督查员、领导和承办单位")
    period = selectors.period_from(request.GET)
    districts = selectors.districts_for(user=user, asked=request.GET.get("district"))
    rows = scorecard_for(start=period.start, end=period.end, district=districts.chosen)
    own_only = not may_see_dashboard(user)  # a handler: its own unit's row
    if own_only:
        rows = [r for r in rows if r.unit_id == user.unit_id]
    order = request.GET.get("sort", "")
    if order in ("score", "-score"):
        scored = [r for r in rows if r.score is not None]
        unscored = [r for r in rows if r.score is None]
        scored.sort(key=lambda r: (r.score or 0, r.label), reverse=order == "-score")
        rows = scored + unscored
    extra_labels = component_labels()
    table = [
        {
            "row": r,
            "extras": [_pct(r.extras.get(name)) for name, _ in extra_labels],
            "rates": [
                {
                    "pct": _pct(r.rates.rate(name)),
                    "numerator": getattr(r.rates.counts, d.numerator),
                    "denominator": getattr(r.rates.counts, d.denominator),
                }
                for name, d in RATES.items()
            ],
        }
        for r in rows
    ]
    return render(
        request,
        "metrics/scorecards.html",
        {
            "period": period,
            "districts": districts,
            "rate_labels": [d.label for d in RATES.values()],
            "extra_labels": [label for _, label in extra_labels],
            "columns": len(RATES) + 5 + len(extra_labels),
            "table": table,
            "own_only": own_only,
            "sort": order,
            "next_sort": "score" if order == "-score" else "-score",
            "formula": score_formula(),
            "min_appeals": score_min_appeals(),
            "pending": metric_changes_pending(),
            "direct": None
            if own_only
            else direct_answer_rate(start=period.start, end=period.end, district=districts.chosen),
        },
    )


def _bulletin(request: HttpRequest) -> dict[str, Any]:
    """The bulletin of the asked period and district, as its page and its print show it."""
    user = staff_user(request, may_see_dashboard, "督查员和领导")
    period = selectors.period_from(request.GET)
    districts = selectors.districts_for(user=user, asked=request.GET.get("district"))
    report = export_files.bulletin_for(
        start=period.start, end=period.end, district=districts.chosen
    )
    return {
        "period": period,
        "districts": districts,
        "bulletin": report,
        "district_rates": report.district_rates(),
        "header": export_files.UNIT_HEADER,
        "ranked": [export_files.unit_figures(r) for r in report.ranked],
    }


@login_required
def bulletin(request: HttpRequest) -> HttpResponse:
    context = _bulletin(request)
    report = context["bulletin"]
    context["best"] = [export_files.unit_figures(r) for r in report.best]
    context["worst"] = [export_files.unit_figures(r) for r in report.worst]
    return render(request, "metrics/bulletin.html", context)


@login_required
def bulletin_print(request: HttpRequest) -> HttpResponse:
    """The bulletin laid out for paper (like the dispatch slip): the same figures as the
    bulletin page, without the staff bar, with a 打印 button."""
    context = _bulletin(request)
    report = context["bulletin"]
    context |= {"best": report.best, "worst": report.worst, "printed_at": timezone.now()}
    return render(request, "metrics/bulletin_print.html", context)


def _export_queued(
    request: HttpRequest, user: User, kind: ExportKind, params: dict[str, Any], done: str
) -> HttpResponse:
    """Queue the export and go to the exports page, saying what happened (a quota refusal
    included: the page lists what is still being built)."""
    try:
        export_files.export_request(user=user, kind=kind, params=params)
    except ValidationFailed as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done)
    return redirect("metrics:exports")


BULLETIN_FORMATS = {"xlsx": ExportKind.BULLETIN_XLSX, "pdf": ExportKind.BULLETIN_PDF}


@login_required
@require_POST
def bulletin_export(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_see_dashboard, "督查员和领导")
    kind = BULLETIN_FORMATS.get(request.POST.get("format", ""))
    if kind is None:
        raise ValidationFailed("请选择导出格式")
    period = selectors.period_from(request.POST)
    district = selectors.districts_for(user=user, asked=request.POST.get("district")).chosen
    params = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if district is not None:
        params["district"] = str(district)
    return _export_queued(request, user, kind, params, "通报正在后台生成，完成后会通知您。")


@login_required
@require_http_methods(["GET", "POST"])
def ledger_export(request: HttpRequest) -> HttpResponse:
    """The appeal list's filters arrive in the query string; GET asks to confirm, POST queues."""
    user = staff_user(request)
    form = AppealFilterForm(request.GET, district=user.jurisdiction_scope)
    if not form.is_valid():
        raise ValidationFailed("筛选条件有误，请返回诉求列表重新筛选")
    params = export_files.ledger_params(form.cleaned_data)
    if request.method == "POST":
        return _export_queued(
            request, user, ExportKind.LEDGER, params, "台账正在后台生成，完成后会通知您。"
        )
    shown = [
        (form.fields[name].label, form.cleaned_data[name])
        for name in export_files.FILTER_KEYS
        if name in params
    ]
    return render(
        request,
        "metrics/ledger_export.html",
        {"filters": shown, "query": request.GET.urlencode()},
    )


@login_required
def exports(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    page = paginate(request, selectors.export_list_for(user=user))
    return render(request, "metrics/exports.html", {"page": page, "done": ExportStatus.DONE})


@login_required
def export_download(request: HttpRequest, export_id: int) -> FileResponse:
    """Only the requester gets the file; for anyone else it does not exist."""
    user = staff_user(request)
    export = selectors.export_get_for(user=user, export_id=export_id)
    name = (export.file.name or "").rsplit("/", 1)[-1]
    audit_record(
        kind=AuditKind.EXPORT,
        actor=user,
        request=request,
        target=f"{export.get_kind_display()} {export.pk}",
        summary=f"下载{export.get_kind_display()}（{export.row_count} 行）",
        payload={"export": export.pk, "kind": export.kind, "params": export.params},
    )
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=name)


def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    """GET /metrics for Prometheus, to a scraper bearing MINXIN_METRICS_TOKEN; 404 to anyone
    else, as if there were no such page (docs/deploy.md)."""
    if not prometheus.metrics_token_valid(request.headers.get("Authorization", "")):
        raise Http404
    return HttpResponse(prometheus.exposition(), content_type=prometheus.CONTENT_TYPE)
