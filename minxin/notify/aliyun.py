"""Alibaba Cloud SMS (短信服务, dysmsapi 2017-05-25) `SendSms`, from its documented HTTP contract.

An RPC-style API: every parameter is a form field, the request signed with HMAC-SHA1 —
sort the parameters (the signature aside) by name; percent-encode names and values as RFC 3986
does (UTF-8, only A–Z a–z 0–9 - _ . ~ left as they are: a space is %20, * is %2A, ~ stays ~);
join them `name=value` with `&`; the string to sign is `POST&%2F&` + that string
percent-encoded again; the signature is the Base64 of HMAC-SHA1 keyed by the AccessKey
secret followed by `&`. The answer is JSON: `Code` "OK" and a `BizId` (the message's id), or
an error `Code`.

Settings: MINXIN_SMS_ALIYUN = {"ACCESS_KEY_ID", "ACCESS_KEY_SECRET", "SIGN_NAME",
"ENDPOINT" (https://dysmsapi.aliyuncs.com/), "REGION_ID" (cn-hangzhou), "TIMEOUT" (seconds)},
from the environment (config/settings/base.py)."""

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from django.conf import settings

from .sms import Sms, SmsBackend, SmsPermanentError, SmsTransientError

API_VERSION: Final = "2017-05-25"
DEFAULT_ENDPOINT: Final = "https://dysmsapi.aliyuncs.com/"
# Error codes that may pass if the same message is tried again a little later: throttling
# and the provider's own failures. Everything else (a bad signature, an unknown template, an
# invalid number, a blacklisted phone) will not.
TRANSIENT_CODES: Final = frozenset(
    {
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "ServiceUnavailable",
        "InternalError",
        "isp.SYSTEM_ERROR",
        "isp.RAM_PERMISSION_DENY",
        "isv.BUSINESS_LIMIT_CONTROL",
        "SignatureNonceUsed",
    }
)


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding of UTF-8, as the RPC signature requires."""
    return urllib.parse.quote(value.encode("utf-8"), safe="-_.~")


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}"
        for k, v in sorted(params.items())
        if k != "Signature"
    )
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def signature(secret: str, method: str, params: Mapping[str, str]) -> str:
    digest = hmac.new(
        f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


def _timestamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


class AliyunSmsBackend(SmsBackend):
    """Sends one message per call to SendSms; the number never leaves this function in a
    log or an error."""

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        conf = dict(getattr(settings, "MINXIN_SMS_ALIYUN", {}) if config is None else config)
        self.access_key_id = str(conf.get("ACCESS_KEY_ID", ""))
        self.access_key_secret = str(conf.get("ACCESS_KEY_SECRET", ""))
        self.sign_name = str(conf.get("SIGN_NAME", ""))
        self.endpoint = str(conf.get("ENDPOINT") or DEFAULT_ENDPOINT)
        self.region_id = str(conf.get("REGION_ID") or "cn-hangzhou")
        self.timeout = float(conf.get("TIMEOUT") or 10)
        if urllib.parse.urlsplit(self.endpoint).scheme not in ("https", "http"):
            raise ValueError("MINXIN_SMS_ALIYUN['ENDPOINT'] must be an http(s) URL")

    def params(
        self, *, phone: str, template_code: str, template_params: Mapping[str, str]
    ) -> dict[str, str]:
        """The signed form of one SendSms request."""
        params = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": self.region_id,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(dict(template_params), ensure_ascii=False),
            "Timestamp": _timestamp(),
            "Version": API_VERSION,
        }
        params["Signature"] = signature(self.access_key_secret, "POST", params)
        return params

    def deliver(self, sms: Sms) -> str:
        if not (self.access_key_id and self.access_key_secret and self.sign_name):
            raise SmsPermanentError("未配置阿里云短信的 AccessKey 或签名")
        if not sms.template_code:
            raise SmsPermanentError("该短信模板未填写服务商模板编号")
        form = self.params(
            phone=sms.phone, template_code=sms.template_code, template_params=sms.params
        )
        body = urllib.parse.urlencode(form, quote_via=urllib.parse.quote).encode()
        request = urllib.request.Request(  # noqa: S310 - http(s), checked  # nosec B310
            self.endpoint,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        try:
            opened = urllib.request.urlopen(request, timeout=self.timeout)  # noqa: S310  # nosec B310
            with opened as response:
                answer = _json(response.read())
        except urllib.error.HTTPError as exc:
            answer = _json(exc.read())
            code = str(answer.get("Code", ""))
            if exc.code >= 500 or exc.code == 429 or code in TRANSIENT_CODES:
                raise SmsTransientError(f"HTTP {exc.code} {code}".strip()) from None
            raise SmsPermanentError(f"HTTP {exc.code} {code}".strip()) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise SmsTransientError(f"网络错误：{type(exc).__name__}") from None
        code = str(answer.get("Code", ""))
        if code == "OK":
            return str(answer.get("BizId", ""))
        if code in TRANSIENT_CODES:
            raise SmsTransientError(code)
        raise SmsPermanentError(code or "服务商返回了无法识别的应答")


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
