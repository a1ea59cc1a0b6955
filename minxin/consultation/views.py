"""征求意见 screens for staff: the list, a new draft (its text cut into articles), a draft's
page (articles with their comments, moderation and answer forms, the steps, the history), the
comment form of deputies and of the office for a contact point, and the report's downloads.

Thin: parse, one selector or service, render; a refused write re-renders the page with the
Chinese message and the error's 4xx status."""

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.core.errors import MinxinError, NotFound, form_cleaned
from minxin.core.posted import int_or_none
from minxin.core.steps import RecordPage, posted_action, posted_version
from minxin.directory.selectors import units_handling

from . import report, selectors
from .machine import COMMENTS, CONSULTATIONS
from .models import Consultation, Decision
from .permissions import (
    comments_as_deputy,
    may_see_consultations,
    moderates_comments,
    runs_consultations,
)
from .services import (
    CommentDraft,
    ConsultationDraft,
    comment_answer,
    comment_moderate,
    comment_submit,
    consultation_act,
    consultation_create,
)
from .workflow import CommentAction, ConsultationAction, ConsultationStatus

VIEWERS = "督查员、派单员、领导和人大代表"
OFFICE = "督查员和领导"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FMT = "%Y-%m-%dT%H:%M"


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


class ConsultationForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "请填写标题"})
    issuing_unit = forms.ModelChoiceField(
        queryset=units_handling(),  # the creator's district's: set per form
        error_messages={"required": "请选择起草单位", "invalid_choice": "所选单位不存在"},
    )
    summary = forms.CharField(max_length=5000, required=False)
    body = forms.CharField(max_length=100_000, error_messages={"required": "请填写草案全文"})
    opens_at = forms.DateTimeField(
        input_formats=[FMT],
        error_messages={"required": "请填写开始时间", "invalid": "开始时间格式有误"},
    )
    closes_at = forms.DateTimeField(
        input_formats=[FMT],
        error_messages={"required": "请填写截止时间", "invalid": "截止时间格式有误"},
    )

    def __init__(self, data: Any, *, district: int | None) -> None:
        super().__init__(data)
        field = self.fields["issuing_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units_handling(district=district)


@login_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_see_consultations, VIEWERS)
    return render(
        request,
        "consultation/list.html",
        {
            "items": selectors.consultations_for(user)[:100],
            "can_create": runs_consultations(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, runs_consultations, OFFICE)
    context: dict[str, Any] = {"units": units_handling(district=user.jurisdiction_scope)}
    if request.method == "GET":
        now = timezone.localtime()
        posted = {
            "opens_at": now.strftime(FMT),
            "closes_at": (now + timedelta(days=30)).strftime(FMT),
        }
        return render(request, "consultation/new.html", context | {"posted": posted})
    form = ConsultationForm(request.POST, district=user.jurisdiction_scope)
    try:
        data = form_cleaned(form)
        consultation = consultation_create(
            actor=user,
            draft=ConsultationDraft(
                title=data["title"],
                issuing_unit_id=data["issuing_unit"].pk,
                body=data["body"],
                summary=data["summary"],
                opens_at=_aware(data["opens_at"]),
                closes_at=_aware(data["closes_at"]),
            ),
        )
    except MinxinError as error:
        context |= {"posted": request.POST.dict(), "error": error}
        return render(request, "consultation/new.html", context, status=error.status_code)
    messages.success(request, f"已新建，草案共{consultation.articles.count()}条，请核对后发布")
    return redirect("consultation:detail", consultation.pk)


def _consultation_shows(user: User, consultation: Consultation) -> dict[str, Any]:
    actions = CONSULTATIONS.available(actor=Actor.of(user), status=consultation.status)
    now = timezone.now()
    is_open = (
        consultation.status == ConsultationStatus.OPEN
        and consultation.opens_at <= now < consultation.closes_at
    )
    return {
        "c": consultation,
        "p": selectors.consultation_page(consultation, public=False),
        "forms": CONSULTATIONS.forms(actions),
        "office": runs_consultations(user),
        "moderator": moderates_comments(user),
        "deputy": comments_as_deputy(user),
        "answering": consultation.status == ConsultationStatus.CLOSED and runs_consultations(user),
        "decisions": Decision.choices,
        "points": selectors.contact_points_active(district=consultation.jurisdiction_id),
        "is_open": is_open,
    }


CONSULTATION_PAGE = RecordPage(
    "consultation/detail.html",
    _consultation_shows,
    selectors.consultation_get_for,
    "consultation:detail",
)


@login_required
def consultation_detail(request: HttpRequest, consultation_id: int) -> HttpResponse:
    user = staff_user(request, may_see_consultations, VIEWERS)
    return CONSULTATION_PAGE.show(request, user, consultation_id)


@login_required
@require_POST
def consultation_step(request: HttpRequest, consultation_id: int) -> HttpResponse:
    user = staff_user(request, runs_consultations, OFFICE)
    return CONSULTATION_PAGE.step(
        request,
        user,
        consultation_id,
        ConsultationAction,
        partial(consultation_act, actor=user, consultation_id=consultation_id),
        label=CONSULTATIONS.label,
    )


@login_required
@require_POST
def comment_new(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """A deputy's comment, or one the office enters for a contact point."""
    user = staff_user(request, may_see_consultations, VIEWERS)
    draft = CommentDraft(
        text=request.POST.get("text", ""),
        article_id=int_or_none(request.POST.get("article", "")),
        author=request.POST.get("author", ""),
        contact_point_id=int_or_none(request.POST.get("contact_point", "")),
    )
    submit = partial(comment_submit, consultation_id=consultation_id, actor=user, draft=draft)
    return CONSULTATION_PAGE.take(
        request, user, consultation_id, submit, said="意见已提交，待审核后公开"
    )


@login_required
@require_POST
def comment_act(request: HttpRequest, consultation_id: int, comment_id: int) -> HttpResponse:
    """Moderation (publish, keep private) and the answer, on one comment of this draft."""
    user = staff_user(request, may_see_consultations, VIEWERS)
    consultation = selectors.consultation_get_for(user, consultation_id)
    if not consultation.comments.filter(pk=comment_id).exists():
        raise NotFound("未找到该意见")
    try:
        action = posted_action(request, CommentAction, excluding=(CommentAction.SUBMIT,))
        if action == CommentAction.ANSWER:
            comment_answer(
                actor=user,
                comment_id=comment_id,
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""),
                expected_version=posted_version(request),
            )
        else:
            comment_moderate(
                actor=user,
                comment_id=comment_id,
                action=action,
                public_text=request.POST.get("public_text", ""),
                reason=request.POST.get("reason", ""),
                expected_version=posted_version(request),
            )
    except MinxinError as error:
        consultation = selectors.consultation_get_for(user, consultation_id)
        posted = request.POST.dict() | {"comment": str(comment_id)}
        return CONSULTATION_PAGE.render(request, user, consultation, error=error, posted=posted)
    messages.success(request, f"已{COMMENTS.label(action)}")
    return redirect(f"{consultation_path(consultation.pk)}#comment-{comment_id}")


def consultation_path(consultation_id: int) -> str:
    from django.urls import reverse

    return reverse("consultation:detail", args=[consultation_id])


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def report_download(consultation: Consultation, kind: str) -> HttpResponse:
    page = selectors.consultation_page(consultation, public=True)
    rows = selectors.report_rows(consultation)
    if kind not in ("xlsx", "pdf"):
        raise NotFound("未找到该文件")
    if kind == "xlsx":
        data = report.report_xlsx(consultation, rows, page.counts)
        return _download(data, XLSX, report.report_name(consultation, "xlsx"))
    data = report.report_pdf(consultation, rows, page.counts)
    return _download(data, "application/pdf", report.report_name(consultation, "pdf"))


@login_required
@require_GET
@ratelimit(key="user", rate="60/h", block=True)
def report_file(request: HttpRequest, consultation_id: int, kind: str) -> HttpResponse:
    """The feedback report as the office drafts it (once the window has closed)."""
    user = staff_user(request, runs_consultations, OFFICE)
    consultation = selectors.consultation_get_for(user, consultation_id)
    if consultation.status not in (ConsultationStatus.CLOSED, ConsultationStatus.REPORTED):
        raise NotFound("征求意见结束后才能导出采纳情况")
    return report_download(consultation, kind)
