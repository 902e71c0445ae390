"""The strike ledger over GraphQL: sellers, their strikes, violations, appeals, identities."""

from datetime import datetime
from typing import Any, Self

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from saring.api.appeals import AppealConnection, appeal_connection
from saring.api.context import RequestContext
from saring.api.types import PageInfo, Standing, StrikeSource
from saring.domain import audit, identity
from saring.domain import strikes as domain
from saring.domain.standing import SellerStanding
from saring.service.ledger import DEFAULT_AUDIT_PAGE

IdentityKind = strawberry.enum(identity.IdentityKind, name="IdentityKind")


@strawberry.type(description="One platform's links to a fingerprint: counts and times only.")
class IdentityPlatformLinks:
    platform: str
    linked_sellers: int
    blocked_sellers: int
    first_linked_at: datetime
    last_linked_at: datetime
    blocked_since: datetime | None


@strawberry.type(
    description="A phone or NIK linked on several platforms with a seller blocked on one of "
    "them. `fingerprint` is a short handle for it; the phone or NIK is never stored or shown."
)
class IdentitySignal:
    fingerprint: strawberry.ID
    kind: IdentityKind
    platforms: list[IdentityPlatformLinks]

    @classmethod
    def from_domain(cls, signal: identity.IdentitySignal) -> Self:
        return cls(
            fingerprint=strawberry.ID(signal.reference),
            kind=signal.kind,
            platforms=[
                IdentityPlatformLinks(
                    platform=p.platform,
                    linked_sellers=p.linked_sellers,
                    blocked_sellers=p.blocked_sellers,
                    first_linked_at=p.first_linked_at,
                    last_linked_at=p.last_linked_at,
                    blocked_since=p.blocked_since,
                )
                for p in signal.platforms
            ],
        )


@strawberry.type
class IdentitySignalEdge:
    cursor: str
    node: IdentitySignal


@strawberry.type(description="Fingerprints with a cross-platform signal, in fingerprint order.")
class IdentitySignalConnection:
    edges: list[IdentitySignalEdge]
    page_info: PageInfo


@strawberry.type(
    description="One confirmed violation. Strikes are never deleted; appeals revoke them."
)
class Strike:
    id: strawberry.ID
    source: StrikeSource
    listing_id: str | None
    order_reference: str | None
    note: str | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoke_reason: str | None
    active: bool

    @classmethod
    def from_domain(cls, strike: domain.Strike, now: datetime) -> Self:
        return cls(
            id=strawberry.ID(strike.id),
            source=strike.source,
            listing_id=strike.listing_id,
            order_reference=strike.order_reference,
            note=strike.note,
            created_at=strike.created_at,
            expires_at=strike.expires_at,
            revoked_at=strike.revoked_at,
            revoke_reason=strike.revoke_reason,
            active=strike.is_active(now),
        )


@strawberry.type
class StrikeEdge:
    cursor: str
    node: Strike


@strawberry.type(description="A page of a seller's strikes, newest first.")
class StrikeConnection:
    edges: list[StrikeEdge]
    page_info: PageInfo


@strawberry.type(
    description="One change to a seller, as the audit trail recorded it; `before` and `after` "
    "hold the seller's state (and what changed) with camelCase keys, as the rest of the API."
)
class AuditEvent:
    at: datetime
    actor: str
    action: str
    before: JSON | None
    after: JSON | None

    @classmethod
    def from_domain(cls, event: audit.AuditEvent) -> Self:
        return cls(
            at=event.at,
            actor=event.actor,
            action=event.action,
            before=camel_case_keys(event.before),
            after=camel_case_keys(event.after),
        )


@strawberry.type
class AuditEventEdge:
    cursor: str
    node: AuditEvent


@strawberry.type(description="A page of a seller's audit trail, newest first.")
class AuditEventConnection:
    edges: list[AuditEventEdge]
    page_info: PageInfo


def camel_case_keys(value: Any) -> Any:
    """The stored snake_case keys (active_strikes, strike_id) as the API spells its fields."""
    if isinstance(value, dict):
        return {_camel(key): camel_case_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [camel_case_keys(item) for item in value]
    return value


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def strike_connection(page: domain.StrikePage, now: datetime) -> StrikeConnection:
    return StrikeConnection(
        edges=[
            StrikeEdge(cursor=cursor, node=Strike.from_domain(strike, now))
            for strike, cursor in zip(page.items, page.cursors, strict=True)
        ],
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
    )


@strawberry.type(description="A seller as the ledger sees it on one platform.")
class Seller:
    platform: str
    seller_id: strawberry.ID
    standing: Standing
    active_strikes: int

    @strawberry.field(
        description="The seller's strikes, newest first, revoked and expired included."
    )
    def strikes(
        self, info: Info[RequestContext, None], first: int = 10, after: str | None = None
    ) -> StrikeConnection:
        context = info.context
        page = context.strikes_loader.load(self.platform, str(self.seller_id), first, after)
        return strike_connection(page, context.services.clock.now())

    @strawberry.field(
        description="Every change to the seller, newest first, a page at a time (regulators "
        "only); `first` from 1 to 100 (default 20)."
    )
    def audit_trail(
        self,
        info: Info[RequestContext, None],
        first: int | None = None,
        after: str | None = None,
    ) -> AuditEventConnection:
        context = info.context
        page = context.services.ledger.audit_trail(
            context.caller,
            self.platform,
            str(self.seller_id),
            DEFAULT_AUDIT_PAGE if first is None else first,
            after,
        )
        return AuditEventConnection(
            edges=[
                AuditEventEdge(cursor=cursor, node=AuditEvent.from_domain(event))
                for event, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
        )

    @strawberry.field(
        description="The seller's appeals, newest first (platform: own; regulator: any); "
        "`first` from 1 to 100."
    )
    def appeals(
        self, info: Info[RequestContext, None], first: int = 10, after: str | None = None
    ) -> AppealConnection:
        context = info.context
        page = context.services.appeals.appeals(
            context.caller, self.platform, str(self.seller_id), first, after
        )
        return appeal_connection(context, page)

    @classmethod
    def from_domain(cls, seller: SellerStanding | domain.Seller) -> Self:
        return cls(
            platform=seller.platform,
            seller_id=strawberry.ID(seller.seller_id),
            standing=seller.standing,
            active_strikes=seller.active_strikes,
        )


@strawberry.input
class RecordViolationInput:
    seller_id: strawberry.ID
    idempotency_key: str = strawberry.field(
        description="The platform's own key for this violation: a retry with it changes nothing."
    )
    listing_id: strawberry.ID | None = None
    note: str | None = None


@strawberry.input
class RevokeStrikeInput:
    platform: str
    seller_id: strawberry.ID
    strike_id: strawberry.ID
    reason: str


@strawberry.input
class LinkSellerIdentityInput:
    seller_id: strawberry.ID
    phone: str | None = strawberry.field(default=None, description="Stored only as a keyed hash.")
    national_id: str | None = strawberry.field(
        default=None, description="NIK, 16 digits; stored only as a keyed hash."
    )


@strawberry.type
class LedgerQueries:
    @strawberry.field(
        description="A seller's standing and strikes (platform: own; regulator: any)."
    )
    def seller(
        self, info: Info[RequestContext, None], platform: str, seller_id: strawberry.ID
    ) -> Seller | None:
        context = info.context
        seller = context.services.ledger.seller(context.caller, platform, str(seller_id))
        return Seller.from_domain(seller)

    @strawberry.field(
        description="Phones and NIKs linked on several platforms with a seller blocked on one of "
        "them, with per-platform link counts and times (regulators only). A page reads at most "
        "1,000 fingerprints, so it may hold fewer than `first` with hasNextPage true."
    )
    def identity_signals(
        self, info: Info[RequestContext, None], first: int = 20, after: str | None = None
    ) -> IdentitySignalConnection:
        context = info.context
        page = context.services.ledger.identity_signals(context.caller, first, after)
        # A cursor names the last fingerprint read; every edge of a page shares the page's.
        cursor = page.end_cursor or ""
        return IdentitySignalConnection(
            edges=[
                IdentitySignalEdge(cursor=cursor, node=IdentitySignal.from_domain(signal))
                for signal in page.signals
            ],
            page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
        )


@strawberry.type
class LedgerMutations:
    @strawberry.mutation(description="A violation the platform confirmed by its own review.")
    def record_violation(
        self, info: Info[RequestContext, None], input: RecordViolationInput
    ) -> Seller:
        context = info.context
        seller = context.services.ledger.record_violation(
            context.caller,
            seller_id=str(input.seller_id),
            listing_id=None if input.listing_id is None else str(input.listing_id),
            note=input.note,
            idempotency_key=input.idempotency_key,
        )
        return Seller.from_domain(seller)

    @strawberry.mutation(description="Revokes a strike after an upheld appeal.")
    def revoke_strike(self, info: Info[RequestContext, None], input: RevokeStrikeInput) -> Seller:
        context = info.context
        seller = context.services.ledger.revoke_strike(
            context.caller, input.platform, str(input.seller_id), str(input.strike_id), input.reason
        )
        return Seller.from_domain(seller)

    @strawberry.mutation(description="Attaches identity fingerprints (phone, NIK) to a seller.")
    def link_seller_identity(
        self, info: Info[RequestContext, None], input: LinkSellerIdentityInput
    ) -> Seller:
        context = info.context
        seller = context.services.ledger.link_seller_identity(
            context.caller, str(input.seller_id), phone=input.phone, national_id=input.national_id
        )
        return Seller.from_domain(seller)

    @strawberry.mutation(description="Removes a seller's links to a phone and/or NIK.")
    def unlink_seller_identity(
        self, info: Info[RequestContext, None], input: LinkSellerIdentityInput
    ) -> Seller:
        context = info.context
        seller = context.services.ledger.unlink_seller_identity(
            context.caller, str(input.seller_id), phone=input.phone, national_id=input.national_id
        )
        return Seller.from_domain(seller)
