"""Queries a platform uses to judge listings, and who-am-I."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from saring.api.context import RequestContext
from saring.api.types import ListingInput, ModelInfo, PrincipalType, Verdict


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
        return [Verdict.from_domain(result) for result in results]

    @strawberry.field(description="The model in use and its thresholds.")
    def model_info(self, info: Info[RequestContext, None]) -> ModelInfo:
        info.context.caller  # any authenticated caller
        classifier = info.context.services.classifier
        return ModelInfo(
            version=classifier.version,
            review_threshold=classifier.thresholds.review,
            takedown_threshold=classifier.thresholds.takedown,
        )

    @strawberry.field(description="The principal the API key belongs to.")
    def me(self, info: Info[RequestContext, None]) -> PrincipalType:
        return PrincipalType.from_domain(info.context.caller)
