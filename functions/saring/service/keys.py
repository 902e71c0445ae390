"""API keys: random, shown once, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from saring.domain.errors import BadUserInputError, UnauthenticatedError
from saring.domain.principals import Principal, Role
from saring.ports import Clock, KeyStore, StoredKey

KEY_PREFIX = "srg_"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def principal_for(role: str, platform: str | None, agency: str | None) -> Principal:
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
        return Principal(role=parsed, name=f"platform:{bound}", platform=bound)
    return Principal(role=parsed, name=f"regulator:{bound}", agency=bound)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: str
    principal: Principal


def create_key(store: KeyStore, clock: Clock, principal: Principal) -> IssuedKey:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    store.put(StoredKey(key_hash=hash_key(key), principal=principal, created_at=clock.now()))
    return IssuedKey(key=key, principal=principal)


class Authenticator:
    """Maps a bearer token to its principal, remembering answers for a short while.

    The cache keeps DynamoDB out of the per-request budget; a revoked key stops working
    once its entry ages out (`key_cache_seconds`).
    """

    def __init__(self, store: KeyStore, cache_seconds: float, max_entries: int = 10_000) -> None:
        self._store = store
        self._cache_seconds = cache_seconds
        self._max_entries = max_entries
        self._cache: dict[str, tuple[float, Principal | None]] = {}

    def authenticate(self, authorization: str | None) -> Principal:
        token = _bearer_token(authorization)
        key_hash = hash_key(token)
        now = time.monotonic()
        cached = self._cache.get(key_hash)
        if cached is not None and now - cached[0] < self._cache_seconds:
            principal = cached[1]
        else:
            principal = self._store.find(key_hash)
            if len(self._cache) >= self._max_entries:
                self._cache.clear()
            self._cache[key_hash] = (now, principal)
        if principal is None:
            raise UnauthenticatedError("unknown API key")
        return principal


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
