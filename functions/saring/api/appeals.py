"""Appeals over GraphQL: platforms file them, whoever caused the strike decides them."""

from datetime import datetime
from typing import Self

import strawberry
from strawberry.types import Info

from saring.api.context import RequestContext
from saring.api.types import PageInfo, StrikeSource
from saring.domain import appeals as domain
from saring.ports import AppealPage

AppealStatus = strawberry.enum(
    domain.AppealStatus,
    name="AppealStatus",
    description="OPEN until decided; UPHELD: the strike stands; REVOKED: the strike was revoked.",
)
AppealDecision = strawberry.enum(domain.AppealDecision, name="AppealDecision")


@strawberry.type(description="A seller's appeal of one strike, filed by its platform.")
class Appeal:
    id: strawberry.ID
    platform: str
    seller_id: strawberry.ID
    strike_id: strawberry.ID
    strike_source: StrikeSource
    order_reference: str | None
    statement: str
    status: AppealStatus
    filed_at: datetime
    due_at: datetime = strawberry.field(
        description="When it becomes overdue if still OPEN (SARING_APPEAL_OVERDUE_DAYS after filing)."
    )
    overdue: bool = strawberry.field(description="Still OPEN at or after `dueAt`.")
    decider: str = strawberry.field(
        description="Who decides it: `platform:<platform>` for the platform's own review "
        "strikes, `regulator:<agency>` for strikes from that agency's order."
    )
    decided_at: datetime | None
    decided_by: str | None
    decision_note: str | None

    @classmethod
    def from_domain(cls, appeal: domain.Appeal, now: datetime, period) -> Self:
        return cls(
            id=strawberry.ID(appeal.id),
            platform=appeal.platform,
            seller_id=strawberry.ID(appeal.seller_id),
            strike_id=strawberry.ID(appeal.strike_id),
            strike_source=appeal.strike_source,
            order_reference=appeal.order_reference,
            statement=appeal.statement,
            status=appeal.status,
            filed_at=appeal.filed_at,
            due_at=appeal.due_at(period),
            overdue=appeal.overdue(now, period),
            decider=appeal.decider,
            decided_at=appeal.decided_at,
            decided_by=appeal.decided_by,
            decision_note=appeal.decision_note,
        )


@strawberry.type
class AppealEdge:
    cursor: str
    node: Appeal


@strawberry.type(description="A page of a seller's appeals, newest first.")
class AppealConnection:
    edges: list[AppealEdge]
    page_info: PageInfo


def appeal_connection(context: RequestContext, page: AppealPage) -> AppealConnection:
    now, period = context.services.clock.now(), context.services.settings.appeal_overdue
    return AppealConnection(
        edges=[
            AppealEdge(cursor=cursor, node=Appeal.from_domain(appeal, now, period))
            for appeal, cursor in zip(page.items, page.cursors, strict=True)
        ],
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
    )


def _appeal(context: RequestContext, appeal: domain.Appeal) -> Appeal:
    return Appeal.from_domain(
        appeal, context.services.clock.now(), context.services.settings.appeal_overdue
    )


@strawberry.input
class FileAppealInput:
    platform: str
    seller_id: strawberry.ID
    strike_id: strawberry.ID
    statement: str = strawberry.field(description="The seller's grounds, up to 5,000 characters.")
    idempotency_key: str = strawberry.field(
        description="The platform's own key for this appeal: a retry with it changes nothing."
    )


@strawberry.input
class DecideAppealInput:
    appeal_id: strawberry.ID
    decision: AppealDecision
    note: str = strawberry.field(description="Why, up to 2,000 characters; audited.")


@strawberry.type
class AppealMutations:
    @strawberry.mutation(
        description="Files a seller's appeal of a strike (the seller's platform). Idempotent on "
        "idempotencyKey; one OPEN appeal per strike."
    )
    def file_appeal(self, info: Info[RequestContext, None], input: FileAppealInput) -> Appeal:
        context = info.context
        appeal = context.services.appeals.file_appeal(
            context.caller,
            input.platform,
            str(input.seller_id),
            str(input.strike_id),
            input.statement,
            input.idempotency_key,
        )
        return _appeal(context, appeal)

    @strawberry.mutation(
        description="Decides an appeal: the platform for its own review strikes, the issuing "
        "agency for strikes from its orders. REVOKED revokes the strike."
    )
    def decide_appeal(self, info: Info[RequestContext, None], input: DecideAppealInput) -> Appeal:
        context = info.context
        appeal = context.services.appeals.decide_appeal(
            context.caller, str(input.appeal_id), input.decision, input.note
        )
        return _appeal(context, appeal)
