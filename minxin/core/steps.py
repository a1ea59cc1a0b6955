"""A record's page in the staff console and the steps posted from it, one way for every record a
machine moves (appeals, suggestions, supervision orders, projects, consultations, selection
rounds, topics, panel evaluations, issue-list items, proactive tasks, task forces): the page shows
the record to a viewer, and again, with the error and what was typed, when a form on it is
refused. A form posted on the page (`take`) is done, said and back to the page, or refused and
the page again; a step of the record's machine is one such form, its action checked against the
machine's actions and the service called with it, the reason and the version the page was read
at."""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .errors import MinxinError, ValidationFailed
from .posted import int_or_none

A = TypeVar("A", bound=StrEnum)
R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True)
class RecordPage(Generic[R]):
    """A record's page: its template, what it `shows` of the record to a viewer (the staff
    user), how the viewer `read`s the record by its key (NotFound for one they may not see) and
    the page's `url` name; `check`, when reading the whole page costs more, only checks that
    the viewer may see the record before a form is taken. `render` adds the refused form's
    error and what was typed, and answers with the error's status, so a refused form never
    reads as a success."""

    template: str
    shows: Callable[[Any, R], Mapping[str, Any]]
    read: Callable[[Any, int], R]
    url: str
    check: Callable[[Any, int], object] | None = None

    def render(
        self,
        request: HttpRequest,
        viewer: Any,
        record: R,
        *,
        error: MinxinError | None = None,
        posted: Mapping[str, Any] | None = None,
        **extra: Any,
    ) -> HttpResponse:
        context = {**self.shows(viewer, record), **extra, "error": error, "posted": posted or {}}
        status = error.status_code if error else 200
        return render(request, self.template, context, status=status)

    def show(self, request: HttpRequest, viewer: Any, pk: int) -> HttpResponse:
        """The page of the record `pk`, read for the viewer."""
        return self.render(request, viewer, self.read(viewer, pk))

    def refused(
        self, request: HttpRequest, viewer: Any, pk: int, error: MinxinError, **extra: Any
    ) -> HttpResponse:
        """The page again for a refused form, with what was typed and the record read anew
        (the form may have been refused because someone else had just changed it)."""
        record = self.read(viewer, pk)
        return self.render(
            request, viewer, record, error=error, posted=request.POST.dict(), **extra
        )

    def take(
        self,
        request: HttpRequest,
        viewer: Any,
        pk: int,
        act: Callable[[], T],
        *,
        said: str | Callable[[T], str],
        **extra: Any,
    ) -> HttpResponse:
        """A form posted on the page of the record `pk`: the record checked for the viewer
        first, so one they may not see is not found before anything is done; then `act()`.
        Done, the message `said` (or `said` of what `act` returned) and back to the page;
        refused, the page again, with `extra` (which form to open)."""
        (self.check or self.read)(viewer, pk)
        try:
            result = act()
        except MinxinError as error:
            return self.refused(request, viewer, pk, error, **extra)
        messages.success(request, said(result) if callable(said) else said)
        return redirect(self.url, pk)

    def step(
        self,
        request: HttpRequest,
        viewer: Any,
        pk: int,
        actions: type[A],
        act: Callable[..., object],
        *,
        label: Callable[[A], str],
    ) -> HttpResponse:
        """A step of the record's machine posted from the page (`take`): `act(action=…,
        reason=…, expected_version=…)` with the posted action and the version the page was
        read at; done, 「已…」."""

        def stepped() -> A:
            action = posted_action(request, actions)
            act(
                action=action,
                reason=request.POST.get("reason", ""),
                expected_version=posted_version(request),
            )
            return action

        return self.take(request, viewer, pk, stepped, said=lambda action: f"已{label(action)}")


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


def posted_action(request: HttpRequest, actions: type[A], *, excluding: Collection[A] = ()) -> A:
    """The action the form names, one of `actions` but not one `excluding` names (the creating
    action, which no form on a record's page posts), else 「未知的操作」."""
    raw = request.POST.get("action", "")
    if raw not in {a.value for a in actions} or raw in excluding:
        raise ValidationFailed("未知的操作")
    return actions(raw)
