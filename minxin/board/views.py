"""The public message board (留言板): the list of published posts, a post with its official
replies and 附议, the form to post (an appeal of channel `board`) and its receipt.

No account: the reader's 附议 identity is a random id in the session (`board_reader`), never
the IP; a poster's browser is granted its appeal like the phone page's submitter, so the receipt
links to the citizen's tracking page. Views are thin: parse, one selector or service, render; a
domain error re-renders the page with its Chinese message and 4xx status."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from minxin.cases.forms import appeal_form_limits
from minxin.cases.models import Appeal
from minxin.core.htmx import htmx_made
from minxin.core.pages import PublicForm, public_submit, receipt_page
from minxin.core.pagination import paginate
from minxin.core.posted import int_or_none
from minxin.core.session import (
    APPEAL_GRANTS_KEY,
    APPEAL_RECEIPT_KEY,
    is_one_time_key,
    one_time_key_new,
)
from minxin.directory.selectors import jurisdiction_for_host

from .models import NICKNAME_MAX
from .selectors import (
    BOARD_ORDERS,
    PUBLIC_STATUS_BY_KEY,
    PUBLIC_STATUSES,
    board_units,
    has_supported,
    post_get_public,
    post_list_public,
    public_status,
)
from .services import appeal_support, post_create, supporter_hash

# --- the public message board (留言板) -------------------------------------------------------
# Published posts only, text masked at publication and again at render (`public_text`);
# photos are never shown here (see board/models.py). The poster's phone and query code appear
# only on the poster's own receipt, like the submit form's.

BOARD_PAGE_SIZE = 10
READER_KEY = "board_reader"
POST_FORM = PublicForm(
    "board/post_new.html",
    ("nickname", "kind", "title", "content", "phone"),
    lambda values: {"nickname_max": NICKNAME_MAX, **appeal_form_limits()},
)


def _supporter(session: SessionBase, *, create: bool) -> str:
    """This reader's salted 附议 identity; a random id kept in the session, never the IP."""
    reader = session.get(READER_KEY)
    if not is_one_time_key(reader):
        if not create:
            return ""
        reader = one_time_key_new()
        session[READER_KEY] = reader
    return supporter_hash(reader_id=reader)


def board_list(request: HttpRequest) -> HttpResponse:
    order = request.GET.get("order", "new")
    order = order if order in BOARD_ORDERS else "new"
    status_key = request.GET.get("status", "")
    status_key = status_key if status_key in PUBLIC_STATUS_BY_KEY else ""
    unit_id = int_or_none(request.GET.get("unit"))
    district = jurisdiction_for_host(request.get_host())
    posts = post_list_public(district=district, order=order, status_key=status_key, unit_id=unit_id)
    page = paginate(request, posts, per_page=BOARD_PAGE_SIZE)
    filters = {k: v for k, v in (("order", order), ("status", status_key), ("unit", unit_id)) if v}
    rows = [{"post": p, "status": public_status(p.appeal.status)} for p in page.object_list]
    return render(
        request,
        "board/board_list.html",
        {
            "page": page,
            "rows": rows,
            "query": urlencode(filters),
            "order": order,
            "orders": BOARD_ORDERS,
            "status_key": status_key,
            "statuses": PUBLIC_STATUSES,
            "unit_id": unit_id,
            "units": board_units(district=district),
        },
    )


def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    view = post_get_public(
        district=jurisdiction_for_host(request.get_host()), post_id=post_id
    )  # or 404
    supporter = _supporter(request.session, create=False)
    supported = bool(supporter) and has_supported(
        appeal_id=view.post.appeal_id, supporter=supporter
    )
    return render(request, "board/post_detail.html", {"view": view, "supported": supported})


@require_POST
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
def post_support(request: HttpRequest, post_id: int) -> HttpResponse:
    view = post_get_public(
        district=jurisdiction_for_host(request.get_host()), post_id=post_id
    )  # or 404
    result = appeal_support(
        appeal_id=view.post.appeal_id, supporter=_supporter(request.session, create=True)
    )
    context = {"view": view, "support_count": result.count, "supported": True}
    if htmx_made(request):
        return render(request, "board/_support.html", context)
    if result.created:
        messages.success(request, "感谢您的附议")
    else:
        messages.info(request, "您已附议过这条留言")
    return redirect("board:post_detail", post_id=post_id)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="10/h", method="POST", block=True)
def post_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return POST_FORM.blank(request)
    post = request.POST

    def submit(submission_key: str | None) -> Appeal:
        return post_create(
            nickname=post.get("nickname", ""),
            kind=post.get("kind", ""),
            title=post.get("title", ""),
            content=post.get("content", ""),
            phone=post.get("phone", ""),
            photos=request.FILES.getlist("photos"),
            submission_key=submission_key,
            district=jurisdiction_for_host(request.get_host()),
        ).post.appeal

    return public_submit(
        request,
        submit,
        refused=POST_FORM.page,
        grants_key=APPEAL_GRANTS_KEY,
        receipt_key=APPEAL_RECEIPT_KEY,
        receipt_url="board:post_receipt",
    )


@never_cache
def post_receipt(request: HttpRequest) -> HttpResponse:
    return receipt_page(
        request, APPEAL_RECEIPT_KEY, "board/post_receipt.html", back="board:post_new"
    )
