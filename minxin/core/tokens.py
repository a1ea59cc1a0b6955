"""Secrets given to machines (an exchange's token): made once, shown once, kept as a hash.

A secret is letters and digits (never a leading "-" on a command line, nothing to quote); its
first `PREFIX_LENGTH` characters name it in lists and logs without revealing it. Only the
SHA-256 of the whole is stored, and a presented secret is compared with it in constant time."""

import hashlib
import hmac
import secrets
import string
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.utils import timezone

ALPHABET = string.ascii_letters + string.digits
LENGTH = 43  # about 256 bits
PREFIX_LENGTH = 8
PRESENTED_MAX = 200


def token_new() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_prefix(secret: str) -> str:
    return secret[:PREFIX_LENGTH]


def token_matches(presented: str, stored_hash: str) -> bool:
    """Whether `presented` is the secret whose hash is `stored_hash` (constant time)."""
    if not presented or len(presented) > PRESENTED_MAX or not stored_hash:
        return False
    return hmac.compare_digest(token_hash(presented), stored_hash)


# How stale a secret's "last used" may be: writing it at every use is a write per request.
LAST_USED_EVERY = timedelta(minutes=1)


class _Used(Protocol):
    pk: Any
    last_used_at: datetime | None


def last_used_note(holder: _Used) -> None:
    """Note that the holder of a secret (an API key, an exchange) was just used, at most once a
    minute."""
    now = timezone.now()
    if holder.last_used_at is None or now - holder.last_used_at > LAST_USED_EVERY:
        type(holder)._default_manager.filter(pk=holder.pk).update(last_used_at=now)  # type: ignore[attr-defined]
        holder.last_used_at = now
