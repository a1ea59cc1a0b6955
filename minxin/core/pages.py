"""The citizens' form pages, one way for every public form (the phone page, the message board,
suggestions): the form with what was typed and a one-time key, and the receipt it leads to."""

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .session import receipt_held


def public_form_page(
    request: HttpRequest,
    template: str,
    *,
    fields: tuple[str, ...],
    values: Mapping[str, Any],
    submission_key: str,
    error: str = "",
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    """The form, again with what was typed (`fields` of `values`) when it was refused."""
    context |= {"values": {f: values.get(f, "") for f in fields}}
    context |= {"submission_key": submission_key, "error": error}
    return render(request, template, context, status=status)


def receipt_page(request: HttpRequest, key: str, template: str, *, back: str) -> HttpResponse:
    """The receipt of what this browser just submitted; without one, back to the form."""
    receipt = receipt_held(request.session, key)
    if receipt is None:
        return redirect(back)
    return render(request, template, {"receipt": receipt})
