"""The citizens' form pages, one way for every public form (the phone page, the message board,
suggestions): the form with what was typed and a one-time key, its post, the receipt it leads
to, and the tracking form that grants a browser the record it holds the number and code of."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

from .errors import MinxinError, NotFound
from .session import (
    Numbered,
    grant,
    is_one_time_key,
    one_time_key_new,
    receipt_held,
    submission_keep,
)
from .signals import security_event


@dataclass(frozen=True)
class PublicForm:
    """A citizen's form page: its template, the fields shown again with what was typed when
    it was refused, and what else the page `shows` (from what was typed)."""

    template: str
    fields: tuple[str, ...]
    shows: Callable[[Mapping[str, Any]], dict[str, Any]] = lambda values: {}

    def blank(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, values={}, submission_key=one_time_key_new())

    def page(
        self,
        request: HttpRequest,
        *,
        values: Mapping[str, Any],
        submission_key: str,
        error: str = "",
        status: int = 200,
    ) -> HttpResponse:
        context = self.shows(values) | {"values": {f: values.get(f, "") for f in self.fields}}
        context |= {"submission_key": submission_key, "error": error}
        return render(request, self.template, context, status=status)


def receipt_page(request: HttpRequest, key: str, template: str, *, back: str) -> HttpResponse:
    """The receipt of what this browser just submitted; without one, back to the form."""
    receipt = receipt_held(request.session, key)
    if receipt is None:
        return redirect(back)
    return render(request, template, {"receipt": receipt})


def public_submit(
    request: HttpRequest,
    submit: Callable[[str | None], Numbered],
    *,
    refused: Callable[..., HttpResponse],
    grants_key: str,
    receipt_key: str,
    receipt_url: str,
    receipt: Callable[[Any], dict[str, Any]] | None = None,
) -> HttpResponse:
    """A citizen's form posted: `submit` with its one-time key (a resubmitted form finds what it
    made); refused, the form again (`refused`) with what was typed and a fresh key; done, the
    grant to follow it and its receipt (with what `receipt` adds) kept, and on to the receipt
    page."""
    key = request.POST.get("submission_key", "")
    submission_key = key if is_one_time_key(key) else None
    try:
        record = submit(submission_key)
    except MinxinError as exc:
        return refused(
            request,
            values=request.POST,
            submission_key=submission_key or one_time_key_new(),
            error=exc.message,
            status=exc.status_code,
        )
    more = receipt(record) if receipt else {}
    submission_keep(request.session, record, grants_key=grants_key, receipt_key=receipt_key, **more)
    return redirect(receipt_url)


def public_track(
    request: HttpRequest,
    find: Callable[[str, str], Numbered],
    *,
    template: str,
    grants_key: str,
    detail_url: str,
    number: Callable[[str], str] = str.strip,
) -> HttpResponse:
    """A tracking form: the number and the query code it was given grant this browser the
    record (never by the URL), and on to its page; a wrong pair is one message for both."""
    if request.method != "POST":
        return render(request, template, {"tracking_number": ""})
    tracking_number = number(request.POST.get("tracking_number", ""))[:20]
    if _code_guesses(request, template, tracking_number, count=False):
        context = {"tracking_number": tracking_number, "error": QUERY_CODE_LOCKED}
        return render(request, template, context, status=429)
    try:
        record = find(tracking_number, request.POST.get("query_code", "")[:12])
    except NotFound as exc:
        if _code_guesses(request, template, tracking_number, count=True):
            security_event.send(
                sender=public_track,
                kind="query_code_locked",
                request=request,
                target=f"受理编号 {tracking_number}",
                summary="查询码连续输错，该编号的查询已暂时锁定",
            )
        context = {"tracking_number": tracking_number, "error": exc.message}
        return render(request, template, context, status=exc.status_code)
    grant(request.session, grants_key, record.pk)
    return redirect(detail_url, tracking_number=record.tracking_number)


QUERY_CODE_LOCKED = "该编号的查询码输错次数过多，已暂时锁定，请稍后再试（约 1 小时）"


def _code_guesses(request: HttpRequest, page: str, tracking_number: str, *, count: bool) -> bool:
    """Whether the wrong query codes given for this number (from any address) have reached
    settings.MINXIN_QUERY_CODE_FAILURES (e.g. "5/h"); `count` adds this wrong one first."""
    usage = get_usage(
        request,
        group=f"query_code:{page}",
        key=lambda group, request: tracking_number.upper(),
        rate=settings.MINXIN_QUERY_CODE_FAILURES,
        increment=count,
    )
    return usage is not None and usage["count"] >= usage["limit"]


def _public_read_rate(group: str, request: HttpRequest) -> str:
    return str(settings.MINXIN_PUBLIC_READ_RATE)


# The public pages' reads (the participation pages: rounds, drafts, topics, results), counted
# per address across all of them (group "public_read"), at MINXIN_PUBLIC_READ_RATE: a resident
# reads freely, a scraper is refused 429 「访问过于频繁」.
public_read = ratelimit(
    key="ip", rate=_public_read_rate, method="GET", group="public_read", block=True
)
