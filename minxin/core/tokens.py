"""Secrets given to machines (an exchange's token): made once, shown once, kept as a hash.

A secret is letters and digits (never a leading "-" on a command line, nothing to quote); its
first `PREFIX_LENGTH` characters name it in lists and logs without revealing it. Only the
SHA-256 of the whole is stored, and a presented secret is compared with it in constant time."""

import hashlib
import hmac
import secrets
import string

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
