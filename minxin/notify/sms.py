"""The SMS interface: a backend with one method, chosen by settings.MINXIN_SMS_BACKEND.

The default only logs (with the number masked); a real gateway is a class with the same
`send` method, named in the setting.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from minxin.core.privacy import mask_phone

DEFAULT_SMS_BACKEND = "minxin.notify.sms.LoggingSmsBackend"

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


class LoggingSmsBackend:
    """Writes the message to the log instead of sending it."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


def sms_backend() -> SmsBackend:
    path = getattr(settings, "MINXIN_SMS_BACKEND", DEFAULT_SMS_BACKEND)
    backend: SmsBackend = import_string(path)()
    return backend


def sms_send(*, phone: str, text: str) -> None:
    sms_backend().send(phone=phone, text=text)
