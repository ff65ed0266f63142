"""Passwords as argon2id hashes (argon2-cffi, with its recommended parameters: 64 MiB,
3 passes). Hashing takes about a tenth of a second on purpose; callers in the event loop
run it in a thread."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from aggregator.errors import WeakPassword

MIN_LENGTH = 10  # characters; a passphrase of a few words passes easily
_HASHER = PasswordHasher()
# Verified against when the account does not exist, so that the answer takes as long as
# for a wrong password and tells nobody which names exist.
_NOBODY = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    return _HASHER.hash(password)


def verify_password(hashed: str | None, password: str) -> bool:
    """Whether `password` is the one hashed (always False, as slowly, for no hash)."""
    try:
        return _HASHER.verify(hashed or _NOBODY, password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A random token for a session, a form or a feed URL (256 bits)."""
    return secrets.token_urlsafe(32)
