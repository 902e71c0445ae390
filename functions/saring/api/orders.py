"""Takedown orders over GraphQL: regulators issue and watch, platforms list and acknowledge."""

import dataclasses
from datetime import datetime
from typing import Self

import strawberry
from strawberry.types import Info

from saring.api.context import RequestContext
from saring.api.types import PageInfo
from saring.domain import notices as ladder
from saring.domain import orders as domain
from saring.ports import OrderPage, TargetPage
from saring.service import orders as service

Urgency = strawberry.enum(domain.Urgency, name="Urgency")
TargetKind = strawberry.enum(domain.TargetKind, name="TargetKind")
TargetState = strawberry.enum(domain.TargetState, name="TargetState")
OrderStatus = strawberry.enum(
    domain.OrderStatus,
    name="OrderStatus",
    description="ISSUING: its targets are still being written (an interrupted issue: the same "
    "issueTakedown again, or the scheduled sweep within about 20 minutes, completes it); "
    "platforms see none of its targets yet. ISSUED: every target is written and visible to "
    "its platform. WITHDRAWN: withdrawn by the issuing agency (withdrawTakedown); none of its "
    "targets applies to verdicts any more.",
)
DisputeResolution = strawberry.enum(
    domain.DisputeResolution,
    name="DisputeResolution",
    description="UPHELD: the target stands and is PENDING again with a new deadline. "
    "WITHDRAWN: the agency agrees with the platform; the target is closed.",
)
NoticeLevel = strawberry.enum(
    ladder.NoticeLevel,
    name="NoticeLevel",
    description="The warning ladder for an unmet target (SAMAN): ST1 first warning, ST2 second "
    "warning with an administrative fine, ST3 third warning, access blocking.",
)


@strawberry.type(description="A warning-ladder notice a target earned by staying pending.")
class ComplianceNotice:
    level: NoticeLevel
    issued_at: datetime


@strawberry.type(description="One thing a platform must take down.")
class TakedownTarget:
    id: strawberry.ID
    order_id: strawberry.ID
    reference: str
    platform: str
    kind: TargetKind
    value: str
    seller_id: strawberry.ID | None
    state: TargetState
    note: str | None
    deadline: datetime
    resolved_at: datetime | None
    late: bool = strawberry.field(description="Acknowledged after its deadline.")
    overdue: bool = strawberry.field(description="Still pending after its deadline.")
    notices: list[ComplianceNotice] = strawberry.field(
        description="The warning-ladder notices this target earned, ST1 first."
    )
    dispute_resolution: DisputeResolution | None = strawberry.field(
        description="The issuing agency's last answer to a dispute of this target."
    )
    resolution_note: str | None = strawberry.field(
        description="The agency's note with `disputeResolution`."
    )

    @classmethod
    def from_domain(cls, target: domain.TakedownTarget, now: datetime) -> Self:
        return cls(
            id=strawberry.ID(target.id),
            order_id=strawberry.ID(target.order_id),
            reference=target.reference,
            platform=target.platform,
            kind=target.kind,
            value=target.value,
            seller_id=None if target.seller_id is None else strawberry.ID(target.seller_id),
            state=target.state,
            note=target.note,
            deadline=target.deadline,
            resolved_at=target.resolved_at,
            late=target.late,
            overdue=domain.overdue(target, now),
            notices=[ComplianceNotice(level=n.level, issued_at=n.issued_at) for n in target.notices],
            dispute_resolution=target.resolution,
            resolution_note=target.resolution_note,
        )


@strawberry.type(description="A regulator's order to take down listings, shops, accounts or URLs.")
class TakedownOrder:
    id: strawberry.ID
    reference: str
    legal_basis: str
    reason: str
    agency: str
    urgency: Urgency
    issued_at: datetime
    deadline: datetime
    status: OrderStatus
    target_count: int = strawberry.field(
        description="How many targets the order names; while ISSUING, `targets` may list fewer."
    )
    targets: list[TakedownTarget] = strawberry.field(
        description="The targets written, by position; all of them once ISSUED."
    )
    withdrawn_at: datetime | None
    withdraw_reason: str | None

    @classmethod
    def from_domain(cls, order: domain.TakedownOrder, now: datetime) -> Self:
        return cls(
            id=strawberry.ID(order.id),
            reference=order.reference,
            legal_basis=order.legal_basis,
            reason=order.reason,
            agency=order.agency,
            urgency=order.urgency,
            issued_at=order.issued_at,
            deadline=order.deadline,
            status=order.status,
            target_count=order.total_targets,
            targets=[TakedownTarget.from_domain(target, now) for target in order.targets],
            withdrawn_at=order.withdrawn_at,
            withdraw_reason=order.withdraw_reason,
        )


@strawberry.type
class TakedownOrderEdge:
    cursor: str
    node: TakedownOrder


@strawberry.type(description="Takedown orders, newest first.")
class TakedownOrderConnection:
    edges: list[TakedownOrderEdge]
    page_info: PageInfo

    @classmethod
    def from_domain(cls, page: OrderPage, now: datetime) -> Self:
        return cls(
            edges=[
                TakedownOrderEdge(cursor=edge.cursor, node=TakedownOrder.from_domain(edge.node, now))
                for edge in page.edges
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        )


@strawberry.type
class TargetEdge:
    cursor: str
    node: TakedownTarget


@strawberry.type(description="Takedown targets, earliest deadline first.")
class TargetConnection:
    edges: list[TargetEdge]
    page_info: PageInfo

    @classmethod
    def from_domain(cls, page: TargetPage, now: datetime) -> Self:
        return cls(
            edges=[
                TargetEdge(cursor=edge.cursor, node=TakedownTarget.from_domain(edge.node, now))
                for edge in page.edges
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        )


@strawberry.type(description="How a platform answered the targets it received in a period.")
class ComplianceReport:
    received: int
    removed: int
    not_found: int
    disputed: int
    pending: int
    overdue: int
    withdrawn: int = strawberry.field(description="Closed by the agency, not the platform.")
    notices_st1: int = strawberry.field(description="ST1 notices these targets earned.")
    notices_st2: int = strawberry.field(description="ST2 notices these targets earned.")
    notices_st3: int = strawberry.field(description="ST3 notices these targets earned.")
    on_time_rate: float | None
    median_hours_to_removal: float | None
    p90_hours_to_removal: float | None
    overdue_appeals: int = strawberry.field(
        description="Appeals of the platform's own review strikes filed in [since, until) and "
        "still OPEN SARING_APPEAL_OVERDUE_DAYS after filing (the platform decides them)."
    )


@strawberry.input
class TargetInput:
    platform: str
    kind: TargetKind
    value: str = strawberry.field(
        description="LISTING: the listing id; SHOP or ACCOUNT: the seller id; URL: http(s) URL."
    )
    seller_id: strawberry.ID | None = None


@strawberry.input
class IssueTakedownInput:
    reference: str
    legal_basis: str
    reason: str
    targets: list[TargetInput]
    urgency: Urgency = domain.Urgency.STANDARD


@strawberry.input
class AcknowledgeTakedownInput:
    target_id: strawberry.ID
    state: TargetState
    note: str | None = strawberry.field(default=None, description="Required for DISPUTED.")


@strawberry.input
class WithdrawTakedownInput:
    order_id: strawberry.ID
    reason: str


@strawberry.input
class ResolveDisputeInput:
    target_id: strawberry.ID
    resolution: DisputeResolution
    note: str


@strawberry.type
class OrderQueries:
    @strawberry.field(
        description="An order: the regulator, or a platform it targets (own targets)."
    )
    def takedown_order(
        self, info: Info[RequestContext, None], id: strawberry.ID
    ) -> TakedownOrder | None:
        context = info.context
        order = context.services.orders.takedown_order(context.caller, str(id))
        return TakedownOrder.from_domain(order, context.services.clock.now())

    @strawberry.field(
        description="Targets, earliest deadline first (platform: own; regulator: all)."
    )
    def takedown_targets(
        self,
        info: Info[RequestContext, None],
        state: TargetState | None = None,
        first: int | None = None,
        after: str | None = None,
        platform: str | None = None,
    ) -> TargetConnection:
        context = info.context
        page = context.services.orders.takedown_targets(
            context.caller, state=state, first=first, after=after, platform=platform
        )
        return TargetConnection.from_domain(page, context.services.clock.now())

    @strawberry.field(
        description="Orders, newest first: a regulator its own; a platform those that target "
        "it (ISSUED or WITHDRAWN), with only its own targets."
    )
    def takedown_orders(
        self,
        info: Info[RequestContext, None],
        first: int | None = None,
        after: str | None = None,
        agency: str | None = None,
        status: OrderStatus | None = None,
        reference: str | None = None,
    ) -> TakedownOrderConnection:
        context = info.context
        page = context.services.orders.takedown_orders(
            context.caller,
            first=first,
            after=after,
            agency=agency,
            status=status,
            reference=reference,
        )
        return TakedownOrderConnection.from_domain(page, context.services.clock.now())

    @strawberry.field(
        description="A platform's compliance with orders issued in [since, until): a regulator "
        "over its own orders, a platform over its own targets."
    )
    def compliance(
        self, info: Info[RequestContext, None], platform: str, since: datetime, until: datetime
    ) -> ComplianceReport:
        context = info.context
        report = context.services.orders.compliance(context.caller, platform, since, until)
        overdue_appeals = context.services.appeals.overdue_count(platform, since, until)
        return ComplianceReport(**dataclasses.asdict(report), overdue_appeals=overdue_appeals)


@strawberry.type
class OrderMutations:
    @strawberry.mutation(
        description="Issues a takedown order (regulators). Idempotent on reference."
    )
    def issue_takedown(
        self, info: Info[RequestContext, None], input: IssueTakedownInput
    ) -> TakedownOrder:
        context = info.context
        order = context.services.orders.issue_takedown(
            context.caller,
            service.IssueTakedownInput(
                reference=input.reference,
                legal_basis=input.legal_basis,
                reason=input.reason,
                urgency=input.urgency,
                targets=[
                    service.TargetInput(
                        platform=target.platform,
                        kind=target.kind,
                        value=target.value,
                        seller_id=None if target.seller_id is None else str(target.seller_id),
                    )
                    for target in input.targets
                ],
            ),
        )
        return TakedownOrder.from_domain(order, context.services.clock.now())

    @strawberry.mutation(description="Acknowledges one of the platform's own targets.")
    def acknowledge_takedown(
        self, info: Info[RequestContext, None], input: AcknowledgeTakedownInput
    ) -> TakedownTarget:
        context = info.context
        target = context.services.orders.acknowledge_takedown(
            context.caller,
            service.AcknowledgeTakedownInput(
                target_id=str(input.target_id), state=input.state, note=input.note
            ),
        )
        return TakedownTarget.from_domain(target, context.services.clock.now())

    @strawberry.mutation(
        description="Withdraws an order (the issuing agency). Idempotent."
    )
    def withdraw_takedown(
        self, info: Info[RequestContext, None], input: WithdrawTakedownInput
    ) -> TakedownOrder:
        context = info.context
        order = context.services.orders.withdraw_takedown(
            context.caller,
            service.WithdrawTakedownInput(order_id=str(input.order_id), reason=input.reason),
        )
        return TakedownOrder.from_domain(order, context.services.clock.now())

    @strawberry.mutation(
        description="Answers a platform's dispute of a target (the issuing agency). Idempotent."
    )
    def resolve_dispute(
        self, info: Info[RequestContext, None], input: ResolveDisputeInput
    ) -> TakedownTarget:
        context = info.context
        target = context.services.orders.resolve_dispute(
            context.caller,
            service.ResolveDisputeInput(
                target_id=str(input.target_id), resolution=input.resolution, note=input.note
            ),
        )
        return TakedownTarget.from_domain(target, context.services.clock.now())
