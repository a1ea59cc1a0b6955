import re
from collections.abc import Callable
from typing import Final

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from .errors import MinxinError
from .htmx import htmx_made
from .text import text_normalise


class MinxinErrorMiddleware:
    """The project's own middleware:

    - every text that enters by a form is normalised before a view sees it: the path, GET and
      POST fields by `core.text.text_normalise` (NUL, control, bidirectional and zero-width
      characters out, NFC), through `request_text_normalise`;
    - a domain error raised anywhere in a view becomes a 4xx page with its Chinese message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_text_normalise(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, MinxinError):
            return None
        return _error_page(request, exception)


def _error_page(request: HttpRequest, error: MinxinError) -> HttpResponse:
    template = "core/error_fragment.html" if htmx_made(request) else "core/error.html"
    return render(request, template, {"message": error.message}, status=error.status_code)


# Fields never touched: a password is checked byte for byte against the one that was set.
_VERBATIM: Final = re.compile("password|passwd|secret", re.IGNORECASE)


def query_normalise(query: QueryDict) -> QueryDict:
    """A copy of `query` with every key and value normalised (passwords as they are)."""
    clean = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        verbatim = bool(_VERBATIM.search(key))
        clean.setlist(
            text_normalise(key), values if verbatim else [text_normalise(v) for v in values]
        )
    clean._mutable = False
    return clean


def request_text_normalise(request: HttpRequest) -> None:
    """Normalise the request's path (before it is resolved: a `%00` in a tracking number
    names nothing) and GET now, and its POST when it is first read (a view that reads the raw
    body, such as Open311's, still can: nothing is parsed early). Files are left alone; their
    names are never stored."""
    request.path_info = text_normalise(request.path_info)
    request.path = text_normalise(request.path)
    request.GET = query_normalise(request.GET)  # type: ignore[assignment]
    if hasattr(request, "_post"):
        request._post = query_normalise(request._post)
        return
    load: Callable[[], None] | None = getattr(request, "_load_post_and_files", None)
    if load is None:
        return

    def load_normalised() -> None:
        load()
        request._post = query_normalise(request._post)  # type: ignore[attr-defined]

    setattr(request, "_load_post_and_files", load_normalised)  # noqa: B010
