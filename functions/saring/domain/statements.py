"""Enforcement actions and their statements of reasons: pure, no I/O.

An enforcement action is something Saring knows a platform did to a seller's content or account:
a takedown target acknowledged REMOVED, a strike recorded, a seller made BLOCKED by a strike.
Each becomes one statement of reasons in the shape of the EU DSA transparency database's API
(field names and allowed values from its published rules; the JSON Schema in
saring/transparency/statement-of-reasons.schema.json holds them, with the source commit).

Statements carry no seller id, note or listing text: the database publishes them, and a
seller's account id or a reviewer's note may be personal data. Listing ids and URLs named by
an order are the order's own words and stay in the facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from saring.domain.orders import TakedownTarget, TargetKind
from saring.domain.strikes import Strike, StrikeSource

LEGAL_GROUND = "Permendag 18/2021 jo. 40/2022, HS 6309"
EXPLANATION = (
    "Used clothing, used bags and used shoes (HS 6309.00.00) may not be imported into Indonesia "
    "(Permendag 18/2021 on goods banned from import, as amended by Permendag 40/2022). Offering "
    "imported used clothing for sale trades in goods that were imported against that ban."
)
MAX_FACTS = 5_000
LAST_DATE = date(2038, 1, 1)  # the database accepts no later date


class ActionKind(StrEnum):
    TARGET_REMOVED = "TARGET_REMOVED"  # a takedown target acknowledged REMOVED
    STRIKE_RECORDED = "STRIKE_RECORDED"
    SELLER_BLOCKED = "SELLER_BLOCKED"  # the strike that made the seller BLOCKED


class ActionSource(StrEnum):
    """Who set the action off. MODEL: Saring's classifier alone; Saring does not store
    verdicts, so it knows of no such action (a platform that confirms a flagged listing
    records a PLATFORM_REVIEW strike)."""

    MODEL = "MODEL"
    PLATFORM_REVIEW = "PLATFORM_REVIEW"
    REGULATOR_ORDER = "REGULATOR_ORDER"


@dataclass(frozen=True, slots=True)
class RemovedTarget:
    """A target acknowledged REMOVED, with what its order says."""

    target: TakedownTarget
    agency: str
    legal_basis: str


@dataclass(frozen=True, slots=True)
class RecordedStrike:
    strike: Strike
    blocked_seller: bool  # this strike made the seller BLOCKED
    agency: str | None = None  # the issuing agency of an order strike, when known


@dataclass(frozen=True, slots=True)
class EnforcementAction:
    kind: ActionKind
    source: ActionSource
    platform: str
    puid: str
    at: datetime  # when it took effect
    content_seen: datetime  # the earliest moment Saring knows the content existed
    facts: str
    target_kind: TargetKind | None = None
    agency: str | None = None
    order_reference: str | None = None
    issued_at: datetime | None = None  # of the order, for a removed target
    late: bool = False
    restriction_ends: datetime | None = None  # a strike's expiry

    @property
    def hours_to_removal(self) -> float | None:
        if self.kind is not ActionKind.TARGET_REMOVED or self.issued_at is None:
            return None
        return (self.at - self.issued_at).total_seconds() / 3600


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def removal_action(removed: RemovedTarget) -> EnforcementAction:
    target = removed.target
    assert target.resolved_at is not None
    what = {
        TargetKind.LISTING: f"listing {target.value}",
        TargetKind.URL: f"the listing at {target.value}",
        TargetKind.SHOP: "a shop",
        TargetKind.ACCOUNT: "a seller account",
    }[target.kind]
    facts = (
        f"Takedown order {target.reference} of {removed.agency} (legal basis: "
        f"{removed.legal_basis}), issued {target.issued_at.isoformat()} with a deadline of "
        f"{target.deadline.isoformat()}, named {what} on {target.platform}. The platform "
        f"removed it and acknowledged the removal at {target.resolved_at.isoformat()}"
        + (", after the deadline." if target.late else ", within the deadline.")
    )
    return EnforcementAction(
        kind=ActionKind.TARGET_REMOVED,
        source=ActionSource.REGULATOR_ORDER,
        platform=target.platform,
        puid=f"saring-removal-{target.id}",
        at=target.resolved_at,
        content_seen=target.issued_at,
        facts=facts,
        target_kind=target.kind,
        agency=removed.agency,
        order_reference=target.reference,
        issued_at=target.issued_at,
        late=target.late,
    )


def strike_actions(recorded: RecordedStrike) -> list[EnforcementAction]:
    """The strike itself, and the block it caused, if it did."""
    strike = recorded.strike
    by_order = strike.source is StrikeSource.REGULATOR_ORDER
    source = ActionSource.REGULATOR_ORDER if by_order else ActionSource.PLATFORM_REVIEW
    cause = (
        f"after the platform removed a target of takedown order {strike.order_reference}"
        + (f" of {recorded.agency}" if recorded.agency else "")
        if by_order
        else "after the platform's own review confirmed a violation"
    )
    listing = f" (listing {strike.listing_id})" if strike.listing_id else ""
    revoked = (
        f" The strike was revoked at {strike.revoked_at.isoformat()}." if strike.revoked_at else ""
    )
    common = dict(
        source=source,
        platform=strike.platform,
        at=strike.created_at,
        content_seen=strike.created_at,
        agency=recorded.agency,
        order_reference=strike.order_reference,
    )
    actions = [
        EnforcementAction(
            kind=ActionKind.STRIKE_RECORDED,
            puid=f"saring-strike-{strike.id}",
            facts=(
                f"A strike was recorded against a seller on {strike.platform} at "
                f"{strike.created_at.isoformat()}{listing}, {cause}. While it is active (until "
                f"{strike.expires_at.isoformat()}) the seller's listings are judged with "
                f"stricter thresholds, and enough active strikes block the seller.{revoked}"
            ),
            restriction_ends=strike.expires_at,
            **common,  # type: ignore[arg-type]
        )
    ]
    if recorded.blocked_seller:
        actions.append(
            EnforcementAction(
                kind=ActionKind.SELLER_BLOCKED,
                puid=f"saring-block-{strike.id}",
                facts=(
                    f"A strike recorded at {strike.created_at.isoformat()}{listing}, {cause}, "
                    f"brought the seller's active strikes on {strike.platform} to the blocking "
                    "threshold: every listing of the seller is taken down while the strikes "
                    f"stay active.{revoked}"
                ),
                **common,  # type: ignore[arg-type]
            )
        )
    return actions


def enforcement_actions(
    removed: list[RemovedTarget], strikes: list[RecordedStrike]
) -> list[EnforcementAction]:
    """Every action, in the order they took effect (then by puid)."""
    actions = [removal_action(r) for r in removed]
    for recorded in strikes:
        actions.extend(strike_actions(recorded))
    return sorted(actions, key=lambda a: (a.at, a.puid))


def _date(moment: datetime) -> str:
    return min(moment.astimezone(UTC).date(), LAST_DATE).isoformat()


def statement_of_reasons(action: EnforcementAction) -> dict[str, Any]:
    """The action as one DSA statement of reasons (a JSON object)."""
    statement: dict[str, Any] = {"puid": action.puid}
    if action.kind is ActionKind.TARGET_REMOVED and action.target_kind in (
        TargetKind.SHOP,
        TargetKind.ACCOUNT,
    ):
        statement["decision_account"] = "DECISION_ACCOUNT_SUSPENDED"
    elif action.kind is ActionKind.TARGET_REMOVED:
        statement["decision_visibility"] = ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    elif action.kind is ActionKind.STRIKE_RECORDED:
        statement["decision_visibility"] = ["DECISION_VISIBILITY_OTHER"]
        statement["decision_visibility_other"] = (
            "Strike on the seller's account: its listings are reviewed with stricter thresholds "
            "while the strike is active."
        )
        if action.restriction_ends is not None:
            statement["end_date_visibility_restriction"] = _date(action.restriction_ends)
    else:
        statement["decision_account"] = "DECISION_ACCOUNT_SUSPENDED"
    statement.update(
        {
            "account_type": "ACCOUNT_TYPE_BUSINESS",  # marketplace sellers trade
            "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
            "illegal_content_legal_ground": LEGAL_GROUND,
            "illegal_content_explanation": EXPLANATION,
            "category": "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
            "category_specification": ["KEYWORD_PROHIBITED_PRODUCTS"],
            "content_type": ["CONTENT_TYPE_PRODUCT"],
            "content_date": _date(action.content_seen),
            "application_date": _date(action.at),
            "decision_facts": action.facts[:MAX_FACTS],
        }
    )
    if action.source is ActionSource.REGULATOR_ORDER:
        statement["source_type"] = "SOURCE_TYPE_OTHER_NOTIFICATION"
        identity = f"takedown order {action.order_reference}"
        if action.agency:
            identity = f"{action.agency}, {identity}"
        statement["source_identity"] = identity[:500]
    else:
        statement["source_type"] = "SOURCE_VOLUNTARY"
    statement["automated_detection"] = "No"
    statement["automated_decision"] = {
        # A person removed the target or confirmed the violation; the strike after a removal
        # and the block at the threshold follow automatically.
        (ActionKind.TARGET_REMOVED, ActionSource.REGULATOR_ORDER): "AUTOMATED_DECISION_NOT_AUTOMATED",
        (ActionKind.STRIKE_RECORDED, ActionSource.PLATFORM_REVIEW): "AUTOMATED_DECISION_NOT_AUTOMATED",
        (ActionKind.STRIKE_RECORDED, ActionSource.REGULATOR_ORDER): "AUTOMATED_DECISION_PARTIALLY",
    }.get((action.kind, action.source), "AUTOMATED_DECISION_FULLY")
    return statement
