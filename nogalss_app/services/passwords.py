"""argon2id password hashing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .fields import text_problem

_hasher = PasswordHasher(type=Type.ID)
# Verified against when the email is unknown, so both paths cost the same.
_dummy_hash: str | None = None

MIN_PASSWORD_LENGTH = 10


def configure(config: Mapping) -> None:
    """Set the argon2id cost parameters from the app config."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
        type=Type.ID,
    )
    _dummy_hash = _hasher.hash("not-a-real-password")


_reused: dict[str, str] = {}


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    if password in _reused:
        return _reused[password]
    return _hasher.hash(password)


@contextmanager
def reusing_hash_of(password: str) -> Iterator[None]:
    """Hash one password once and reuse that hash inside the block (demo seeding only).

    Every demo account shares one published password, so one full-strength argon2id hash serves them all
    instead of fifty: identical hashes reveal nothing the printed password does not.
    """
    _reused[password] = _hasher.hash(password)
    try:
        yield
    finally:
        _reused.pop(password, None)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash; with no hash, spend the same time and fail."""
    try:
        return _hasher.verify(password_hash or _dummy_hash or _hasher.hash("x"), password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Return why a new password is unacceptable, or None."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > 256:
        return "must be at most 256 characters"
    return text_problem(password)
