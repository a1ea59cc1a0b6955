"""One signal for what the audit log records from layers below it (logins, lockouts, the
second factor, a guessed query code): `security_event.send(sender, kind=..., request=...,
user=..., username=..., detail=...)`. The audit app is its listener; nothing else depends on
it being there."""

from django.dispatch import Signal

security_event = Signal()
