"""The session engine (settings.SESSION_ENGINE): Django's database sessions, except that a
database that cannot be reached while a session is saved is the server's error (a 500: try
again), not the client's. Django turns every database error of that save into UpdateError,
which its middleware answers 400 「session deleted」 — a citizen's form posted while PostgreSQL
restarts would be refused for good instead of retried."""

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import InterfaceError, OperationalError


class SessionStore(DatabaseSessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as exc:
            cause = exc.__context__
            if isinstance(cause, OperationalError | InterfaceError):
                raise cause from None
            raise
