"""The public pages of a consultation (/participation/consultations/): the draft article by
article with the published comments, the comment form while it is open (rate-limited, no
account), and once published the feedback report with its downloads. Under a district's
host, that district's drafts only (another's: 404)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from minxin.core.errors import MinxinError, NotFound
from minxin.core.pages import public_read
from minxin.core.posted import int_or_none
from minxin.directory.selectors import jurisdiction_for_host

from . import selectors
from .models import Consultation
from .services import COMMENT_MAX, CommentDraft, comment_submit
from .views import report_download
from .workflow import ConsultationStatus


def _published(request: HttpRequest, consultation_id: int) -> Consultation:
    """A published draft of the host's district, or 404."""
    district = jurisdiction_for_host(request.get_host())
    return selectors.public_consultation_get(consultation_id, district=district)


def _context(consultation: Consultation) -> dict[str, object]:
    now = timezone.now()
    return {
        "c": consultation,
        "p": selectors.consultation_page(consultation, public=True),
        "is_open": consultation.status == ConsultationStatus.OPEN
        and consultation.opens_at <= now < consultation.closes_at,
        "reported": consultation.status == ConsultationStatus.REPORTED,
        "rows": selectors.report_rows(consultation)
        if consultation.status == ConsultationStatus.REPORTED
        else [],
        "comment_max": COMMENT_MAX,
    }


@public_read
def consultation_detail(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _published(request, consultation_id)  # or 404
    return render(request, "consultation/public/detail.html", _context(consultation))


@require_POST
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
def comment(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _published(request, consultation_id)
    article = int_or_none(request.POST.get("article"))
    try:
        comment_submit(
            consultation_id=consultation.pk,
            draft=CommentDraft(
                text=request.POST.get("text", ""),
                article_id=article,
                author=request.POST.get("author", ""),
            ),
        )
    except MinxinError as error:
        context = _context(consultation) | {
            "error": error,
            # The form to show it under: the article's, or the whole draft's.
            "error_article": article
            if article and consultation.articles.filter(pk=article).exists()
            else 0,
            "posted": request.POST.dict(),
        }
        return render(request, "consultation/public/detail.html", context, status=error.status_code)
    messages.success(request, "意见已提交，审核后公开；征求意见结束后将公布采纳情况")
    anchor = f"#article-{article}" if article else "#whole"
    return redirect(f"/participation/consultations/{consultation.pk}/{anchor}")


@require_GET
@ratelimit(key="ip", rate="60/h", block=True)
def report_file(request: HttpRequest, consultation_id: int, kind: str) -> HttpResponse:
    consultation = _published(request, consultation_id)
    if consultation.status != ConsultationStatus.REPORTED or kind not in ("xlsx", "pdf"):
        raise NotFound("采纳情况尚未公布")
    return report_download(consultation, kind)
