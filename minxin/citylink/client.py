"""The Open311 client of the city link: one form-encoded POST to a peer, its answer parsed.

A failure that may pass (the peer down, a timeout, 5xx, 408, 429, a refused key being
fixed) is `PeerTransientError`, retried with backoff; a request the peer will never take as it
is (400, 404, 409, 410, 413, 415, 422) is `PeerPermanentError`, left for staff in the admin."""

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from .models import Peer

PERMANENT_STATUSES = frozenset({400, 404, 409, 410, 413, 415, 422})


class PeerError(Exception):
    pass


class PeerTransientError(PeerError):
    pass


class PeerPermanentError(PeerError):
    pass


def peer_key(peer: Peer) -> str:
    """The api_key this side sends to the peer: a secret setting (`MINXIN_CITYLINK_KEYS`),
    never stored in the database."""
    keys: Mapping[str, str] = getattr(settings, "MINXIN_CITYLINK_KEYS", {})
    return str(keys.get(peer.key_name or peer.code, ""))


def _timeout() -> float:
    return float(getattr(settings, "MINXIN_CITYLINK", {}).get("TIMEOUT_SECONDS", 10))


def peer_post(
    peer: Peer, endpoint: str, fields: Mapping[str, str], *, idempotency_key: str = ""
) -> list[dict[str, Any]]:
    """POST `fields` (the api_key and jurisdiction_id added) to `<base_url>/<endpoint>.json`;
    the answer's list of objects, or a PeerError saying why not."""
    url = f"{peer.base_url.rstrip('/')}/{endpoint}.json"
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise PeerPermanentError("接口地址须为 http(s)")
    api_key = peer_key(peer)
    if not api_key:
        raise PeerTransientError(
            f"未配置对方密钥（MINXIN_CITYLINK_KEYS[{peer.key_name or peer.code}]）"
        )
    form = {"api_key": api_key, **fields}
    if peer.jurisdiction_id:
        form["jurisdiction_id"] = peer.jurisdiction_id
    headers = {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "Accept": "application/json",
    }
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above  # nosec B310
        url, data=urllib.parse.urlencode(form).encode(), headers=headers, method="POST"
    )
    try:
        opened = urllib.request.urlopen(request, timeout=_timeout())  # noqa: S310  # nosec B310
        with opened as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        detail = _error_text(error.read())
        message = f"HTTP {error.code}：{detail}"
        if error.code in PERMANENT_STATUSES:
            raise PeerPermanentError(message) from None
        raise PeerTransientError(message) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PeerTransientError(f"无法连接对方平台：{reason}") from None
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PeerTransientError("对方返回的不是 JSON") from None
    if not isinstance(answer, list) or not all(isinstance(a, dict) for a in answer):
        raise PeerTransientError("对方返回的格式不正确")
    return answer


def _error_text(body: bytes) -> str:
    """The description of a GeoReport error list, else the start of the body."""
    text = body.decode("utf-8", errors="replace")
    try:
        errors = json.loads(text)
        return "；".join(str(e.get("description", "")) for e in errors)[:200]
    except (ValueError, AttributeError, TypeError):
        return text[:200]
