"""GraphQL types shared across the schema, translated from domain objects."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from saring.domain import principals, standing, verdicts
from saring.domain.listings import Listing

if TYPE_CHECKING:
    from saring.service.verdicts import VerdictResult

Role = strawberry.enum(principals.Role, name="Role")
Decision = strawberry.enum(verdicts.Decision, name="Decision")
Standing = strawberry.enum(standing.Standing, name="Standing")


@strawberry.input(description="A marketplace listing to judge.")
class ListingInput:
    listing_id: strawberry.ID
    seller_id: strawberry.ID
    title: str
    description: str | None = None
    price_idr: int | None = None
    category: str | None = None
    url: str | None = None

    def to_domain(self) -> Listing:
        return Listing(
            listing_id=str(self.listing_id),
            seller_id=str(self.seller_id),
            title=self.title,
            description=self.description,
            price_idr=self.price_idr,
            category=self.category,
            url=self.url,
        )


@strawberry.type(description="Why a verdict is what it is.")
class Reason:
    code: str
    message: str


@strawberry.type(description="A seller as the ledger sees it on one platform.")
class Seller:
    platform: str
    seller_id: strawberry.ID
    standing: Standing
    active_strikes: int

    @classmethod
    def from_domain(cls, seller: standing.SellerStanding) -> Seller:
        return cls(
            platform=seller.platform,
            seller_id=strawberry.ID(seller.seller_id),
            standing=seller.standing,
            active_strikes=seller.active_strikes,
        )


@strawberry.type(description="The decision on one listing.")
class Verdict:
    listing_id: strawberry.ID
    decision: Decision
    score: float = strawberry.field(description="Calibrated probability of banned used imports.")
    reasons: list[Reason]
    model_version: str
    seller: Seller

    @classmethod
    def from_domain(cls, result: VerdictResult) -> Verdict:
        return cls(
            listing_id=strawberry.ID(result.listing_id),
            decision=result.decision,
            score=result.score,
            reasons=[Reason(code=r.code, message=r.message) for r in result.reasons],
            model_version=result.model_version,
            seller=Seller.from_domain(result.seller),
        )


@strawberry.type(name="Principal", description="Who the API key belongs to.")
class PrincipalType:
    role: Role
    name: str
    platform: str | None
    agency: str | None

    @classmethod
    def from_domain(cls, principal: principals.Principal) -> PrincipalType:
        return cls(
            role=principal.role,
            name=principal.name,
            platform=principal.platform,
            agency=principal.agency,
        )


@strawberry.type(description="The classifier that scores listings.")
class ModelInfo:
    version: str
    review_threshold: float
    takedown_threshold: float
