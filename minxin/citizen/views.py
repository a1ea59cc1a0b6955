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
from minxin.cases.models import SUPPLEMENT_MAX, Appeal, Channel
from minxin.cases.selectors import appeal_get_for_citizen
from minxin.cases.services import AppealDraft, appeal_supplement
from minxin.cases.workflow import OPEN_STATUSES, AppealStatus, Satisfaction
from minxin.core.errors import ConcurrentEdit, MinxinError, NotFound, ValidationFailed
from minxin.core.pages import PublicForm, public_submit, public_track, receipt_page
from minxin.core.session import (
    APPEAL_GRANTS_KEY,
    APPEAL_RECEIPT_KEY,
    grants,
    is_one_time_key,
    one_time_key_new,
    submission_keep,
    submission_keep_saved,
)
from minxin.core.steps import posted_version
from minxin.directory.selectors import jurisdiction_for_host
from minxin.feedback.services import COMMENT_MAX, rating_submit
from minxin.intake.services import appeal_receive
from minxin.notify.selectors import sms_notices_on
from minxin.notify.services import sms_preference_set

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
SUPPLEMENT_STALE = "诉求的办理情况刚有更新，请查看最新进度后再补充；您填写的内容已保留"
SUBMIT_FORM = PublicForm(
    "citizen/submit.html",
    ("kind", "title", "content", "place_text", "appellant_name", "appellant_phone"),
    lambda values: {"is_anonymous": values.get("is_anonymous") == "on", **appeal_form_limits()},
)


# --- pages -------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "citizen/home.html", {"district_name": settings.MINXIN["DISTRICT_NAME"]})


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="10/h", method="POST", block=True)
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return SUBMIT_FORM.blank(request)

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
            draft=_draft(request.POST, district=jurisdiction_for_host(request.get_host())),
            photos=request.FILES.getlist("photos"),
            submission_key=submission_key,
            channel_record=lambda appeal: submission_keep_saved(
                request.session,
                appeal,
                grants_key=APPEAL_GRANTS_KEY,
                receipt_key=APPEAL_RECEIPT_KEY,
            ),
        ).appeal

    return public_submit(
        request,
        receive,
        refused=SUBMIT_FORM.page,
        grants_key=APPEAL_GRANTS_KEY,
        receipt_key=APPEAL_RECEIPT_KEY,
        receipt_url="citizen:receipt",
    )


def _draft(post: QueryDict, *, district: int) -> AppealDraft:
    """The form's appeal, for the district whose site it was sent to."""
    return AppealDraft(
        jurisdiction_id=district,
        channel=Channel.WEB,
        kind=post.get("kind", ""),
        title=post.get("title", ""),
        content=post.get("content", ""),
        place_text=post.get("place_text", ""),
        appellant_name=post.get("appellant_name", ""),
        appellant_phone=post.get("appellant_phone", ""),
        is_anonymous=post.get("is_anonymous") == "on",
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
    try:
        rating_submit(
            appeal_id=view.appeal.pk,
            actor=Actor.citizen(),
            # A missing or garbled version can match nothing: the citizen is asked to refresh.
            expected_version=posted_version(request) or 0,
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


@never_cache
@require_POST
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
def supplement(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The citizen adds text and photos (补充); a form sent twice finds what it added."""
    granted = grants(request.session, APPEAL_GRANTS_KEY)
    view = citizen_appeal_view(tracking_number=tracking_number, granted_ids=granted)  # or 404
    key = request.POST.get("submission_key", "")
    content = request.POST.get("content", "")
    try:
        if not is_one_time_key(key):
            raise ValidationFailed("页面已过期，请刷新后重试")
        done = appeal_supplement(
            appeal_id=view.appeal.pk,
            actor=Actor.citizen(),
            expected_version=posted_version(request) or 0,
            content=content,
            photos=request.FILES.getlist("photos"),
            submission_key=key,
        )
    except MinxinError as exc:
        fresh = citizen_appeal_view(tracking_number=tracking_number, granted_ids=granted)
        message = SUPPLEMENT_STALE if isinstance(exc, ConcurrentEdit) else exc.message
        context = _detail_context(fresh, error=message)
        context.update(
            {
                "supplement_text": content,
                "supplement_key": key if is_one_time_key(key) else one_time_key_new(),
            }
        )
        return render(request, "citizen/detail.html", context, status=exc.status_code)
    if done.created:
        messages.success(request, "已收到您补充的情况，承办单位会尽快处理")
    else:
        messages.info(request, "这次补充已经提交过了，无需重复提交")
    return redirect("citizen:track_detail", tracking_number=tracking_number)


@never_cache
@require_POST
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
def sms_notices(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The appellant's phone stops (or starts again) receiving notification SMS. Replying TD
    to a message is the provider's uplink, not handled here."""
    granted = grants(request.session, APPEAL_GRANTS_KEY)
    view = citizen_appeal_view(tracking_number=tracking_number, granted_ids=granted)  # or 404
    opted_out = request.POST.get("notices") == "off"
    sms_preference_set(
        phone=view.appeal.appellant_phone, opted_out=opted_out, source="tracking_page"
    )
    messages.success(
        request, "已退订短信通知，您仍可凭编号和查询码查看进度" if opted_out else "已恢复短信通知"
    )
    return redirect("citizen:track_detail", tracking_number=tracking_number)


def _detail_context(view: CitizenAppeal, *, error: str = "") -> dict[str, Any]:
    status = view.appeal.status
    return {
        "sms_on": sms_notices_on(phone=view.appeal.appellant_phone),
        "supplement_key": one_time_key_new(),
        "supplement_text": "",
        "supplement_max": SUPPLEMENT_MAX,
        "photo_max_count": settings.MINXIN_PHOTO_MAX_COUNT,
        "photo_max_mb": settings.MINXIN_PHOTO_MAX_BYTES // (1024 * 1024),
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
        district=jurisdiction_for_host(request.get_host()),
        today=timezone.localdate(),
        month_key=request.GET.get("month", "")[:7],
    )

    def rate(value: float | None) -> float | None:
        return None if value is None else round(value * 100, 1)

    chart = {
        "months": [m.label for m in figures.months],
        # The current month so far: drawn apart, so a part-month is not read as a fall.
        "unfinished": [m.unfinished for m in figures.months],
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
