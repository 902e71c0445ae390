"""Seller identity fingerprints: phones and NIKs, normalised, then kept only as keyed hashes.

Raw identifiers never leave this module's callers: errors name the field, never the value.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from saring.domain.errors import BadUserInputError, SaringError
from saring.domain.standing import BlockedElsewhere
from saring.domain.strikes import StrikePolicy, blocked_since


class IdentityKind(StrEnum):
    PHONE = "PHONE"
    NATIONAL_ID = "NATIONAL_ID"


_SEPARATORS = re.compile(r"[ \t\-.()/]")
# Indonesian national significant number: no trunk 0, 8 to 12 digits (mobile 8xx has 9 to 12).
_ID_NSN = re.compile(r"[1-9][0-9]{7,11}")
# Any other country in E.164: a country code not starting with 0, at most 15 digits in all.
_E164_OTHER = re.compile(r"\+[1-9][0-9]{7,14}")
_NIK = re.compile(r"[0-9]{16}")
MAX_RAW_LENGTH = 32
# As long as the HMAC-SHA256 output: a shorter key makes the fingerprints of the few billion
# possible phones and NIKs cheaper to enumerate for whoever gets hold of the table.
MIN_SECRET_BYTES = 32


class IdentitySecretError(SaringError):
    """The identity secret is missing or too short: a configuration error, fatal at start."""


def check_identity_secret(secret: bytes, source: str) -> bytes:
    """The secret itself, once it is long enough. `source` names where it came from; the
    message never includes the secret."""
    if len(secret) < MIN_SECRET_BYTES:
        raise IdentitySecretError(
            f"the identity secret from {source} is {len(secret)} bytes; it must be at least "
            f"{MIN_SECRET_BYTES} bytes (e.g. the output of `openssl rand -hex 32`)"
        )
    return secret


def normalise_phone(raw: str, field: str = "phone") -> str:
    """'0812-3456-7890', '6281234567890' and '+62 812 3456 7890' all become '+6281234567890'."""
    if not isinstance(raw, str) or len(raw) > MAX_RAW_LENGTH:
        raise BadUserInputError("phone number is malformed", field=field)
    compact = _SEPARATORS.sub("", raw.strip())
    if compact.startswith("+62"):
        nsn = compact[3:]
    elif compact.startswith("+"):
        if _E164_OTHER.fullmatch(compact):
            return compact
        raise BadUserInputError("phone number is malformed", field=field)
    elif compact.startswith("62"):
        nsn = compact[2:]
    elif compact.startswith("0"):
        nsn = compact[1:]
    else:
        raise BadUserInputError(
            "phone number must start with 0, 62 or a + country code", field=field
        )
    if not _ID_NSN.fullmatch(nsn):
        raise BadUserInputError("phone number is malformed", field=field)
    return "+62" + nsn


def normalise_national_id(raw: str, field: str = "nationalId") -> str:
    """A NIK is exactly 16 ASCII digits (surrounding whitespace is ignored, nothing else)."""
    if not isinstance(raw, str) or len(raw) > MAX_RAW_LENGTH:
        raise BadUserInputError("national id must be exactly 16 digits", field=field)
    value = raw.strip()
    if not _NIK.fullmatch(value):
        raise BadUserInputError("national id must be exactly 16 digits", field=field)
    return value


@dataclass(frozen=True, slots=True)
class Fingerprint:
    kind: IdentityKind
    digest: str  # hex HMAC-SHA256; the only form in which an identifier is stored

    def __repr__(self) -> str:  # short, so logs of the object never carry a full digest
        return f"Fingerprint({self.kind.value}, {self.digest[:8]}…)"


def fingerprint(kind: IdentityKind, normalised: str, secret: bytes) -> Fingerprint:
    """HMAC-SHA256 over 'KIND:value'; the kind prefix keeps a phone and a NIK from colliding."""
    if not secret:
        raise ValueError("the identity secret is empty")
    message = f"{kind.value}:{normalised}".encode()
    return Fingerprint(kind, hmac.new(secret, message, hashlib.sha256).hexdigest())


def fingerprints_for(
    phone: str | None, national_id: str | None, secret: bytes
) -> list[Fingerprint]:
    """Validates both inputs before hashing either, so a bad field rejects the whole request."""
    values: list[tuple[IdentityKind, str]] = []
    if phone is not None:
        values.append((IdentityKind.PHONE, normalise_phone(phone)))
    if national_id is not None:
        values.append((IdentityKind.NATIONAL_ID, normalise_national_id(national_id)))
    if not values:
        raise BadUserInputError("give a phone or a national id (or both)", field="phone")
    return [fingerprint(kind, value, secret) for kind, value in values]


# --- Links: which sellers of one platform carry a fingerprint ----------------------------------
# Each platform's links to a fingerprint are kept apart from every other platform's, and only
# that platform's own actions (its links, unlinks, strikes and revocations) change them. What
# one platform learns from the others is computed when it reads (block_elsewhere), never written
# into its records by them.


@dataclass(frozen=True, slots=True)
class LinkedSeller:
    seller_id: str
    linked_at: datetime
    # The seller's non-revoked strikes as (recorded_at, expires_at), copied by its own
    # platform's strike and revocation writes.
    strikes: tuple[tuple[datetime, datetime], ...] = ()


@dataclass(frozen=True, slots=True)
class PlatformLinks:
    """One platform's sellers linked to one fingerprint."""

    digest: str
    kind: IdentityKind
    platform: str
    sellers: tuple[LinkedSeller, ...]

    def blocked_since(self, now: datetime, policy: StrikePolicy) -> datetime | None:
        """The earliest time since which one of these sellers is BLOCKED (None: none is)."""
        times = [
            since
            for seller in self.sellers
            if (since := blocked_since(seller.strikes, now, policy)) is not None
        ]
        return min(times, default=None)

    def blocked_sellers(self, now: datetime, policy: StrikePolicy) -> int:
        return sum(1 for s in self.sellers if blocked_since(s.strikes, now, policy) is not None)


def block_elsewhere(
    platform: str, links: Iterable[PlatformLinks], now: datetime, policy: StrikePolicy
) -> BlockedElsewhere | None:
    """What a seller of `platform` learns from its fingerprints' links on OTHER platforms: on
    how many of them a seller sharing a fingerprint is blocked, and since when."""
    since_by_platform: dict[str, datetime] = {}
    for link in links:
        if link.platform == platform:
            continue
        since = link.blocked_since(now, policy)
        if since is not None:
            earlier = since_by_platform.get(link.platform)
            since_by_platform[link.platform] = since if earlier is None else min(since, earlier)
    if not since_by_platform:
        return None
    return BlockedElsewhere(len(since_by_platform), min(since_by_platform.values()))


@dataclass(frozen=True, slots=True)
class PlatformLinkSummary:
    """What a regulator sees of one platform's links to a fingerprint: counts and times."""

    platform: str
    linked_sellers: int
    blocked_sellers: int
    first_linked_at: datetime
    last_linked_at: datetime
    blocked_since: datetime | None


@dataclass(frozen=True, slots=True)
class IdentitySignal:
    """A fingerprint linked on more than one platform, with a blocked seller on one of them.
    `reference` is a short, stable handle for it; neither it nor anything else here lets anyone
    recover the phone or NIK."""

    reference: str
    kind: IdentityKind
    platforms: tuple[PlatformLinkSummary, ...]


def fingerprint_reference(digest: str) -> str:
    return "fp_" + digest[:16]


def identity_signal(
    links: Sequence[PlatformLinks], now: datetime, policy: StrikePolicy
) -> IdentitySignal | None:
    """The signal of one fingerprint from all platforms' links to it, or None when it carries
    none (linked on one platform only, or no seller blocked)."""
    linked = [link for link in links if link.sellers]
    if len({link.platform for link in linked}) < 2:
        return None
    summaries = tuple(
        PlatformLinkSummary(
            platform=link.platform,
            linked_sellers=len(link.sellers),
            blocked_sellers=link.blocked_sellers(now, policy),
            first_linked_at=min(s.linked_at for s in link.sellers),
            last_linked_at=max(s.linked_at for s in link.sellers),
            blocked_since=link.blocked_since(now, policy),
        )
        for link in sorted(linked, key=lambda link: link.platform)
    )
    if not any(summary.blocked_sellers for summary in summaries):
        return None
    return IdentitySignal(fingerprint_reference(linked[0].digest), linked[0].kind, summaries)


@dataclass(frozen=True, slots=True)
class IdentitySignalPage:
    signals: list[IdentitySignal]
    has_next: bool
    end_cursor: str | None
