"""Secrets given to machines (an exchange's token, an API key): made once, shown once, kept
as a hash; `holder_issue` and `holder_revoke` make and switch off the record that holds one.

A secret is letters and digits (never a leading "-" on a command line, nothing to quote); its
first `PREFIX_LENGTH` characters name it in lists and logs without revealing it. Only the
SHA-256 of the whole is stored, and a presented secret is compared with it in constant time."""

import hashlib
import hmac
import secrets
import string
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from django.db import models
from django.utils import timezone

from .errors import NotFound, ValidationFailed

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


HolderT = TypeVar("HolderT", bound=models.Model)


def holder_issue(
    model: type[HolderT], *, hash_field: str, noun: str, **fields: Any
) -> tuple[HolderT, str]:
    """A new holder of a fresh secret (a `prefix` field and the hash in `hash_field`) with
    `fields`, and the secret, to be shown once; `noun` names the secret in the refusal."""
    manager = model._default_manager
    for _ in range(5):  # a prefix collision is astronomically rare; try again rather than fail
        secret = token_new()
        if manager.filter(prefix=token_prefix(secret)).exists():
            continue
        fields |= {"prefix": token_prefix(secret), hash_field: token_hash(secret)}
        return manager.create(**fields), secret
    raise ValidationFailed(f"生成{noun}失败，请重试")


def holder_revoke(model: type[HolderT], *, prefix: str, missing: str) -> HolderT:
    """Switch off the holder of the secret named by `prefix` (`missing` if there is none); a
    second revocation keeps the first one's time. Runs in the caller's transaction."""
    holder: Any = model._default_manager.select_for_update().filter(prefix=prefix.strip()).first()
    if holder is None:
        raise NotFound(missing)
    if holder.is_active:
        holder.is_active = False
        holder.revoked_at = timezone.now()
        holder.save(update_fields=["is_active", "revoked_at"])
    return holder


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
