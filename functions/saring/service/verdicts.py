"""Use case: verdicts for a batch of listings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from saring.domain.listings import (
    Listing,
    ListingLimits,
    ListingRefusedError,
    refused_listings,
    validate_listings,
)
from saring.domain.principals import Principal
from saring.domain.standing import SellerStanding
from saring.domain.verdicts import Decision, Reason, decide, model_decision
from saring.ports import NO_METRICS, Classifier, Clock, Metrics, VerdictFactsReader


@dataclass(frozen=True, slots=True)
class VerdictResult:
    listing_id: str
    decision: Decision
    score: float
    reasons: tuple[Reason, ...]
    model_version: str
    seller: SellerStanding


@dataclass(frozen=True, slots=True)
class BatchVerdicts:
    """The verdicts on a batch of listings, field by field: entry i of each list is listing
    i's. A catalog scan reads them so, without an object per listing."""

    decisions: list[Decision]
    scores: list[float]
    reasons: list[tuple[Reason, ...]]
    sellers: list[SellerStanding]
    model_version: str


class VerdictService:
    def __init__(
        self,
        classifier: Classifier,
        facts_reader: VerdictFactsReader,
        clock: Clock,
        limits: ListingLimits,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self._classifier = classifier
        self._facts = facts_reader
        self._clock = clock
        self._limits = limits
        self._metrics = metrics

    @property
    def limits(self) -> ListingLimits:
        return self._limits

    def verdicts(
        self, principal: Principal, listings: Sequence[Listing]
    ) -> list[VerdictResult | ListingRefusedError]:
        """One entry per listing, in order: its verdict, or why it was refused (a field out of
        bounds, a listingId repeated in the batch); one bad listing never costs the others
        theirs. An empty or oversized batch is refused whole (BadUserInputError)."""
        principal.require_platform()
        listings = list(listings)
        refused = refused_listings(listings, self._limits)
        scored = [listing for index, listing in enumerate(listings) if index not in refused]
        results: list[VerdictResult] = []
        if scored:
            batch = self.batch_verdicts(principal, scored)
            version = batch.model_version
            results = [
                # Positional, in field order: a frozen dataclass takes keywords at twice the cost.
                VerdictResult(listing.listing_id, decision, score, reasons, version, seller)
                for listing, decision, score, reasons, seller in zip(
                    scored, batch.decisions, batch.scores, batch.reasons, batch.sellers, strict=True
                )
            ]
        if not refused:
            return list(results)
        answers = iter(results)
        return [refused.get(index) or next(answers) for index in range(len(listings))]

    def batch_verdicts(self, principal: Principal, listings: Sequence[Listing]) -> BatchVerdicts:
        """`verdicts`, field by field."""
        platform = principal.require_platform()
        validate_listings(list(listings), self._limits)
        scores = self._classifier.score(listings)
        facts = self._facts.read(platform, listings, self._clock.now())
        thresholds = self._classifier.thresholds
        allow = Decision.ALLOW  # an enum member is a descriptor lookup each time on 3.11
        models = [
            model_decision(score, thresholds, listing_facts.seller.standing)
            for score, listing_facts in zip(scores, facts, strict=True)
        ]
        # Explaining costs more than scoring, so only flagged listings are explained, together.
        explained = iter(
            self._classifier.explain_many(
                [
                    listing
                    for listing, model in zip(listings, models, strict=True)
                    if model is not allow
                ]
            )
        )
        decisions: list[Decision] = []
        reasons: list[tuple[Reason, ...]] = []
        for score, listing_facts, model in zip(scores, facts, models, strict=True):
            evidence = () if model is allow else next(explained)
            decision, why = decide(score, thresholds, listing_facts, evidence, model=model)
            decisions.append(decision)
            reasons.append(why)
        for decision in set(decisions):
            self._metrics.count(
                "Verdicts",
                decisions.count(decision),
                {"platform": platform, "decision": decision.value},
            )
        return BatchVerdicts(
            decisions,
            scores,
            reasons,
            [listing_facts.seller for listing_facts in facts],
            self._classifier.version,
        )
