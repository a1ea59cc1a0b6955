"""A step of a small state machine posted from its page, one way for every screen that has one
(consultations, selection rounds, issue-list items, proactive tasks): the action named in the
form checked against the machine's actions, the service called with it, the reason and the
version the page was read at, then a message and back to the page; refused, the page again."""

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .errors import MinxinError, ValidationFailed
from .posted import int_or_none

A = TypeVar("A", bound=StrEnum)


def posted_version(request: HttpRequest) -> int | None:
    """The record's version the form was read at (None when missing or not a number)."""
    return int_or_none(request.POST.get("version"))


def posted_version_required(request: HttpRequest) -> int:
    """The version, where a form cannot be taken without it (a rating, a revisit, an on-site
    check): a page without one is out of date."""
    version = posted_version(request)
    if version is None:
        raise ValidationFailed("页面已过期，请刷新后重试")
    return version


def posted_action(request: HttpRequest, actions: type[A]) -> A:
    """The action the form names, one of `actions`, else 「未知的操作」."""
    raw = request.POST.get("action", "")
    if raw not in {a.value for a in actions}:
        raise ValidationFailed("未知的操作")
    return actions(raw)


def step_post(
    request: HttpRequest,
    actions: type[A],
    act: Callable[..., object],
    *,
    label: Callable[[A], str],
    refused: Callable[[MinxinError], HttpResponse],
    done: str,
    pk: int,
) -> HttpResponse:
    """`act(action=…, reason=…, expected_version=…)` for the posted action, with the version the
    page was read at; done, 「已…」 and on to the page `done` of `pk`; refused, what `refused`
    makes of the error."""
    try:
        action = posted_action(request, actions)
        act(
            action=action,
            reason=request.POST.get("reason", ""),
            expected_version=posted_version(request),
        )
    except MinxinError as error:
        return refused(error)
    messages.success(request, f"已{label(action)}")
    return redirect(done, pk)
