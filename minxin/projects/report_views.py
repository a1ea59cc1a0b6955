"""The programme report downloads (导出 Excel / 导出 PDF on the programme page): the viewer's
projects, built on request (see report.py for why not through the export queue)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from minxin.accounts.access import staff_user

from .permissions import may_see_projects
from .report import programme_report, report_file_name, report_pdf, report_xlsx

VIEWERS = "督查室、领导、热线中心和承办单位"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_GET
@ratelimit(key="user", rate="60/h", block=True)
def programme_report_xlsx(request: HttpRequest, programme_id: int) -> HttpResponse:
    report = programme_report(staff_user(request, may_see_projects, VIEWERS), programme_id)
    return _download(report_xlsx(report), XLSX, report_file_name(report, "xlsx"))


@login_required
@require_GET
@ratelimit(key="user", rate="60/h", block=True)
def programme_report_pdf(request: HttpRequest, programme_id: int) -> HttpResponse:
    report = programme_report(staff_user(request, may_see_projects, VIEWERS), programme_id)
    return _download(report_pdf(report), "application/pdf", report_file_name(report, "pdf"))
