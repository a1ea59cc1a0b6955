"""The deliberation hall's public pages (/participation/deliberations/): a topic (its
supporters, meeting, minutes, decisions and how far each has gone), support (附议, one per
phone), and a resident's new topic. Both need a phone confirmed by an SMS code: the small flow
phone → code → back where the resident was, the phone kept in the session only as its hash.
Under a district's host, that district's topics and communities only (another's topic: 404)."""

from typing import Final

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from minxin.core.errors import MinxinError
from minxin.core.pages import public_read
from minxin.core.posted import int_or_none
from minxin.core.privacy import mask_phone
from minxin.directory.selectors import jurisdiction_for_host, places_to_choose
from minxin.notify.phone import phone_confirmed, phone_confirmed_keep
from minxin.notify.services import CODE_TTL, TooManyCodes, phone_code_confirm, phone_code_send

from . import selectors
from .models import Topic
from .services import TopicDraft, topic_propose, topic_support

PURPOSE: Final = "deliberation"
PREFIX: Final = "/participation/deliberations/"


def _next(raw: str) -> str:
    """Back to a page of the hall only (never elsewhere)."""
    return raw if raw.startswith(PREFIX) and "//" not in raw and len(raw) < 200 else PREFIX + "new/"


def _district(request: HttpRequest) -> int:
    return jurisdiction_for_host(request.get_host())


def _topic(request: HttpRequest, topic_id: int) -> Topic:
    """A topic of the host's district, or 404."""
    return selectors.public_topic_get(topic_id, district=_district(request))


@public_read
def topic_detail(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = _topic(request, topic_id)
    hashed = phone_confirmed(request.session, purpose=PURPOSE)
    supported = selectors.topic_supported(topic, hashed or "")
    return render(
        request,
        "deliberation/public/detail.html",
        {"t": topic, "p": selectors.topic_page(topic), "supported": supported},
    )


@require_POST
@ratelimit(key="ip", rate="30/h", method="POST", block=True)
def support(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = _topic(request, topic_id)
    here = reverse("public_deliberation:detail", args=[topic.pk])
    hashed = phone_confirmed(request.session, purpose=PURPOSE)
    if not hashed:
        return redirect(f"{reverse('public_deliberation:phone')}?next={here}")
    try:
        count = topic_support(topic_id=topic.pk, phone_hash=hashed)
    except MinxinError as error:
        context = {"t": topic, "p": selectors.topic_page(topic), "error": error}
        return render(request, "deliberation/public/detail.html", context, status=error.status_code)
    messages.success(request, f"附议成功，已有{count}位居民附议")
    return redirect(here)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="10/h", method="POST", block=True)
@public_read
def topic_new(request: HttpRequest) -> HttpResponse:
    hashed = phone_confirmed(request.session, purpose=PURPOSE)
    if not hashed:
        return redirect(f"{reverse('public_deliberation:phone')}?next={PREFIX}new/")
    district = _district(request)
    context: dict[str, object] = {"regions": places_to_choose(district=district), "posted": {}}
    if request.method == "GET":
        return render(request, "deliberation/public/new.html", context)
    post = request.POST
    try:
        topic = topic_propose(
            draft=TopicDraft(
                title=post.get("title", ""),
                description=post.get("description", ""),
                region_id=int_or_none(post.get("region")),
                proposer=post.get("proposer", ""),
            ),
            phone_hash=hashed,
            district=district,
        )
    except MinxinError as error:
        context |= {"posted": post.dict(), "error": error}
        return render(request, "deliberation/public/new.html", context, status=error.status_code)
    messages.success(request, "议题已提出，邀请邻居们来附议吧")
    return redirect("public_deliberation:detail", topic_id=topic.pk)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
@public_read
def phone(request: HttpRequest) -> HttpResponse:
    """GET: the phone form; POST with `phone`: a code sent; POST with `code`: confirmed and
    back to `next`."""
    nxt = _next(request.POST.get("next") or request.GET.get("next", ""))
    context: dict[str, object] = {
        "next": nxt,
        "step": "phone",
        "code_minutes": int(CODE_TTL.total_seconds() // 60),
    }
    if request.method == "GET":
        return render(request, "deliberation/public/phone.html", context)
    post = request.POST
    number = post.get("phone", "")[:20]
    context |= {"phone": number, "phone_masked": mask_phone(number) if number else ""}
    try:
        if post.get("code"):
            context["step"] = "code"
            hashed = phone_code_confirm(phone=number, code=post.get("code", ""), purpose=PURPOSE)
            phone_confirmed_keep(request.session, purpose=PURPOSE, phone_hash=hashed)
            return redirect(nxt)
        phone_code_send(phone=number, purpose=PURPOSE)
        context["step"] = "code"
    except TooManyCodes as error:
        context |= {"step": "code", "error": error}
        return render(request, "deliberation/public/phone.html", context, status=429)
    except MinxinError as error:
        context["error"] = error
        return render(request, "deliberation/public/phone.html", context, status=error.status_code)
    return render(request, "deliberation/public/phone.html", context)
