"""GraphQL types shared across the schema, translated from domain objects."""

from collections.abc import Mapping
from typing import Any, Self

import strawberry

from saring.domain import principals, standing, strikes, verdicts
from saring.domain.listings import Listing

Role = strawberry.enum(principals.Role, name="Role")
Decision = strawberry.enum(verdicts.Decision, name="Decision")
Standing = strawberry.enum(standing.Standing, name="Standing")
StrikeSource = strawberry.enum(strikes.StrikeSource, name="StrikeSource")


@strawberry.type(description="Relay cursor pagination.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


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


def _listing_input_from_graphql(cls: type, value: Mapping[str, Any], _context: Any) -> Any:
    """Builds a ListingInput straight from the input value graphql-core has already coerced.

    Strawberry's generic conversion walks every field of every listing through its type
    machinery, about a third of a 100-listing `verdicts` call; every field here is a scalar
    graphql-core has checked, so a plain constructor call is the whole job.
    """
    return cls(
        listing_id=value["listingId"],
        seller_id=value["sellerId"],
        title=value["title"],
        description=value.get("description"),
        price_idr=value.get("priceIdr"),
        category=value.get("category"),
        url=value.get("url"),
    )


ListingInput.__strawberry_definition__.from_input = _listing_input_from_graphql


@strawberry.type(description="Why a verdict is what it is.")
class Reason:
    code: str
    message: str
    evidence: str | None = strawberry.field(
        default=None, description="MODEL_EVIDENCE: the seller's own words that pushed the score up.")
    contribution: float | None = strawberry.field(
        default=None, description="MODEL_EVIDENCE: what those words add to the score's log-odds.")


@strawberry.type(name="Principal", description="Who the API key belongs to.")
class PrincipalType:
    role: Role
    name: str
    platform: str | None
    agency: str | None

    @classmethod
    def from_domain(cls, principal: principals.Principal) -> Self:
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
    shadow_version: str | None = strawberry.field(
        default=None,
        description="The candidate model scored in shadow (SARING_SHADOW_MODEL_DIR), if any: "
        "its answers are compared and counted, never returned.",
    )
