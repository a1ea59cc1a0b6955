"""The SMS interface: a backend with one method, chosen by settings.MINXIN_SMS_BACKEND.

The default only logs (with the number masked); a real gateway is a class with the same
`send` method, named in the setting.
"""

import logging
import re
from typing import ClassVar, Final, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from minxin.core.privacy import mask_phone

DEFAULT_SMS_BACKEND = "minxin.notify.sms.LoggingSmsBackend"

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


# A one-time code is a secret: the log shows that one was sent, never which.
_CODE_IN_TEXT: Final = re.compile(r"(验证码[为是:：]?\s*)\d{4,8}")


class LoggingSmsBackend:
    """Writes the message to the log instead of sending it (number and codes masked)."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), _CODE_IN_TEXT.sub(r"\1******", text))


class MemorySmsBackend:
    """Keeps the messages in `outbox` (tests, a walk through the pages in one process)."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, *, phone: str, text: str) -> None:
        MemorySmsBackend.outbox.append((phone, text))


def sms_backend() -> SmsBackend:
    path = getattr(settings, "MINXIN_SMS_BACKEND", DEFAULT_SMS_BACKEND)
    backend: SmsBackend = import_string(path)()
    return backend


def sms_send(*, phone: str, text: str) -> None:
    sms_backend().send(phone=phone, text=text)
