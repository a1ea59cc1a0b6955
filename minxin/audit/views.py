"""The audit log's staff screen: search, pages, and the export of what was found."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from minxin.accounts.access import staff_user
from minxin.core.pagination import paginate
from minxin.core.posted import choice_or_blank, date_or_none

from .exports import MAX_ROWS, audit_xlsx
from .models import AuditKind
from .permissions import may_read_audit
from .selectors import AuditFilters, audit_list_for
from .services import audit_record

FILTER_KEYS = ("kind", "username", "text", "since", "until")


def _filters(request: HttpRequest) -> AuditFilters:
    get = request.GET
    return AuditFilters(
        kind=choice_or_blank(get.get("kind"), AuditKind.values),
        username=get.get("username", "").strip()[:150],
        text=get.get("text", "").strip()[:100],
        since=date_or_none(get.get("since", "")),
        until=date_or_none(get.get("until", "")),
    )


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_read_audit, "督查室和管理员")
    filters = _filters(request)
    page = paginate(request, audit_list_for(user=user, filters=filters), per_page=50)
    query = urlencode({k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)})
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": AuditKind.choices,
            "query": query,
            "retention_days": settings.MINXIN_AUDIT_RETENTION_DAYS,
        },
    )


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_read_audit, "督查室和管理员")
    filters = _filters(request)
    rows = audit_list_for(user=user, filters=filters)[:MAX_ROWS]
    content = audit_xlsx(rows)
    audit_record(
        kind=AuditKind.EXPORT,
        actor=user,
        request=request,
        target="审计日志",
        summary="导出审计日志",
        payload={k: str(v) for k, v in filters.__dict__.items() if v},
    )
    name = f"audit-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
