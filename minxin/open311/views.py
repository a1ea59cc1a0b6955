"""The GeoReport v2 endpoints. Each view: parse, one selector or service, one document.
Errors answer in the standard's error list, in the format the URL asked for."""

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any, Final

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import _get_ip, is_ratelimited

from minxin.core.errors import MinxinError, NotFound, PermissionDenied, ValidationFailed

from . import documents, params, selectors
from .formats import Format, document_response, errors_response
from .models import ApiKey
from .openapi import openapi_document
from .services import (
    api_key_authenticate,
    service_request_create,
    service_request_update_receive,
)

View = Callable[..., HttpResponse]


class RateLimited(MinxinError):
    status_code = 429
    default_message = "请求过于频繁，请稍后再试"


def _ip(group: str, request: HttpRequest) -> str:
    """The client's address as django-ratelimit sees it (RATELIMIT_IP_META_KEY); a server
    that gives none still answers rather than failing."""
    try:
        return str(_get_ip(request))
    except (KeyError, ImproperlyConfigured):
        return "unknown"


_DISTRICT: Final = "_open311_district"


def _district(request: HttpRequest, values: Mapping[str, str]) -> int:
    """The district asked for: by `jurisdiction_id`, else by the host (404 when unknown);
    resolved once a request (the decorator checks it first for every GET)."""
    found: int | None = getattr(request, _DISTRICT, None)
    if found is None:
        found = selectors.jurisdiction_resolve(
            values.get("jurisdiction_id", ""), host=request.get_host()
        )
        setattr(request, _DISTRICT, found)
    return found


def _limited(request: HttpRequest, *, group: str, key: str | Callable[..., str], rate: str) -> bool:
    return bool(is_ratelimited(request, group=group, key=key, rate=rate, increment=True))


def open311(*methods: str) -> Callable[[View], View]:
    """CSRF-exempt (clients authenticate with api_key, not cookies), per-IP rate-limited,
    `jurisdiction_id` checked, and every MinxinError answered in the standard's format."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, fmt: Format = "json", **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    response = errors_response(
                        fmt, status=405, description=f"不支持 {request.method} 方法"
                    )
                    response["Allow"] = ", ".join(methods)
                    return response
                rate = params.settings_rate("OPEN311_IP_RATE", "300/m")
                if _limited(request, group="open311-ip", key=_ip, rate=rate):
                    raise RateLimited
                if request.method == "GET":
                    _district(request, request.GET)
                return view(request, fmt, **kwargs)
            except MinxinError as error:
                return errors_response(fmt, status=error.status_code, description=error.message)

        return wrapper

    return decorate


@open311("GET")
def discovery(request: HttpRequest, fmt: Format) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    document = documents.discovery_document(
        base_url=base.rsplit("/", 1)[0] + "/", contact=params.settings_rate("OPEN311_CONTACT", "")
    )
    return document_response(fmt, root="discovery", data=document)


@open311("GET")
def service_list(request: HttpRequest, fmt: Format) -> HttpResponse:
    data = [documents.service_document(s) for s in selectors.services_list()]
    return document_response(fmt, root="services", data=data)


@open311("GET")
def service_definition(request: HttpRequest, fmt: Format, service_code: str) -> HttpResponse:
    category = selectors.service_get(code=service_code)
    data = documents.service_definition_document(category)
    return document_response(fmt, root="service_definition", data=data)


@open311("GET", "POST")
def requests(request: HttpRequest, fmt: Format) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, fmt)
    query = request.GET
    page, page_size = params.page_params(query)
    ids = params.comma_list(query, "service_request_id")
    if any(not selectors.TRACKING_NUMBER.fullmatch(i) for i in ids):
        raise ValidationFailed("service_request_id 格式不正确（应为数字受理编号）")
    filters = selectors.RequestFilters(
        district=_district(request, query), ids=ids, page=page, page_size=page_size
    )
    if not ids:
        codes = params.comma_list(query, "service_code")
        for code in codes:
            try:
                selectors.service_get(code=code)
            except NotFound:
                raise ValidationFailed(f"service_code 不存在：{code[:30]}") from None
        statuses = [s.lower() for s in params.comma_list(query, "status", limit=2)]
        if any(s not in ("open", "closed") for s in statuses):
            raise ValidationFailed("status 只能是 open 或 closed")
        filters.service_codes = [int(c) for c in codes]
        filters.statuses = statuses
        filters.start, filters.end = params.date_window(query)
    appeals = selectors.service_request_list(filters=filters)
    data = [documents.request_document(a) for a in appeals]
    return document_response(fmt, root="service_requests", data=data)


def _request_create(request: HttpRequest, fmt: Format) -> HttpResponse:
    posted = params.posted_request(request)
    district = _district(request, posted.params)
    api_key = _api_key(request, posted.params.get("api_key", ""))
    key = params.idempotency_key(request, posted)
    created = service_request_create(
        api_key=api_key,
        params=posted.params,
        attributes=posted.attributes,
        idempotency_key=key,
        jurisdiction_id=district,
    )
    data = [
        {
            "service_request_id": created.record.appeal.tracking_number,
            "token": created.record.token,
            "service_notice": "已受理，请保存受理编号以便查询办理进度",
            "account_id": None,
        }
    ]
    response = document_response(fmt, root="service_requests", data=data)
    if key and not created.created:
        response["Idempotent-Replayed"] = "true"
    return response


def _api_key(request: HttpRequest, raw: str) -> ApiKey:
    """The caller's key, or 403. Failed attempts are limited per address (guessing), and each
    key has its own rate, so one client cannot crowd out the others."""
    bad_rate = params.settings_rate("OPEN311_BAD_KEY_RATE", "20/m")
    if is_ratelimited(request, group="open311-bad-key", key=_ip, rate=bad_rate):
        raise RateLimited
    api_key = api_key_authenticate(raw)
    if api_key is None:
        if _limited(request, group="open311-bad-key", key=_ip, rate=bad_rate):
            raise RateLimited
        raise PermissionDenied("api_key 无效或已停用" if raw.strip() else "缺少 api_key")
    rate = params.settings_rate("OPEN311_KEY_RATE", "60/m")
    if _limited(request, group="open311-key", key=lambda g, r: api_key.prefix, rate=rate):
        raise RateLimited
    return api_key


@open311("GET")
def request_detail(request: HttpRequest, fmt: Format, service_request_id: str) -> HttpResponse:
    appeal = selectors.service_request_get(
        district=_district(request, request.GET), service_request_id=service_request_id
    )
    return document_response(
        fmt, root="service_requests", data=[documents.request_document(appeal)]
    )


@open311("GET")
def token(request: HttpRequest, fmt: Format, token: str) -> HttpResponse:
    record = selectors.service_request_for_token(token=token)
    data = [{"service_request_id": record.appeal.tracking_number, "token": record.token}]
    return document_response(fmt, root="service_requests", data=data)


@open311("GET", "POST")
def request_updates(request: HttpRequest, fmt: Format) -> HttpResponse:
    if request.method == "POST":
        return _update_receive(request, fmt)
    page, page_size = params.page_params(request.GET)
    start, end = params.date_window(request.GET)
    events = selectors.request_updates(
        district=_district(request, request.GET),
        start=start,
        end=end,
        page=page,
        page_size=page_size,
    )
    replies = selectors.released_replies(events)
    data = [documents.update_document(e, replies) for e in events]
    return document_response(fmt, root="service_request_updates", data=data)


def _update_receive(request: HttpRequest, fmt: Format) -> HttpResponse:
    """Only a peer platform's key may POST an update, about an appeal sent down to it (the city
    link, docs/citylink.md); any other client is refused as before (403)."""
    posted = params.posted_request(request)
    _district(request, posted.params)
    api_key = _api_key(request, posted.params.get("api_key", ""))
    if api_key.peer_id is None:
        raise PermissionDenied("本平台不接受通过接口提交诉求进展，请在办理系统中操作")
    received = service_request_update_receive(api_key=api_key, params=posted.params)
    data = [{"update_id": received.update_id, "account_id": None}]
    response = document_response(fmt, root="service_request_updates", data=data)
    if received.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def openapi(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:openapi")).rsplit("/", 1)[0]
    body = json.dumps(openapi_document(server_url=base), ensure_ascii=False, indent=1)
    return HttpResponse(body.encode(), content_type="application/json; charset=utf-8")


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    fmt: Format = "xml" if request.path.endswith(".xml") else "json"
    return errors_response(fmt, status=404, description="没有这个接口，请查看 discovery")
