"""Whether htmx made a request, one way for every view and middleware that answers it with a
fragment: django-htmx reads its headers (HX-Request is "true"). Its middleware is not installed:
this reads the request where a middleware above it (the session limits) needs to know too."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


def htmx_made(request: HttpRequest) -> bool:
    return bool(HtmxDetails(request))
