"""The citizen's H5 pages: submit an appeal, keep the receipt, track it, rate the reply; and the
public transparency page.

No account: what a browser may see is the list of appeal ids in its session (`track_grants`),
added when it submits an appeal or proves one with tracking number and query code. Neither the
query code nor the phone ever appears in a URL. Views are thin: parse, one selector or service,
render; a domain error re-renders the page with its Chinese message and 4xx status."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from minxin.accounts.actor import Actor
from minxin.cases.forms import appeal_form_limits
from minxin.cases.models import Appeal, Channel
from minxin.cases.selectors import appeal_get_for_citizen
from minxin.cases.services import AppealDraft
from minxin.cases.workflow import OPEN_STATUSES, AppealStatus, Satisfaction
from minxin.core.errors import ConcurrentEdit, MinxinError, NotFound
from minxin.core.pages import public_form_page, public_submit, public_track, receipt_page
from minxin.core.session import (
    APPEAL_GRANTS_KEY,
    APPEAL_RECEIPT_KEY,
    grants,
    one_time_key_new,
    submission_keep,
)
from minxin.feedback.services import COMMENT_MAX, rating_submit
from minxin.intake.services import appeal_receive

from .selectors import (
    CitizenAppeal,
    appeal_just_sent,
    attachment_get_for_grant,
    citizen_appeal_view,
    transparency_figures,
)

# The same content from the same citizen within this many minutes is the same appeal.
RESUBMIT_MINUTES: int = getattr(settings, "MINXIN_RESUBMIT_MINUTES", 30)
# A stale rating form: the citizen's words, not the staff's 「已被他人更新」.
CITIZEN_STALE = "诉求的办理情况刚有更新，请查看最新进度后再评价"
SUBMIT_FIELDS = ("kind", "title", "content", "place_text", "appellant_name", "appellant_phone")


# --- pages -------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "citizen/home.html", {"district_name": settings.MINXIN["DISTRICT_NAME"]})


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="10/h", method="POST", block=True)
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _submit_page(request, values={}, submission_key=one_time_key_new())

    earlier = appeal_just_sent(
        granted_ids=grants(request.session, APPEAL_GRANTS_KEY),
        phone=request.POST.get("appellant_phone", ""),
        title=request.POST.get("title", ""),
        content=request.POST.get("content", ""),
        since=timezone.now() - timedelta(minutes=RESUBMIT_MINUTES),
    )
    if earlier is not None:
        # The same citizen, the same words, minutes apart (the form sent again after Back):
        # the first appeal's receipt, said so, never a silent second appeal.
        submission_keep(
            request.session,
            earlier,
            grants_key=APPEAL_GRANTS_KEY,
            receipt_key=APPEAL_RECEIPT_KEY,
        )
        messages.info(
            request,
            f"您在{timezone.localtime(earlier.received_at):%H:%M}已提交过内容相同的诉求，"
            "本次未重复提交，以下是那次的受理编号和查询码。如有新的情况，请修改内容后再提交。",
        )
        return redirect("citizen:receipt")

    def receive(submission_key: str | None) -> Appeal:
        return appeal_receive(
            actor=Actor.citizen(),
            draft=_draft(request.POST),
            photos=request.FILES.getlist("photos"),
            submission_key=submission_key,
        ).appeal

    return public_submit(
        request,
        receive,
        refused=_submit_page,
        grants_key=APPEAL_GRANTS_KEY,
        receipt_key=APPEAL_RECEIPT_KEY,
        receipt_url="citizen:receipt",
    )


def _draft(post: QueryDict) -> AppealDraft:
    return AppealDraft(
        channel=Channel.WEB,
        kind=post.get("kind", ""),
        title=post.get("title", ""),
        content=post.get("content", ""),
        place_text=post.get("place_text", ""),
        appellant_name=post.get("appellant_name", ""),
        appellant_phone=post.get("appellant_phone", ""),
        is_anonymous=post.get("is_anonymous") == "on",
    )


def _submit_page(
    request: HttpRequest,
    *,
    values: QueryDict | dict[str, str],
    submission_key: str,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return public_form_page(
        request,
        "citizen/submit.html",
        fields=SUBMIT_FIELDS,
        values=values,
        submission_key=submission_key,
        error=error,
        status=status,
        is_anonymous=values.get("is_anonymous") == "on",
        **appeal_form_limits(),
    )


@never_cache
def receipt(request: HttpRequest) -> HttpResponse:
    return receipt_page(request, APPEAL_RECEIPT_KEY, "citizen/receipt.html", back="citizen:submit")


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
def track(request: HttpRequest) -> HttpResponse:
    return public_track(
        request,
        lambda number, code: appeal_get_for_citizen(tracking_number=number, query_code=code),
        template="citizen/track.html",
        grants_key=APPEAL_GRANTS_KEY,
        detail_url="citizen:track_detail",
    )


@never_cache
def track_detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    try:
        view = citizen_appeal_view(
            tracking_number=tracking_number, granted_ids=grants(request.session, APPEAL_GRANTS_KEY)
        )
    except NotFound:
        return redirect("citizen:track")  # the same answer whether the number exists or not
    return render(request, "citizen/detail.html", _detail_context(view))


@never_cache
@require_POST
def rate(request: HttpRequest, tracking_number: str) -> HttpResponse:
    granted = grants(request.session, APPEAL_GRANTS_KEY)
    view = citizen_appeal_view(tracking_number=tracking_number, granted_ids=granted)  # or 404
    satisfaction = request.POST.get("satisfaction", "")
    comment = request.POST.get("comment", "")
    version = request.POST.get("version", "")
    try:
        rating_submit(
            appeal_id=view.appeal.pk,
            actor=Actor.citizen(),
            # A missing or garbled version can match nothing: the citizen is asked to refresh.
            expected_version=int(version) if version.isdigit() else 0,
            satisfaction=satisfaction,
            comment=comment,
        )
    except MinxinError as exc:
        fresh = citizen_appeal_view(tracking_number=tracking_number, granted_ids=granted)
        rated = fresh.appeal.satisfaction
        if rated:
            # Rated already (in another tab, or the page was sent twice): the rating stands,
            # the citizen is told so, nothing about "someone else".
            messages.info(
                request,
                f"您已评价过这件诉求（{Satisfaction(rated).label}），每件诉求评价一次，感谢您的反馈",
            )
            return redirect("citizen:track_detail", tracking_number=tracking_number)
        message = CITIZEN_STALE if isinstance(exc, ConcurrentEdit) else exc.message
        context = _detail_context(fresh, error=message)
        context.update({"chosen": satisfaction, "comment": comment})
        return render(request, "citizen/detail.html", context, status=exc.status_code)
    thanks = "感谢您的评价"
    if satisfaction == Satisfaction.DISSATISFIED:
        thanks += "，我们将安排回访并重新办理"
    messages.success(request, thanks)
    return redirect("citizen:track_detail", tracking_number=tracking_number)


def _detail_context(view: CitizenAppeal, *, error: str = "") -> dict[str, Any]:
    status = view.appeal.status
    return {
        "view": view,
        "appeal": view.appeal,
        "clock_running": status in OPEN_STATUSES,
        "can_rate": status == AppealStatus.RESOLVED,
        "satisfactions": Satisfaction.choices,
        "comment_max": COMMENT_MAX,
        "error": error,
        "chosen": "",
        "comment": "",
    }


def photo(request: HttpRequest, tracking_number: str, attachment_id: int) -> FileResponse:
    attachment = attachment_get_for_grant(
        tracking_number=tracking_number,
        attachment_id=attachment_id,
        granted_ids=grants(request.session, APPEAL_GRANTS_KEY),
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise NotFound("照片文件不存在") from exc
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- the transparency page ----------------------------------------------------------------------


def transparency(request: HttpRequest) -> HttpResponse:
    figures = transparency_figures(
        today=timezone.localdate(), month_key=request.GET.get("month", "")[:7]
    )

    def rate(value: float | None) -> float | None:
        return None if value is None else round(value * 100, 1)

    chart = {
        "months": [m.label for m in figures.months],
        "received": [f.received for f in figures.by_month],
        "reply": [rate(f.reply_rate) for f in figures.by_month],
        "onTime": [rate(f.on_time_rate) for f in figures.by_month],
        "satisfaction": [rate(f.satisfaction_rate) for f in figures.by_month],
    }
    return render(
        request,
        "citizen/transparency.html",
        {
            "figures": figures,
            "months_desc": list(zip(figures.months, figures.by_month, strict=True))[::-1],
            "chart": chart,
            "district_name": settings.MINXIN["DISTRICT_NAME"],
        },
    )
