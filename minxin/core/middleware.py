from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import MinxinError


class MinxinErrorMiddleware:
    """Turns a domain error raised anywhere in a view into a 4xx page with its Chinese message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, MinxinError):
            return None
        template = "core/error_fragment.html" if _is_htmx(request) else "core/error.html"
        return render(
            request, template, {"message": exception.message}, status=exception.status_code
        )


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
