"""The OrderBook contract, run on both books: tests.fakes.MemoryOrderBook (which unit tests use)
and DynamoDBOrderBook on moto. The same workflows through OrderService (listing, withdrawal,
dispute resolution, the warning ladder, reissue conflicts) must give the same answers, so the
fake cannot drift from the adapter the API runs. DynamoDB-only properties (requests made, items
written, interrupted writes) stay in test_order_workflows.py and test_orders_dynamodb.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from saring.adapters.dynamodb.orders import DynamoDBOrderBook
from saring.domain.errors import BadUserInputError, ConflictError, NotFoundError
from saring.domain.notices import NoticeLevel
from saring.domain.orders import DisputeResolution, OrderStatus, TargetState
from saring.service.orders import (
    AcknowledgeTakedownInput,
    ResolveDisputeInput,
    WithdrawTakedownInput,
)
from tests.fakes import MemoryOrderBook
from tests.functional import test_orders_dynamodb as base
from tests.functional.test_orders_dynamodb import (
    LAZADA,
    MIXED,
    OTHER_AGENCY,
    REGULATOR,
    SHOPEE,
    all_pages,
    ids,
    issue_orders,
    order_input,
    target_of,
)

one_backup_per_transaction = base.one_backup_per_transaction  # moto's transactions, faster
# test_orders_dynamodb.py's settings, strikes and service, over either book below.
settings, strikes, service = base.settings, base.strikes, base.service
ST1, ST2, ST3 = NoticeLevel.ST1, NoticeLevel.ST2, NoticeLevel.ST3


@pytest.fixture(params=["memory", "dynamodb"])
def book(request, table_name, settings):
    if request.param == "memory":
        return MemoryOrderBook(settings)
    return DynamoDBOrderBook(request.getfixturevalue("dynamodb"), table_name, settings)


def every_page(list_page, first: int) -> list[str]:
    return all_pages(list_page, first)[0]


@pytest.fixture
def issued(service, clock):
    """12 orders: komdigi's every fourth."""
    return issue_orders(service, clock, 12, komdigi_every=4)


def test_listing_newest_first_in_pages_with_filters(service, issued):
    mine = [o.id for o in reversed(issued) if o.agency == "kemendag"]
    assert every_page(lambda **kw: service.takedown_orders(REGULATOR, **kw), first=4) == mine
    assert every_page(lambda **kw: service.takedown_orders(OTHER_AGENCY, **kw), first=2) == [
        o.id for o in reversed(issued) if o.agency == "komdigi"
    ]
    on_shopee = [o for o in reversed(issued) if any(t.platform == "shopee" for t in o.targets)]
    assert every_page(lambda **kw: service.takedown_orders(SHOPEE, **kw), first=3) == [o.id for o in on_shopee]
    page = service.takedown_orders(SHOPEE, first=100)
    assert {t.platform for edge in page.edges for t in edge.node.targets} == {"shopee"}
    assert ids(service.takedown_orders(SHOPEE, agency="komdigi", first=100)) == [
        o.id for o in on_shopee if o.agency == "komdigi"
    ]
    assert ids(service.takedown_orders(SHOPEE, reference="REF/002")) == [issued[2].id]
    assert ids(service.takedown_orders(SHOPEE, reference="REF/001")) == []  # lazada only
    assert ids(service.takedown_orders(REGULATOR, reference="REF/003")) == []  # komdigi's


def test_a_cursor_of_another_listing_is_refused(service, issued):
    page = service.takedown_orders(REGULATOR, first=2)
    for other in ({"principal": SHOPEE}, {"principal": REGULATOR, "status": "ISSUED"}):
        principal = other.pop("principal")
        with pytest.raises(BadUserInputError) as error:
            service.takedown_orders(principal, after=page.end_cursor, **other)
        assert error.value.field == "after"


def test_withdrawal_ends_pending_targets_keeps_answers_and_revokes_strikes(service, book, strikes, clock):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    removed = target_of(order, "shopee", "LISTING")
    disputed = target_of(order, "lazada", "LISTING")
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(removed.id, "REMOVED"))
    service.acknowledge_takedown(LAZADA, AcknowledgeTakedownInput(disputed.id, "DISPUTED", "not clothing"))
    assert book.active_order_references("shopee", "L-1", "s-1", None) == [order.reference]
    clock.advance(hours=2)
    with pytest.raises(NotFoundError):
        service.withdraw_takedown(OTHER_AGENCY, WithdrawTakedownInput(order.id, "mine?"))

    withdrawn = service.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order.id, "issued in error"))

    assert withdrawn.status is OrderStatus.WITHDRAWN
    assert (withdrawn.withdrawn_at, withdrawn.withdraw_reason) == (clock.now(), "issued in error")
    states = {t.id: t.state for t in withdrawn.targets}
    assert states[removed.id] is TargetState.REMOVED
    assert sum(s is TargetState.WITHDRAWN for s in states.values()) == 4
    assert all(t.order_withdrawn for t in withdrawn.targets)
    assert book.active_order_references("shopee", "L-1", "s-1", None) == []
    assert strikes.revoked == {removed.id: {"reason": "issued in error", "revoked_by": "regulator:kemendag"}}
    clock.advance(hours=1)
    again = service.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order.id, "another reason"))
    assert again == withdrawn  # the first reason and time stay
    with pytest.raises(ConflictError):
        service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(target_of(order, "shopee", "SHOP").id, "REMOVED"))
    assert ids(service.takedown_orders(REGULATOR, status="WITHDRAWN")) == [order.id]


@pytest.fixture
def dispute(service, clock):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED, urgency="URGENT"))
    target = target_of(order, "shopee", "LISTING")
    clock.advance(hours=1)
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(target.id, "DISPUTED", "this is new stock"))
    clock.advance(hours=2)
    return order, target


def test_upheld_reopens_the_target_with_the_orders_deadline_delay(service, book, dispute, clock):
    order, target = dispute
    resolved = service.resolve_dispute(REGULATOR, ResolveDisputeInput(target.id, "UPHELD", "photos show used jackets"))
    assert resolved.state is TargetState.PENDING
    assert resolved.deadline == clock.now() + timedelta(hours=4)  # the order is URGENT
    assert (resolved.resolution, resolved.note) == (DisputeResolution.UPHELD, "this is new stock")
    assert book.active_order_references("shopee", "L-1", "s-1", None) == [order.reference]
    clock.advance(minutes=5)
    assert service.resolve_dispute(REGULATOR, ResolveDisputeInput(target.id, "UPHELD", "photos show used jackets")) == resolved
    with pytest.raises(ConflictError) as error:
        service.resolve_dispute(REGULATOR, ResolveDisputeInput(target.id, "WITHDRAWN", "changed my mind"))
    assert error.value.field == "targetId"


def test_withdrawn_closes_the_dispute_and_only_the_issuer_resolves(service, book, dispute, clock):
    order, target = dispute
    with pytest.raises(NotFoundError):
        service.resolve_dispute(OTHER_AGENCY, ResolveDisputeInput(target.id, "UPHELD", "n"))
    with pytest.raises(ConflictError) as error:
        service.resolve_dispute(REGULATOR, ResolveDisputeInput(target_of(order, "shopee", "URL").id, "UPHELD", "n"))
    assert "PENDING" in error.value.message
    resolved = service.resolve_dispute(REGULATOR, ResolveDisputeInput(target.id, "WITHDRAWN", "agreed"))
    assert (resolved.state, resolved.resolved_at) == (TargetState.WITHDRAWN, clock.now())
    report = service.compliance(REGULATOR, "shopee", clock.now() - timedelta(days=1), clock.now())
    assert (report.withdrawn, report.disputed) == (1, 0)


def test_the_ladder_climbs_st1_st2_st3_then_stops(service, clock):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    answered = target_of(order, "lazada", "LISTING")
    service.acknowledge_takedown(LAZADA, AcknowledgeTakedownInput(answered.id, "NOT_FOUND"))
    assert service.issue_notices() == []
    clock.advance(hours=24, seconds=1)
    first = service.issue_notices()
    assert sorted((t.id, n.level) for t, n in first) == sorted(
        (t.id, ST1) for t in order.targets if t.id != answered.id
    )
    assert service.issue_notices() == []
    clock.advance(hours=24)
    assert service.issue_notices() == []  # 24 h after ST1 exactly: not yet
    clock.advance(seconds=1)
    assert {n.level for _, n in service.issue_notices()} == {ST2}
    clock.advance(hours=24, seconds=1)
    assert {n.level for _, n in service.issue_notices()} == {ST3}
    clock.advance(days=30)
    assert service.issue_notices() == []
    report = service.compliance(REGULATOR, "shopee", clock.now() - timedelta(days=60), clock.now())
    assert (report.notices_st1, report.notices_st2, report.notices_st3) == (3, 3, 3)


def test_a_withdrawn_order_earns_no_notice(service, clock):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    service.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order.id, "error"))
    clock.advance(days=3)
    assert service.issue_notices() == []


def test_reissuing_a_reference_with_other_content_names_the_existing_order(service):
    first = service.issue_takedown(REGULATOR, order_input(*MIXED))
    assert service.issue_takedown(REGULATOR, order_input(*MIXED)).id == first.id
    with pytest.raises(ConflictError) as error:
        service.issue_takedown(REGULATOR, order_input(*MIXED, reason="other"))
    assert error.value.extensions == {"orderId": first.id}
