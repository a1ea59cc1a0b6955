"""The public pages of 全过程人民民主 (/participation/): the index of every published round
(and, as they arrive, consultations and deliberations), a round's page (its candidates, the
comment form while it is published, the results once counted), and the residents' vote on
the phone: phone → SMS code → code and choices → receipt.

No account. The phone and the code travel only in POST bodies; once confirmed, the browser's
session keeps the phone's hash (never the number) a short while. Every form is rate-limited
per address; a refused one is shown again with its Chinese message and 4xx status."""

from collections.abc import Callable
from functools import partial
from typing import Any, Final

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from minxin.core.discover import app_modules
from minxin.core.errors import MinxinError, NotFound, ValidationFailed
from minxin.core.pages import public_read
from minxin.core.pagination import paginate
from minxin.core.posted import ids_or_none
from minxin.core.privacy import mask_phone
from minxin.core.session import is_one_time_key, one_time_key_new
from minxin.directory.selectors import jurisdiction_for_host
from minxin.notify.phone import phone_confirmed
from minxin.notify.phone_forms import PostedOnce, phone_code_page, phone_posted_confirm
from minxin.notify.services import CODE_TTL

from . import selectors
from .models import SelectionRound
from .services import COMMENT_MAX, candidate_comment, resident_ballot_cast
from .workflow import RoundStatus

PURPOSE: Final = "selection_vote"
DONE_KEY: Final = "selection_vote_done"
VOTED: Final = PostedOnce(DONE_KEY, "selection_vote_receipt")


SHOWN: Final = 10  # items of each section on the index; the rest on the section's own pages


def _none(*, district: int) -> list[dict[str, Any]]:
    return []


def _sections(district: int) -> list[dict[str, Any]]:
    """Every app's sections of the index (its `participation.py`): key, title, hint, the
    published rows (a queryset, newest first) and how to show one, of the page's district."""
    found: list[dict[str, Any]] = []
    for module in app_modules("participation"):
        sections: Callable[..., list[dict[str, Any]]] = getattr(module, "sections", _none)
        found += sections(district=district)
    return sorted(found, key=lambda s: s.get("order", 100))


def _district(request: HttpRequest) -> int:
    """The district whose pages these are: the host's."""
    return jurisdiction_for_host(request.get_host())


@public_read
def index(request: HttpRequest) -> HttpResponse:
    """Each section's newest items, and a link to all of them when there are more."""
    shown = []
    for section in _sections(_district(request)):
        rows = list(section["rows"][: SHOWN + 1])
        shown.append(
            section
            | {"items": [section["item"](r) for r in rows[:SHOWN]], "more": len(rows) > SHOWN}
        )
    return render(request, "selection/public/index.html", {"sections": shown})


@public_read
def section_list(request: HttpRequest, key: str) -> HttpResponse:
    """Every open and closed item of one section, a page at a time."""
    section = next((s for s in _sections(_district(request)) if s.get("key") == key), None)
    if section is None:
        raise NotFound("未找到该栏目")
    page = paginate(request, section["rows"])
    items = [section["item"](r) for r in page.object_list]
    return render(
        request,
        "selection/public/section.html",
        {"s": section | {"items": items}, "page": page},
    )


def _round_context(request: HttpRequest, selection: SelectionRound) -> dict[str, Any]:
    now = timezone.now()
    open_ = selection.status == RoundStatus.CONSULTING and now < selection.comment_closes_at
    return {
        "r": selection,
        "p": selectors.round_page(selection, public=True),
        "commenting": open_,
        "voting": open_ and selection.residents_vote,
        "comment_max": COMMENT_MAX,
        "voted_here": _voted(request, selection),
    }


def _voted(request: HttpRequest, selection: SelectionRound) -> bool:
    hashed = phone_confirmed(request.session, purpose=PURPOSE)
    return selectors.ballot_cast(selection, hashed or "")


@public_read
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    selection = selectors.public_round_get(round_id, district=_district(request))  # or 404
    return render(request, "selection/public/round_detail.html", _round_context(request, selection))


@require_POST
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
def comment(request: HttpRequest, round_id: int, candidate_id: int) -> HttpResponse:
    selection = selectors.public_round_get(round_id, district=_district(request))
    try:
        candidate_comment(
            candidate_id=candidate_id
            if selection.candidates.filter(pk=candidate_id).exists()
            else 0,
            text=request.POST.get("text", ""),
            nickname=request.POST.get("nickname", ""),
        )
    except MinxinError as error:
        context = _round_context(request, selection) | {
            "error": error,
            "error_candidate": candidate_id,
            "posted": request.POST.dict(),
        }
        return render(
            request, "selection/public/round_detail.html", context, status=error.status_code
        )
    messages.success(request, "意见已提交，将转交牵头单位和人大代表参考，谢谢您")
    return redirect("public_selection:round_detail", round_id=selection.pk)


# --- the residents' vote: phone → code → choices → receipt ---------------------------------


def _votable(request: HttpRequest, round_id: int) -> SelectionRound:
    selection = selectors.public_round_get(round_id, district=_district(request))
    if not selection.residents_vote:
        raise ValidationFailed("本轮未开展居民投票")
    return selection


def _vote_page(
    request: HttpRequest,
    selection: SelectionRound,
    *,
    step: str,
    values: QueryDict | dict[str, Any] | None = None,
    error: str = "",
    status: int = 200,
    key: str = "",
) -> HttpResponse:
    values = values or {}
    phone = str(values.get("phone", ""))[:20]
    chosen = values.getlist("candidate") if isinstance(values, QueryDict) else []
    now = timezone.now()
    context = {
        "r": selection,
        "candidates": selectors.public_candidates(selection),
        "step": step,
        "open": selection.status == RoundStatus.CONSULTING and now < selection.comment_closes_at,
        "values": {"phone": phone},
        "chosen": {str(c) for c in chosen},
        "phone_masked": mask_phone(phone) if phone else "",
        "code_minutes": int(CODE_TTL.total_seconds() // 60),
        "submission_key": key or one_time_key_new(),
        "voted": _voted(request, selection),
        "error": error,
    }
    return render(request, "selection/public/vote.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/h", method="POST", block=True)
@public_read
def vote(request: HttpRequest, round_id: int) -> HttpResponse:
    selection = _votable(request, round_id)
    session = request.session
    hashed = phone_confirmed(session, purpose=PURPOSE)
    if request.method != "POST":
        return _vote_page(request, selection, step="vote" if hashed else "phone")
    post = request.POST
    key = post.get("submission_key", "")
    done = session.get(DONE_KEY)
    if is_one_time_key(key) and isinstance(done, dict) and key in done:
        return redirect("public_selection:vote_receipt", round_id=selection.pk)
    step = "vote" if hashed else "code"
    try:
        hashed = phone_posted_confirm(session, post, purpose=PURPOSE, hashed=hashed)
        step = "vote"
        candidates = ids_or_none(post.getlist("candidate"))
        if candidates is None:
            raise ValidationFailed("所选项目不在本轮候选项目中，请刷新后重新选择")
        ballot = resident_ballot_cast(
            round_id=selection.pk, phone_hash=hashed, candidate_ids=candidates
        )
    except MinxinError as error:
        return _vote_page(
            request,
            selection,
            step=step,
            values=post,
            error=error.message,
            status=error.status_code,
            key=key if is_one_time_key(key) else "",
        )
    names = list(
        ballot.choices.select_related("candidate").values_list("candidate__name", flat=True)
    )
    receipt = {
        "round_id": selection.pk,
        "names": names,
        "at": timezone.localtime(ballot.created_at).strftime("%Y-%m-%d %H:%M"),
    }
    VOTED.keep(session, key, receipt, done=True)
    return redirect("public_selection:vote_receipt", round_id=selection.pk)


@never_cache
@require_POST
@ratelimit(key="ip", rate="10/h", method="POST", block=True)
def code_send(request: HttpRequest, round_id: int) -> HttpResponse:
    selection = _votable(request, round_id)

    def check() -> None:
        if not (
            selection.status == RoundStatus.CONSULTING
            and timezone.now() < selection.comment_closes_at
        ):
            raise ValidationFailed("居民投票已结束")

    page = partial(_vote_page, request, selection)
    return phone_code_page(request.POST, purpose=PURPOSE, page=page, check=check)


@never_cache
@public_read
def vote_receipt(request: HttpRequest, round_id: int) -> HttpResponse:
    selection = selectors.public_round_get(round_id, district=_district(request))
    receipt = request.session.get("selection_vote_receipt")
    if not isinstance(receipt, dict) or receipt.get("round_id") != selection.pk:
        return redirect("public_selection:round_detail", round_id=selection.pk)
    return render(
        request, "selection/public/vote_receipt.html", {"r": selection, "receipt": receipt}
    )
