"""The SMS interface: a backend, chosen by settings.MINXIN_SMS_BACKEND, delivers one `Sms`.

The default only logs (with the number and any secret masked); `aliyun.AliyunSmsBackend`
sends through Alibaba Cloud's SMS API. A backend's `send` (its `deliver`, given the message
as one value) returns the provider's message id ("" when it has none) and raises
`SmsTransientError` for what may pass if tried again (the network, the provider's 5xx,
throttling) or `SmsPermanentError` for what will not.
"""

import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Final

from django.conf import settings
from django.utils.module_loading import import_string

from minxin.core.privacy import mask_phone

DEFAULT_SMS_BACKEND = "minxin.notify.sms.LoggingSmsBackend"

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """A message the backend could not send; the text says why, without number or text."""


class SmsTransientError(SmsError):
    pass


class SmsPermanentError(SmsError):
    pass


@dataclass(frozen=True)
class Sms:
    """One message: the number, the text as rendered, and for a provider that sends by
    template its template's code and parameters; `secrets` are masked wherever it is logged."""

    phone: str
    text: str
    template_code: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    secrets: Collection[str] = ()


class SmsBackend:
    """A backend implements `deliver`; callers use `send`."""

    def send(
        self,
        *,
        phone: str,
        text: str,
        template_code: str = "",
        params: Mapping[str, str] | None = None,
        secrets: Collection[str] = (),
    ) -> str:
        return self.deliver(Sms(phone, text, template_code, params or {}, secrets))

    def deliver(self, sms: Sms) -> str:
        raise NotImplementedError


# A one-time code is a secret: the log shows that one was sent, never which.
_CODE_IN_TEXT: Final = re.compile(r"((?:验证码|查询码)[为是:：]?\s*)[0-9A-Za-z]{4,8}")
MASK: Final = "******"


def text_for_log(text: str, secrets: Collection[str] = ()) -> str:
    """The text as a log may show it: the secrets given and anything that reads like a code
    masked."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return _CODE_IN_TEXT.sub(rf"\1{MASK}", text)


class LoggingSmsBackend(SmsBackend):
    """Writes the message to the log instead of sending it (number and codes masked)."""

    def deliver(self, sms: Sms) -> str:
        logger.info("SMS to %s: %s", mask_phone(sms.phone), text_for_log(sms.text, sms.secrets))
        return ""


class MemorySmsBackend(SmsBackend):
    """Keeps the messages in `outbox` (tests, a walk through the pages in one process)."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def deliver(self, sms: Sms) -> str:
        MemorySmsBackend.outbox.append((sms.phone, sms.text))
        return f"memory-{len(MemorySmsBackend.outbox)}"


def sms_backend_path() -> str:
    return str(getattr(settings, "MINXIN_SMS_BACKEND", "") or DEFAULT_SMS_BACKEND)


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(sms_backend_path())()
    return backend


def sms_send(*, phone: str, text: str) -> None:
    """A free text at once (a one-time code, a suggestion's outcome); a refusal is logged
    (without the number), the person may ask again. Citizens' notifications go through
    `services.sms_message_record` and the worker instead, with a record and retries."""
    try:
        sms_backend().send(phone=phone, text=text)
    except SmsError as exc:
        logger.warning("SMS to %s not sent: %s", mask_phone(phone), exc)
