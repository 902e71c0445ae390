"""API keys: random, shown once, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from saring.domain.errors import BadUserInputError, NotFoundError, UnauthenticatedError
from saring.domain.principals import Principal, Role
from saring.ports import Clock, KeyStore, StoredKey, SystemClock

KEY_PREFIX = "srg_"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def principal_for(
    role: str,
    platform: str | None,
    agency: str | None,
    known_platforms: Sequence[str] | None = None,
) -> Principal:
    """`known_platforms` (SARING_PLATFORMS), when given, bounds the platforms a key may name:
    a key for a platform the service does not know could never receive its orders."""
    try:
        parsed = Role(role.upper())
    except ValueError:
        raise BadUserInputError("role must be platform or regulator", field="role") from None
    bound = platform if parsed is Role.PLATFORM else agency
    other = agency if parsed is Role.PLATFORM else platform
    field = "platform" if parsed is Role.PLATFORM else "agency"
    if not bound or not _NAME.match(bound):
        raise BadUserInputError(
            f"a {parsed.value.lower()} key needs --{field} (lowercase letters, digits, - or _)",
            field=field,
        )
    if other:
        raise BadUserInputError(f"a {parsed.value.lower()} key takes only --{field}", field=field)
    if parsed is Role.PLATFORM:
        if known_platforms is not None and bound not in known_platforms:
            raise BadUserInputError(
                f"platform {bound!r} is not in SARING_PLATFORMS ({', '.join(known_platforms)})",
                field="platform",
            )
        return Principal(role=parsed, name=f"platform:{bound}", platform=bound)
    return Principal(role=parsed, name=f"regulator:{bound}", agency=bound)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: str
    stored: StoredKey


def new_key_id() -> str:
    """An id to name a key by: random, so it says nothing about the key itself."""
    return "key_" + secrets.token_hex(8)


def _new_key(clock: Clock, principal: Principal, expires_at: datetime | None) -> IssuedKey:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    stored = StoredKey(
        key_hash=hash_key(key),
        principal=principal,
        created_at=clock.now(),
        key_id=new_key_id(),
        expires_at=expires_at,
    )
    return IssuedKey(key=key, stored=stored)


def create_key(
    store: KeyStore, clock: Clock, principal: Principal, expires_in: timedelta | None = None
) -> IssuedKey:
    if expires_in is not None and expires_in <= timedelta(0):
        raise BadUserInputError("a key must expire in the future", field="expires")
    issued = _new_key(clock, principal, None if expires_in is None else clock.now() + expires_in)
    store.put(issued.stored)
    return issued


def revoke_key(store: KeyStore, clock: Clock, key_id: str) -> StoredKey:
    return store.revoke(key_id, clock.now())


def rotate_key(store: KeyStore, clock: Clock, key_id: str) -> IssuedKey:
    """A new key for the same principal (and no expiry); the old one is revoked with it."""
    old = store.by_id(key_id)
    if old is None:
        raise NotFoundError(f"no API key with id {key_id}")
    issued = _new_key(clock, old.principal, None)
    store.replace(key_id, issued.stored, clock.now())
    return issued


class Authenticator:
    """Maps a bearer token to its principal, remembering answers for a short while.

    The cache keeps DynamoDB out of the per-request budget; a revoked key stops working
    once its entry ages out (`cache_seconds`; 0 turns the cache off). An expired key stops
    at its expiry, cached or not.
    """

    def __init__(
        self,
        store: KeyStore,
        cache_seconds: float,
        clock: Clock | None = None,
        max_entries: int = 10_000,
    ) -> None:
        self._store = store
        self._cache_seconds = cache_seconds
        self._clock = clock or SystemClock()
        self._max_entries = max_entries
        self._cache: dict[str, tuple[datetime, StoredKey | None]] = {}

    def authenticate(self, authorization: str | None) -> Principal:
        token = _bearer_token(authorization)
        key_hash = hash_key(token)
        now = self._clock.now()
        cached = self._cache.get(key_hash)
        if cached is not None and (now - cached[0]).total_seconds() < self._cache_seconds:
            stored = cached[1]
        else:
            stored = self._store.find(key_hash)
            if self._cache_seconds > 0:
                if len(self._cache) >= self._max_entries:
                    self._cache.clear()
                self._cache[key_hash] = (now, stored)
        if stored is None:
            raise UnauthenticatedError("unknown API key")
        if not stored.usable_at(now):
            raise UnauthenticatedError(
                "this API key was revoked" if stored.revoked_at else "this API key has expired"
            )
        return stored.principal


def _bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise UnauthenticatedError("missing Authorization header")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise UnauthenticatedError("the Authorization header must be 'Bearer <key>'")
    if len(token) > 200:
        raise UnauthenticatedError("unknown API key")
    return token
