"""Parsing what clients send: form, JSON or multipart bodies in any declared charset, W3C
dates, comma lists. Every problem is a ValidationFailed naming the parameter (→ 400)."""

import codecs
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from minxin.core.errors import MinxinError, ValidationFailed

from .selectors import MAX_PAGE_SIZE

BODY_MAX = 64 * 1024
WINDOW = timedelta(days=90)
MAX_FIELDS = 100
MAX_IDS = 100
_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_\-]{1,50})\](?:\[\])?$")
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.get_fixed_timezone(480))


class BodyTooLarge(MinxinError):
    status_code = 413
    default_message = f"请求内容过大（上限{BODY_MAX // 1024}KB）"


class UnsupportedMediaType(MinxinError):
    status_code = 415
    default_message = "不支持的 Content-Type，请使用 application/x-www-form-urlencoded 或 JSON"


@dataclass(frozen=True)
class PostedRequest:
    params: dict[str, str]
    attributes: dict[str, str]


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ValidationFailed("Content-Length 无效") from None


def _charset(request: HttpRequest) -> str:
    charset = (request.content_params or {}).get("charset", "utf-8").strip().strip('"')
    try:
        return codecs.lookup(charset).name
    except LookupError:
        raise ValidationFailed(f"不支持的字符集：{charset[:30]}") from None


def _flat(value: object, *, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise ValidationFailed(f"{name[:50]} 的取值必须是文字或数字")


def posted_request(request: HttpRequest) -> PostedRequest:
    """The fields of a POST, from the body; `api_key` and `jurisdiction_id` may also come in
    the query string (some clients put them there)."""
    if _content_length(request) > BODY_MAX:
        raise BodyTooLarge
    reader = _BODY_READERS.get(request.content_type or "application/x-www-form-urlencoded")
    if reader is None:
        raise UnsupportedMediaType
    params: dict[str, str] = {}
    attributes: dict[str, str] = {}
    for key, value in reader(request):
        match = _ATTRIBUTE.match(key)
        if match:
            attributes[match.group(1)] = value
        else:
            params[key] = value
    for key in ("api_key", "jurisdiction_id"):
        if key not in params and key in request.GET:
            params[key] = request.GET[key]
    return PostedRequest(params=params, attributes=attributes)


IDEMPOTENCY_KEY_MAX = 255
_IDEMPOTENCY_KEY = re.compile(rf"[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_MAX}}}")


def idempotency_key(request: HttpRequest, posted: PostedRequest) -> str:
    """The client's idempotency key: the `Idempotency-Key` header (quoted as the IETF draft's
    structured string, or bare) or the `idempotency_key` field; "" when none was sent."""
    header = request.headers.get("Idempotency-Key", "").strip()
    if len(header) >= 2 and header[0] == header[-1] == '"':
        header = header[1:-1]
    field = posted.params.get("idempotency_key", "").strip()
    if header and field and header != field:
        raise ValidationFailed("Idempotency-Key 请求头与 idempotency_key 字段不一致")
    key = header or field
    if key and not _IDEMPOTENCY_KEY.fullmatch(key):
        raise ValidationFailed(
            f"Idempotency-Key 须为1到{IDEMPOTENCY_KEY_MAX}个可见ASCII字符（建议使用 UUID）"
        )
    return key


def _body_text(request: HttpRequest) -> str:
    body = request.body
    if len(body) > BODY_MAX:
        raise BodyTooLarge
    try:
        return body.decode(_charset(request))
    except UnicodeDecodeError:
        raise ValidationFailed("请求内容的编码与声明的字符集不符（应为 UTF-8）") from None


def _form_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    text = _body_text(request)
    try:
        return parse_qsl(
            text,
            keep_blank_values=True,
            encoding=_charset(request),
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError:
        raise ValidationFailed("请求内容的编码与声明的字符集不符（应为 UTF-8）") from None
    except ValueError:
        raise ValidationFailed(f"表单字段过多（上限{MAX_FIELDS}个）") from None


def _json_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    text = _body_text(request)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        raise ValidationFailed("JSON 格式不正确") from None
    if not isinstance(data, dict):
        raise ValidationFailed("JSON 请求体必须是一个对象")
    if len(data) > MAX_FIELDS:
        raise ValidationFailed(f"字段过多（上限{MAX_FIELDS}个）")
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        if key == "attribute" and isinstance(value, dict):
            pairs.extend((f"attribute[{k}]", _flat(v, name=k)) for k, v in value.items())
        else:
            pairs.append((key, _flat(value, name=key)))
    return pairs


def _multipart_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    try:
        post: QueryDict = request.POST
        return [(k, v) for k, values in post.lists() for v in values]
    except (MultiPartParserError, UnicodeDecodeError):
        raise ValidationFailed("multipart 请求体格式不正确") from None


_BODY_READERS: dict[str, Callable[[HttpRequest], list[tuple[str, str]]]] = {
    "application/x-www-form-urlencoded": _form_pairs,
    "application/json": _json_pairs,
    "multipart/form-data": _multipart_pairs,
}


def w3c_datetime(raw: str, *, name: str, end_of_day: bool = False) -> datetime:
    """A W3C date-time (2010-01-01T00:00:00Z, with an offset, or a bare date)."""
    raw = raw.strip()
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            if day is None:
                raise ValueError
            value = datetime.combine(day, time.max if end_of_day else time.min)
    except ValueError:
        raise ValidationFailed(
            f"{name} 格式不正确，应为 W3C 时间格式，如 2026-01-01T00:00:00+08:00"
        ) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value < EARLIEST or value > timezone.now() + timedelta(days=366):
        raise ValidationFailed(f"{name} 超出范围")
    return value


def date_window(query: QueryDict) -> tuple[datetime, datetime]:
    """start_date/end_date, at most 90 days apart; the most recent 90 days by default."""
    start_raw, end_raw = query.get("start_date", ""), query.get("end_date", "")
    start = w3c_datetime(start_raw, name="start_date") if start_raw.strip() else None
    end = w3c_datetime(end_raw, name="end_date", end_of_day=True) if end_raw.strip() else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if start > end:
        raise ValidationFailed("start_date 不能晚于 end_date")
    if end - start > WINDOW:
        raise ValidationFailed("start_date 与 end_date 相隔不能超过90天")
    return start, end


def comma_list(query: QueryDict, name: str, *, limit: int = MAX_IDS) -> list[str]:
    values = [v.strip() for raw in query.getlist(name) for v in raw.split(",") if v.strip()]
    if len(values) > limit:
        raise ValidationFailed(f"{name} 最多{limit}个")
    return values


def page_params(query: QueryDict) -> tuple[int, int]:
    """The `page` / `page_size` extension: page from 1, at most 1,000 per page (the default)."""
    try:
        page = int(query.get("page", "1") or "1")
        page_size = int(query.get("page_size", str(MAX_PAGE_SIZE)) or MAX_PAGE_SIZE)
    except ValueError:
        raise ValidationFailed("page 和 page_size 必须是正整数") from None
    if page < 1 or page > 100_000:
        raise ValidationFailed("page 必须是1到100000之间的整数")
    if page_size < 1 or page_size > MAX_PAGE_SIZE:
        raise ValidationFailed(f"page_size 必须是1到{MAX_PAGE_SIZE}之间的整数")
    return page, page_size


def settings_rate(name: str, default: str) -> str:
    return str(settings.MINXIN.get(name) or default)
