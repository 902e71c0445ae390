"""The verdict policy: from a model score and what the ledger and orders say, to a decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from saring.domain.listings import Evidence


class Decision(str, Enum):
    ALLOW = "ALLOW"
    REVIEW = "REVIEW"
    TAKEDOWN = "TAKEDOWN"


_SEVERITY = {Decision.ALLOW: 0, Decision.REVIEW: 1, Decision.TAKEDOWN: 2}


def at_least(decision: Decision, floor: Decision) -> Decision:
    return decision if _SEVERITY[decision] >= _SEVERITY[floor] else floor


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    message: str


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
    reasons = [Reason("MODEL_SCORE", f"classifier score {score:.3f} is in the {decision.value} band")]
    for item in evidence:
        if item.original.casefold() == item.term:
            message = f'"{item.term}" suggests imported used clothing'
        else:
            message = f'"{item.original}" read as "{item.term}" suggests imported used clothing'
        reasons.append(Reason("MODEL_EVIDENCE", message))
    return reasons
