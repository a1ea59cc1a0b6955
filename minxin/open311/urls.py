from django.urls import URLPattern, URLResolver, path, re_path

from . import views

app_name = "open311"

_FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns: list[URLPattern | URLResolver] = [
    path("openapi.json", views.openapi, name="openapi"),
    re_path(r"^discovery" + _FMT, views.discovery, name="discovery"),
    re_path(r"^services" + _FMT, views.service_list, name="services"),
    re_path(
        r"^services/(?P<service_code>[^/]{1,64})" + _FMT, views.service_definition, name="service"
    ),
    re_path(r"^requests" + _FMT, views.requests, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]{1,64})" + _FMT, views.request_detail, name="request"
    ),
    re_path(r"^tokens/(?P<token>[^/]{1,64})" + _FMT, views.token, name="token"),
    re_path(r"^servicerequestupdates" + _FMT, views.request_updates, name="updates"),
]

# Anything else under /open311/v2/ answers in the standard's error format, not an HTML page.
urlpatterns.append(re_path(r"^.*$", views.not_found, name="not_found"))
