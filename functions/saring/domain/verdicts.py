"""The verdict policy: from a model score and what the ledger and orders say, to a decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from saring.domain.listings import Evidence
from saring.domain.standing import BlockedElsewhere, SellerStanding, Standing


class Decision(StrEnum):
    ALLOW = "ALLOW"
    REVIEW = "REVIEW"
    TAKEDOWN = "TAKEDOWN"


class ReasonCode(StrEnum):
    """Why a verdict is what it is; a verdict's reasons come strongest first, in this order."""

    ACTIVE_ORDER = "ACTIVE_ORDER"  # a takedown order's active target names the listing
    SELLER_BLOCKED = "SELLER_BLOCKED"  # the seller has enough active strikes to be blocked
    # The seller shares a phone or NIK with a seller blocked on another platform: at least
    # REVIEW, never TAKEDOWN on its own (docs/verdicts.md).
    IDENTITY_BLOCKED_ELSEWHERE = "IDENTITY_BLOCKED_ELSEWHERE"
    SELLER_STANDING = "SELLER_STANDING"  # a warned or restricted seller's stricter thresholds
    MODEL_SCORE = "MODEL_SCORE"  # the model's score band
    MODEL_EVIDENCE = "MODEL_EVIDENCE"  # words that pushed the score up


_SEVERITY = {Decision.ALLOW: 0, Decision.REVIEW: 1, Decision.TAKEDOWN: 2}


def at_least(decision: Decision, floor: Decision) -> Decision:
    return decision if _SEVERITY[decision] >= _SEVERITY[floor] else floor


@dataclass(frozen=True, slots=True)
class ModelThresholds:
    review: float
    takedown: float


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    message: str
    evidence: str | None = None  # MODEL_EVIDENCE: the seller's own words
    contribution: float | None = None  # MODEL_EVIDENCE: what they add to the score's log-odds


def decision_for_score(score: float, review_threshold: float, takedown_threshold: float) -> Decision:
    if score >= takedown_threshold:
        return Decision.TAKEDOWN
    if score >= review_threshold:
        return Decision.REVIEW
    return Decision.ALLOW


def model_reasons(score: float, decision: Decision, evidence: Sequence[Evidence]) -> list[Reason]:
    """Why the model flagged a listing: its score band, then each piece of evidence."""
    if decision is Decision.ALLOW:
        return []
    reasons = [Reason(ReasonCode.MODEL_SCORE, f"classifier score {score:.3f} is in the {decision.value} band")]
    for item in evidence:
        if item.original.casefold() == item.term:
            message = f'"{item.term}" suggests imported used clothing'
        else:
            message = f'"{item.original}" read as "{item.term}" suggests imported used clothing'
        message += f" (+{item.weight:.2f} log-odds)"
        reasons.append(Reason(ReasonCode.MODEL_EVIDENCE, message, item.original, item.weight))
    return reasons


# A seller with strikes gets less benefit of the doubt: the model's thresholds are scaled down,
# so a listing that would pass for a clean seller goes to review for a warned one.
THRESHOLD_FACTORS = {
    Standing.GOOD: 1.0,
    Standing.WARNED: 0.8,
    Standing.RESTRICTED: 0.6,
    Standing.BLOCKED: 1.0,  # a blocked seller is taken down outright; see decide()
}


@dataclass(frozen=True, slots=True)
class VerdictFacts:
    """What the ledger and the takedown orders say about one listing."""

    seller: SellerStanding
    order_references: tuple[str, ...] = ()


def model_decision(score: float, thresholds: ModelThresholds, standing: Standing) -> Decision:
    factor = THRESHOLD_FACTORS[standing]
    return decision_for_score(score, thresholds.review * factor, thresholds.takedown * factor)


def _elsewhere(blocked: BlockedElsewhere) -> str:
    """How many other platforms and since when; which platform or seller is never said."""
    platforms = "1 other platform" if blocked.platforms == 1 else f"{blocked.platforms} other platforms"
    return (
        f"the seller shares a phone or NIK with a seller blocked on {platforms} "
        f"since {blocked.since.date().isoformat()}"
    )


def decide(
    score: float,
    thresholds: ModelThresholds,
    facts: VerdictFacts,
    evidence: Sequence[Evidence] = (),
    *,
    model: Decision | None = None,
) -> tuple[Decision, tuple[Reason, ...]]:
    """The verdict for one listing, with its reasons strongest first. `model` is
    model_decision(score, thresholds, facts.seller.standing), passed when the caller has it
    already (it chooses by it which listings to explain)."""
    seller = facts.seller
    if model is None:
        model = model_decision(score, thresholds, seller.standing)
    decision = model
    reasons: list[Reason] = []
    if facts.order_references:
        decision = Decision.TAKEDOWN
        references = ", ".join(facts.order_references)
        reasons.append(Reason(ReasonCode.ACTIVE_ORDER, f"a takedown order applies to this listing: {references}"))
    if seller.standing is Standing.BLOCKED:
        decision = Decision.TAKEDOWN
        reasons.append(
            Reason(ReasonCode.SELLER_BLOCKED, f"the seller is blocked after {seller.active_strikes} strikes")
        )
    if seller.blocked_elsewhere is not None:
        decision = at_least(decision, Decision.REVIEW)
        reasons.append(Reason(ReasonCode.IDENTITY_BLOCKED_ELSEWHERE, _elsewhere(seller.blocked_elsewhere)))
    if model is not decision_for_score(score, thresholds.review, thresholds.takedown):
        reasons.append(
            Reason(
                ReasonCode.SELLER_STANDING,
                f"stricter thresholds apply: the seller is {seller.standing.value} "
                f"with {seller.active_strikes} active strike(s)",
            )
        )
    reasons.extend(model_reasons(score, model, evidence))
    # A tuple: most listings have no reason, and the empty tuple is one shared object.
    return decision, tuple(reasons)
