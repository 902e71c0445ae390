"""Queries a platform uses to judge listings, and who-am-I."""

from typing import Self

import strawberry
from strawberry.types import Info

from saring.api.context import RequestContext
from saring.api.ledger import Seller
from saring.api.types import Decision, ListingInput, ModelInfo, PrincipalType, Reason
from saring.service.verdicts import VerdictResult


@strawberry.type(description="The decision on one listing.")
class Verdict:
    listing_id: strawberry.ID
    decision: Decision
    score: float = strawberry.field(description="Calibrated probability of banned used imports.")
    reasons: list[Reason]
    model_version: str
    seller: Seller
    audit_sample: bool = strawberry.field(
        description="An ALLOW verdict picked for review anyway (SARING_AUDIT_SAMPLE_RATE of "
        "them, the same listing always alike): route it to review as a REVIEW verdict and "
        "report the outcome with reportReviewOutcome. The decision is unchanged."
    )

    @classmethod
    def from_domain(cls, result: VerdictResult) -> Self:
        return cls(
            listing_id=strawberry.ID(result.listing_id),
            decision=result.decision,
            score=result.score,
            reasons=[Reason(code=r.code, message=r.message, evidence=r.evidence, contribution=r.contribution)
                     for r in result.reasons],
            model_version=result.model_version,
            seller=Seller.from_domain(result.seller),
            audit_sample=result.audit_sample,
        )


@strawberry.type
class VerdictQueries:
    @strawberry.field(description="The verdict on one listing (platform keys).")
    def verdict(self, info: Info[RequestContext, None], listing: ListingInput) -> Verdict:
        context = info.context
        (result,) = context.services.verdicts.verdicts(context.caller, [listing.to_domain()])
        return Verdict.from_domain(result)

    @strawberry.field(description="Verdicts on up to 100 listings, in order (platform keys).")
    def verdicts(
        self, info: Info[RequestContext, None], listings: list[ListingInput]
    ) -> list[Verdict]:
        context = info.context
        results = context.services.verdicts.verdicts(
            context.caller, [listing.to_domain() for listing in listings]
        )
        if results:  # a selected `seller { strikes }` then loads every seller's page at once
            context.strikes_loader.expect(
                results[0].seller.platform, [result.seller.seller_id for result in results]
            )
        return [Verdict.from_domain(result) for result in results]

    @strawberry.field(description="The model in use and its thresholds.")
    def model_info(self, info: Info[RequestContext, None]) -> ModelInfo:
        _ = info.context.caller  # any authenticated caller may ask
        classifier = info.context.services.classifier
        return ModelInfo(
            version=classifier.version,
            review_threshold=classifier.thresholds.review,
            takedown_threshold=classifier.thresholds.takedown,
            shadow_version=info.context.services.verdicts.shadow_version,
        )

    @strawberry.field(description="The principal the API key belongs to.")
    def me(self, info: Info[RequestContext, None]) -> PrincipalType:
        return PrincipalType.from_domain(info.context.caller)
