"""The session engine (settings.SESSION_ENGINE): Django's database sessions, except that a
database that cannot be reached while a session is saved is the server's error (a 500: try
again), not the client's. Django turns every database error of that save into UpdateError,
which its middleware answers 400 「session deleted」 — a citizen's form posted while PostgreSQL
restarts would be refused for good instead of retried. And a new session is written without
first looking for its key (see `_get_new_session_key`), and a save that would write what the
table already holds is skipped (a citizen's receipt is saved inside the appeal's own
transaction, and the middleware's save at the end of the request then finds nothing new)."""

import json

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import InterfaceError, OperationalError, transaction
from django.utils.crypto import get_random_string


class SessionStore(DatabaseSessionStore):
    def _get_new_session_key(self) -> str:
        # Django reads the table for the key first (a SELECT for every citizen who submits);
        # the INSERT that creates the session refuses a taken key anyway (CreateError, and
        # `create` draws again), so 32 random characters need no look first.
        return get_random_string(32, VALID_KEY_CHARS)

    _committed: str | None = None  # the data as last committed to the table

    def _state(self) -> str:
        return json.dumps(dict(self.items()), sort_keys=True, default=str)

    def save(self, must_create: bool = False) -> None:
        state = self._state()
        if not must_create and self.session_key and state == self._committed:
            return
        try:
            super().save(must_create=must_create)
        except UpdateError as exc:
            cause = exc.__context__
            if isinstance(cause, OperationalError | InterfaceError):
                raise cause from None
            raise
        # Known to be in the table only once its transaction commits (a rolled-back appeal
        # takes the session row with it, and the next save writes it again).
        transaction.on_commit(lambda: setattr(self, "_committed", state))
