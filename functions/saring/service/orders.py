"""Takedown order use cases: who may do what, against the OrderBook and StrikeRecorder ports.

An agency reads and changes only its own orders: another agency's order is NOT_FOUND, as an
unknown id is, and its targets count in neither listings nor compliance.

- issue_takedown: regulators only.
- takedown_order: the issuing agency sees the whole order; a platform the order targets sees
  the order with only its own targets; anyone else gets NOT_FOUND (as for an unknown id), so
  order ids cannot be probed.
- takedown_targets: a platform sees its own targets, whoever issued them; an agency sees its
  own orders' targets, on all platforms or one.
- acknowledge_takedown: the owning platform only; another platform's target is NOT_FOUND, like
  an unknown id. REMOVED with a seller records one strike through the StrikeRecorder (idempotent
  on the target id), on every successful call including retries, so a crash between the
  acknowledgement and the strike is healed by the client's retry.
- takedown_orders: newest first. An agency lists its own orders (asking for another agency's
  gives none, as takedown_order answers NOT_FOUND); a platform lists the ISSUED and WITHDRAWN
  orders that target it, whoever issued them, each with only its own targets.
- withdraw_takedown: the issuing agency only (another agency's order is NOT_FOUND). The order
  becomes WITHDRAWN, its pending and disputed targets WITHDRAWN, none of its targets applies to
  verdicts any more, and the strikes of its removed targets are revoked with the reason. A retry
  (or a second withdrawal) completes whatever an interrupted one left and changes nothing else.
- resolve_dispute: the issuing agency only, for a DISPUTED target: UPHELD makes it PENDING again
  with a new deadline (the resolution time plus the order's deadline delay: 24 h STANDARD,
  4 h URGENT); WITHDRAWN closes it. Any other state is CONFLICT.
- compliance: a regulator over its own orders; a platform over its own targets, of every
  agency's orders (another platform's compliance is FORBIDDEN).
- issue_notices: the warning ladder, on a schedule (and `saring notices run`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import uuid4

from saring.domain.audit import actor_of
from saring.domain.errors import BadUserInputError, NotFoundError
from saring.domain.notices import ComplianceNotice, NoticeLadder
from saring.domain.orders import (
    ComplianceReport,
    DisputeResolution,
    OrderRequest,
    OrderStatus,
    TakedownOrder,
    TakedownTarget,
    TargetRequest,
    TargetState,
    Urgency,
    check_acknowledgement,
    check_reason,
    content_hash,
    for_platform,
    new_order,
    overdue,
    parse_target_id,
    validate_order,
)
from saring.domain.pages import page_size
from saring.domain.principals import Principal, Role
from saring.ports import (
    NO_METRICS,
    Clock,
    Metrics,
    OrderBook,
    OrderFilter,
    OrderPage,
    StrikeRecorder,
    TargetPage,
)
from saring.settings import Settings

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

# An order still ISSUING this long after its issue time was interrupted and not retried: the
# sweep completes it. Longer than any API request runs; a race with a retry is harmless anyway,
# since completing writes only missing targets.
SWEEP_AFTER = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class TargetInput:
    platform: str
    kind: str
    value: str
    seller_id: str | None = None


@dataclass(frozen=True, slots=True)
class IssueTakedownInput:
    reference: str
    legal_basis: str
    reason: str
    urgency: Urgency | str
    targets: Sequence[TargetInput] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class AcknowledgeTakedownInput:
    target_id: str
    state: TargetState | str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class WithdrawTakedownInput:
    order_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ResolveDisputeInput:
    target_id: str
    resolution: DisputeResolution | str
    note: str


def _page_size(first: int | None) -> int:
    return page_size(DEFAULT_PAGE_SIZE if first is None else first, MAX_PAGE_SIZE)


def _optional_text(value: str | None, field: str, limit: int = 256) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise BadUserInputError(f"{field} must be 1 to {limit} characters", field=field)
    return value.strip()


def _aware(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise BadUserInputError(f"{name} must be a date-time with an offset", field=name)
    return moment


class OrderService:
    def __init__(
        self,
        book: OrderBook,
        strikes: StrikeRecorder,
        clock: Clock,
        settings: Settings,
        new_id: Callable[[], str] = lambda: uuid4().hex,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self._book = book
        self._strikes = strikes
        self._clock = clock
        self._settings = settings
        self._new_id = new_id
        self._metrics = metrics

    def issue_takedown(self, principal: Principal, command: IssueTakedownInput) -> TakedownOrder:
        agency = principal.require_regulator()
        request = validate_order(
            OrderRequest(
                reference=command.reference,
                legal_basis=command.legal_basis,
                reason=command.reason,
                urgency=command.urgency,
                targets=[
                    TargetRequest(t.platform, t.kind, t.value, t.seller_id) for t in command.targets
                ],
            ),
            self._settings,
        )
        order = new_order(
            request,
            order_id=self._new_id(),
            agency=agency,
            issued_at=self._clock.now(),
            settings=self._settings,
        )
        return self._book.issue(order, content_hash(request), actor_of(principal))

    def takedown_order(self, principal: Principal, order_id: str) -> TakedownOrder:
        missing = NotFoundError(f"no takedown order {order_id}", field="id")
        order = self._book.order(order_id) if isinstance(order_id, str) else None
        if order is None:
            raise missing
        if principal.role is Role.REGULATOR:
            if order.agency != principal.require_regulator():
                raise missing
            return order
        visible = for_platform(order, principal.require_platform())
        if visible is None:
            raise missing
        return visible

    def takedown_targets(
        self,
        principal: Principal,
        state: TargetState | str | None = None,
        first: int | None = None,
        after: str | None = None,
        platform: str | None = None,
    ) -> TargetPage:
        agency = None
        if principal.role is Role.REGULATOR:
            agency = principal.require_regulator()
            if platform is None:
                platforms: tuple[str, ...] = tuple(self._settings.known_platforms)
            elif platform in self._settings.known_platforms:
                platforms = (platform,)
            else:
                raise BadUserInputError(f"{platform!r} is not a known platform", field="platform")
        else:
            own = principal.require_platform()
            if platform is not None:
                principal.require_access_to_platform(platform)
            platforms = (own,)
        size = _page_size(first)
        parsed = None
        if state is not None:
            try:
                parsed = TargetState(state)
            except ValueError:
                raise BadUserInputError("state is not a target state", field="state") from None
        return self._book.targets(platforms, parsed, size, after, agency=agency)

    def acknowledge_takedown(
        self, principal: Principal, command: AcknowledgeTakedownInput
    ) -> TakedownTarget:
        platform = principal.require_platform()
        state, note = check_acknowledgement(command.state, command.note)
        target = self._book.acknowledge(
            platform, command.target_id, state, note, self._clock.now(), actor_of(principal)
        )
        if target.state is TargetState.REMOVED and target.seller_id is not None:
            self._strikes.record_order_strike(
                platform=target.platform,
                seller_id=target.seller_id,
                target_id=target.id,
                order_reference=target.reference,
                listing_id=target.listing_id,
            )
        return target

    def takedown_orders(
        self,
        principal: Principal,
        first: int | None = None,
        after: str | None = None,
        agency: str | None = None,
        status: OrderStatus | str | None = None,
        reference: str | None = None,
    ) -> OrderPage:
        size = _page_size(first)
        agency = _optional_text(agency, "agency")
        reference = _optional_text(reference, "reference")
        parsed = None
        if status is not None:
            try:
                parsed = OrderStatus(status)
            except ValueError:
                raise BadUserInputError("status is not an order status", field="status") from None
        if principal.role is Role.REGULATOR:
            own = principal.require_regulator()
            if agency is not None and agency != own:
                return OrderPage(edges=[], has_next_page=False, end_cursor=after)
            scope = OrderFilter(agency=own, status=parsed, reference=reference)
        else:
            scope = OrderFilter(
                platform=principal.require_platform(),
                issued_by=agency,
                status=parsed,
                reference=reference,
            )
        return self._book.orders(scope, size, after)

    def withdraw_takedown(
        self, principal: Principal, command: WithdrawTakedownInput
    ) -> TakedownOrder:
        agency = principal.require_regulator()
        reason = check_reason(command.reason)
        if not isinstance(command.order_id, str):
            raise NotFoundError(f"no takedown order {command.order_id}", field="orderId")
        order = self._book.withdraw(
            command.order_id, agency, reason, self._clock.now(), actor_of(principal)
        )
        for target in order.targets:
            if target.state is TargetState.REMOVED and target.seller_id is not None:
                self._strikes.revoke_order_strike(
                    platform=target.platform,
                    seller_id=target.seller_id,
                    target_id=target.id,
                    order_reference=target.reference,
                    listing_id=target.listing_id,
                    reason=order.withdraw_reason or reason,
                    revoked_by=actor_of(principal),
                )
        return order

    def resolve_dispute(
        self, principal: Principal, command: ResolveDisputeInput
    ) -> TakedownTarget:
        agency = principal.require_regulator()
        try:
            resolution = DisputeResolution(command.resolution)
        except ValueError:
            raise BadUserInputError(
                "resolution must be UPHELD or WITHDRAWN", field="resolution"
            ) from None
        note = check_reason(command.note, "note")
        return self._book.resolve_dispute(
            agency,
            command.target_id,
            resolution,
            note,
            self._clock.now(),
            actor_of(principal),
        )

    def issue_notices(self) -> list[tuple[TakedownTarget, ComplianceNotice]]:
        """Every warning-ladder notice due now, on every known platform (the NoticesIssued
        metric per platform and level)."""
        issued = self._book.issue_notices(
            self._settings.known_platforms, self._clock.now(), NoticeLadder.from_settings(self._settings)
        )
        counts: dict[tuple[str, str], int] = {}
        for target, notice in issued:
            key = (target.platform, notice.level.value)
            counts[key] = counts.get(key, 0) + 1
        for (platform, level), count in sorted(counts.items()):
            self._metrics.count("NoticesIssued", count, {"platform": platform, "level": level})
        return issued

    def compliance(
        self, principal: Principal, platform: str, since: datetime, until: datetime
    ) -> ComplianceReport:
        if platform not in self._settings.known_platforms:
            raise BadUserInputError(f"{platform!r} is not a known platform", field="platform")
        if principal.role is Role.REGULATOR:
            agency: str | None = principal.require_regulator()
        else:
            principal.require_access_to_platform(platform)
            agency = None
        since, until = _aware(since, "since"), _aware(until, "until")
        if since >= until:
            raise BadUserInputError("since must be before until", field="since")
        return self._book.compliance(platform, since, until, self._clock.now(), agency=agency)

    def count_overdue_targets(self) -> dict[str, int]:
        """Each known platform's pending targets past their deadline, counted as the
        TargetsOverdue metric. Pending targets come earliest deadline first, so the reading
        stops at the first one still in time."""
        now = self._clock.now()
        counts = {}
        for platform in self._settings.known_platforms:
            count, after, in_time = 0, None, False
            while not in_time:
                page = self._book.targets([platform], TargetState.PENDING, MAX_PAGE_SIZE, after)
                for edge in page.edges:
                    if not overdue(edge.node, now):
                        in_time = True
                        break
                    count += 1
                if not page.has_next_page:
                    break
                after = page.end_cursor
            counts[platform] = count
            self._metrics.count("TargetsOverdue", count, {"platform": platform})
        return counts

    def sweep_interrupted_orders(self) -> list[str]:
        """Completes the orders whose issue was interrupted (still ISSUING after
        SWEEP_AFTER) and nobody retried; their ids. Run on a schedule and by
        `saring orders sweep`."""
        completed = self._book.sweep(self._clock.now() - SWEEP_AFTER)
        self._metrics.count("OrdersSwept", len(completed), {})
        return completed

    def sweep_interrupted_withdrawals(self) -> list[str]:
        """Settles the targets of orders whose withdrawal was interrupted (WITHDRAWN for over
        SWEEP_AFTER with targets not yet settled) and nobody retried; their ids. The strikes of
        their removed targets are revoked by the order events function, from the stream."""
        settled = self._book.sweep_withdrawals(self._clock.now() - SWEEP_AFTER)
        self._metrics.count("WithdrawalsSwept", len(settled), {})
        return settled

    def overdue(self, target: TakedownTarget) -> bool:
        """For the resolver of TakedownTarget.overdue."""
        return overdue(target, self._clock.now())


def agency_of_target(book: OrderBook, target_id: str) -> str | None:
    """The agency whose order holds this target: the ledger asks it when an agency appeals."""
    parsed = parse_target_id(target_id)
    order = None if parsed is None else book.order(parsed[0])
    return None if order is None else order.agency
