"""Strike ledger use cases: permissions and input checks here, invariants in the Ledger port.

Every method takes plain values and returns domain dataclasses (``Seller``, ``StrikePage``,
``StrikeReceipt``, ``AuditEvent``); errors are ``saring.domain.errors`` classes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from saring.domain.audit import AuditPage, actor_of
from saring.domain.errors import BadUserInputError, ConflictError
from saring.domain.identity import (
    Fingerprint,
    IdentityKind,
    IdentitySignalPage,
    fingerprint,
    normalise_national_id,
    normalise_phone,
)
from saring.domain.pages import page_size
from saring.domain.principals import Principal, Role
from saring.domain.strikes import (
    Seller,
    Strike,
    StrikeDraft,
    StrikePage,
    StrikeReceipt,
    StrikeSource,
)
from saring.ports import NO_METRICS, Clock, Ledger, Metrics

logger = logging.getLogger(__name__)

MAX_ID_CHARS = 128
MAX_TEXT_CHARS = 2_000
DEFAULT_PAGE = 10
DEFAULT_AUDIT_PAGE = 20
MAX_SIGNALS_PAGE = 100


def _text(
    value: str | None, field: str, *, required: bool, limit: int = MAX_ID_CHARS
) -> str | None:
    if value is None:
        if required:
            raise BadUserInputError(f"{field} is required", field=field)
        return None
    if not isinstance(value, str) or not value.strip():
        raise BadUserInputError(f"{field} must not be empty", field=field)
    if len(value) > limit:
        raise BadUserInputError(f"{field} is longer than {limit} characters", field=field)
    if any(ord(ch) < 32 for ch in value) and field not in {"note", "reason"}:
        raise BadUserInputError(f"{field} contains control characters", field=field)
    return value


def order_actor(order_reference: str) -> str:
    """Who records an order strike: the order itself, so only a regulator can revoke it."""
    return f"order:{order_reference}"


@dataclass
class LedgerService:
    ledger: Ledger
    clock: Clock
    identity_secret: Callable[[], bytes]  # e.g. lambda: secrets.identity_secret(settings)
    known_platforms: tuple[str, ...] | None = None
    # The agency whose order a target belongs to (None: no such target). Without it, no
    # regulator may revoke a strike.
    order_agency: Callable[[str], str | None] | None = None
    metrics: Metrics = NO_METRICS

    def _count_strike(self, receipt: StrikeReceipt) -> None:
        if not receipt.replayed:  # a replay records nothing
            self.metrics.count(
                "StrikesRecorded",
                1,
                {"platform": receipt.strike.platform, "source": receipt.strike.source.value},
            )

    def _platform(self, platform: str) -> str:
        checked = _text(platform, "platform", required=True)
        assert checked is not None
        if self.known_platforms is not None and checked not in self.known_platforms:
            raise BadUserInputError("unknown platform", field="platform")
        return checked

    # --- commands ------------------------------------------------------------------------

    def record_violation(
        self,
        principal: Principal,
        seller_id: str,
        listing_id: str | None = None,
        note: str | None = None,
        idempotency_key: str | None = None,
    ) -> Seller:
        """Platform only, for its own sellers. A retry with the same key returns the first
        result; the same key with a different seller/listing/note is a ConflictError."""
        platform = principal.require_platform()
        draft = StrikeDraft(
            platform=platform,
            seller_id=_text(seller_id, "sellerId", required=True),  # type: ignore[arg-type]
            source=StrikeSource.PLATFORM_REVIEW,
            idempotency_key=_text(idempotency_key, "idempotencyKey", required=True),  # type: ignore[arg-type]
            recorded_by=actor_of(principal),
            listing_id=_text(listing_id, "listingId", required=False),
            note=_text(note, "note", required=False, limit=MAX_TEXT_CHARS),
        )
        receipt = self.ledger.record_strike(draft, self.clock.now())
        self._count_strike(receipt)
        logger.info(
            "strike recorded",
            extra={
                "platform": platform,
                "strike_id": receipt.strike.id,
                "replayed": receipt.replayed,
            },
        )
        return receipt.seller

    def record_order_strike(
        self,
        platform: str,
        seller_id: str,
        target_id: str,
        order_reference: str,
        listing_id: str | None = None,
    ) -> StrikeReceipt:
        """For the orders module, when a takedown target is acknowledged REMOVED: one strike per
        target (the target id is the idempotency key). To write the acknowledgement in the same
        transaction, use the adapter's ``record_strike(draft, now, extra_items=...)`` with
        ``order_strike_draft(...)``."""
        draft = order_strike_draft(platform, seller_id, target_id, order_reference, listing_id)
        self._platform(platform)
        receipt = self.ledger.record_strike(draft, self.clock.now())
        self._count_strike(receipt)
        return receipt

    def revoke_order_strike(
        self,
        platform: str,
        seller_id: str,
        target_id: str,
        order_reference: str,
        listing_id: str | None = None,
        *,
        reason: str,
        revoked_by: str,
    ) -> None:
        """For the orders module, when the agency withdraws an order: the strike of a removed
        target is revoked with the agency's reason. It is recorded first (an idempotent replay
        when it exists), so a strike whose recording was still on its way cannot appear later
        unrevoked; already revoked is success."""
        receipt = self.record_order_strike(
            platform, seller_id, target_id, order_reference, listing_id
        )
        if receipt.strike.revoked:
            return
        try:
            self.ledger.revoke_strike(
                platform,
                seller_id,
                receipt.strike.id,
                reason=_text(reason, "reason", required=True, limit=MAX_TEXT_CHARS),  # type: ignore[arg-type]
                revoked_by=revoked_by,
                now=self.clock.now(),
            )
        except ConflictError:
            return  # revoked meanwhile by a concurrent retry

    def revoke_strike(
        self, principal: Principal, platform: str, seller_id: str, strike_id: str, reason: str
    ) -> Seller:
        """Appeals. A platform revokes the strikes it recorded itself; an agency revokes the
        strikes its own orders caused (a platform cannot revoke an order strike, and one agency
        cannot undo another's). NotFoundError for an unknown seller or strike; ConflictError if
        revoked; ForbiddenError for anyone else's strike."""
        platform = self._platform(platform)
        principal.require_access_to_platform(platform)
        seller_id = _text(seller_id, "sellerId", required=True)  # type: ignore[assignment]
        strike_id = _text(strike_id, "strikeId", required=True)  # type: ignore[assignment]
        reason = _text(reason, "reason", required=True, limit=MAX_TEXT_CHARS)  # type: ignore[assignment]
        return self.ledger.revoke_strike(
            platform,
            seller_id,
            strike_id,
            reason=reason,
            revoked_by=actor_of(principal),
            now=self.clock.now(),
            may_revoke=self._revocation_rule(principal),
        )

    def _revocation_rule(self, principal: Principal) -> Callable[[Strike], bool]:
        if principal.role is Role.REGULATOR:
            agency = principal.require_regulator()
            order_agency = self.order_agency

            def issued_by_this_agency(strike: Strike) -> bool:
                return (
                    strike.source is StrikeSource.REGULATOR_ORDER
                    and strike.target_id is not None
                    and order_agency is not None
                    and order_agency(strike.target_id) == agency
                )

            return issued_by_this_agency
        actor = actor_of(principal)
        return lambda strike: (
            strike.source is StrikeSource.PLATFORM_REVIEW and strike.recorded_by == actor
        )

    def link_seller_identity(
        self,
        principal: Principal,
        seller_id: str,
        phone: str | None = None,
        national_id: str | None = None,
    ) -> Seller:
        """Platform only, its own sellers. Both fields are validated before anything is written;
        only HMAC-SHA256 fingerprints are stored; linking a known fingerprint changes nothing."""
        return self._change_links(principal, seller_id, phone, national_id, self.ledger.link_identity, "linked")

    def unlink_seller_identity(
        self,
        principal: Principal,
        seller_id: str,
        phone: str | None = None,
        national_id: str | None = None,
    ) -> Seller:
        """Platform only, its own sellers: removes the links to this phone and/or NIK."""
        return self._change_links(
            principal, seller_id, phone, national_id, self.ledger.unlink_identity, "unlinked"
        )

    def _change_links(self, principal: Principal, seller_id: str, phone: str | None, national_id: str | None,
                      change, done: str) -> Seller:
        platform = principal.require_platform()
        seller_id, fingerprints = self._fingerprints(seller_id, phone, national_id)
        seller = change(platform, seller_id, fingerprints, actor=actor_of(principal), now=self.clock.now())
        logger.info(
            f"seller identity {done}",
            extra={"platform": platform, "kinds": [fp.kind.value for fp in fingerprints]},
        )
        return seller

    def identity_signals(
        self, principal: Principal, first: int = DEFAULT_PAGE, after: str | None = None
    ) -> IdentitySignalPage:
        """Regulators only: fingerprints with a cross-platform signal, counts and times only."""
        principal.require_regulator()
        first = page_size(first, MAX_SIGNALS_PAGE)
        if after is not None:
            _text(after, "after", required=True, limit=256)
        return self.ledger.identity_signals(first, after, self.clock.now())

    def _fingerprints(
        self, seller_id: str, phone: str | None, national_id: str | None
    ) -> tuple[str, list[Fingerprint]]:
        checked = _text(seller_id, "sellerId", required=True)
        assert checked is not None
        values: list[tuple[IdentityKind, str]] = []
        if phone is not None:
            values.append((IdentityKind.PHONE, normalise_phone(phone, field="phone")))
        if national_id is not None:
            values.append(
                (IdentityKind.NATIONAL_ID, normalise_national_id(national_id, field="nationalId"))
            )
        if not values:
            raise BadUserInputError("give a phone or a national id", field="phone")
        secret = self.identity_secret()
        return checked, [fingerprint(kind, value, secret) for kind, value in values]

    # --- queries -------------------------------------------------------------------------

    def seller(
        self, principal: Principal, platform: str, seller_id: str, *, first: int | None = None
    ) -> Seller:
        """A platform sees its own sellers, a regulator any. An unknown seller is GOOD with no
        strikes. With ``first``, the first page of strikes comes in the same request."""
        platform = self._platform(platform)
        principal.require_access_to_platform(platform)
        seller_id = _text(seller_id, "sellerId", required=True)  # type: ignore[assignment]
        return self.ledger.seller(platform, seller_id, self.clock.now(), first=first)

    def strikes(
        self,
        principal: Principal,
        platform: str,
        seller_id: str,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> StrikePage:
        platform = self._platform(platform)
        principal.require_access_to_platform(platform)
        seller_id = _text(seller_id, "sellerId", required=True)  # type: ignore[assignment]
        return self.ledger.strikes(platform, seller_id, first, after)

    def strikes_of_sellers(
        self,
        principal: Principal,
        platform: str,
        seller_ids: Sequence[str],
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> dict[str, StrikePage]:
        """`strikes` for several sellers of one platform at once (distinct ids, read together)."""
        platform = self._platform(platform)
        principal.require_access_to_platform(platform)
        distinct = list(dict.fromkeys(seller_ids))
        for seller_id in distinct:
            _text(seller_id, "sellerId", required=True)
        return self.ledger.strikes_of_sellers(platform, distinct, first, after)

    def audit_trail(
        self,
        principal: Principal,
        platform: str,
        seller_id: str,
        first: int = DEFAULT_AUDIT_PAGE,
        after: str | None = None,
    ) -> AuditPage:
        """Regulators only: the seller's changes, newest first, a page at a time."""
        principal.require_regulator()
        platform = self._platform(platform)
        seller_id = _text(seller_id, "sellerId", required=True)  # type: ignore[assignment]
        return self.ledger.audit_trail(platform, seller_id, first, after)


def order_strike_draft(
    platform: str,
    seller_id: str,
    target_id: str,
    order_reference: str,
    listing_id: str | None = None,
) -> StrikeDraft:
    return StrikeDraft(
        platform=_text(platform, "platform", required=True),  # type: ignore[arg-type]
        seller_id=_text(seller_id, "sellerId", required=True),  # type: ignore[arg-type]
        source=StrikeSource.REGULATOR_ORDER,
        idempotency_key=_text(target_id, "targetId", required=True),  # type: ignore[arg-type]
        recorded_by=order_actor(_text(order_reference, "orderReference", required=True, limit=256)),  # type: ignore[arg-type]
        listing_id=_text(listing_id, "listingId", required=False),
        order_reference=order_reference,
        target_id=target_id,
    )
