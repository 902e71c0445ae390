"""Orders listed, withdrawn and disputed, and the warning ladder, on DynamoDB (moto): the
service with the real adapter and a recording strike ledger."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from saring.adapters.dynamodb.audit import audit_events
from saring.adapters.dynamodb.orders import DynamoDBOrderBook
from saring.domain.errors import BadUserInputError, ConflictError, ForbiddenError, NotFoundError
from saring.domain.notices import NoticeLevel
from saring.domain.orders import DisputeResolution, OrderStatus, TargetState
from saring.service.orders import (
    AcknowledgeTakedownInput,
    OrderService,
    ResolveDisputeInput,
    TargetInput,
    WithdrawTakedownInput,
)
from tests.functional import test_orders_dynamodb as base
from tests.functional.test_orders_dynamodb import (
    BLIBLI,
    LAZADA,
    MIXED,
    OTHER_AGENCY,
    REGULATOR,
    SHOPEE,
    RequestCounter,
    all_pages,
    ids,
    issue_orders,
    items,
    many,
    order_input,
    target_of,
    throttled_issue,
    throttled_service,
)

one_backup_per_transaction = base.one_backup_per_transaction  # moto's transactions, faster
# The same service on the real adapter as test_orders_dynamodb.py: its fixtures, not copies.
settings, book, strikes, service = base.settings, base.book, base.strikes, base.service

ST1, ST2, ST3 = NoticeLevel.ST1, NoticeLevel.ST2, NoticeLevel.ST3


# --- takedownOrders -----------------------------------------------------------------------------


@pytest.fixture
def issued(service, clock):
    """45 orders: komdigi's every fifth."""
    return issue_orders(service, clock, 45, komdigi_every=5)


def test_an_agency_lists_its_own_orders_newest_first_across_pages(service, issued, dynamodb):
    counter = RequestCounter(dynamodb)
    found, pages = all_pages(lambda **kw: service.takedown_orders(REGULATOR, **kw), first=7)
    expected = [o.id for o in reversed(issued) if o.agency == "kemendag"]
    assert found == expected and len(found) == 36 and pages == 6
    assert "Scan" not in counter.calls and "Query" in counter.calls
    other, _ = all_pages(lambda **kw: service.takedown_orders(OTHER_AGENCY, **kw), first=4)
    assert other == [o.id for o in reversed(issued) if o.agency == "komdigi"]
    # an agency asking for another agency's orders sees none, as takedownOrder says NOT_FOUND
    assert ids(service.takedown_orders(REGULATOR, agency="komdigi")) == []
    assert ids(service.takedown_orders(REGULATOR, agency="kemendag", first=3)) == expected[:3]


def test_a_platform_lists_the_orders_that_target_it_with_only_its_own_targets(service, issued):
    found, _ = all_pages(lambda **kw: service.takedown_orders(SHOPEE, **kw), first=8)
    expected = [o for o in reversed(issued) if any(t.platform == "shopee" for t in o.targets)]
    assert found == [o.id for o in expected]
    page = service.takedown_orders(SHOPEE, first=100)
    assert {t.platform for edge in page.edges for t in edge.node.targets} == {"shopee"}
    both = next(edge.node for edge in page.edges if edge.node.reference == "REF/002")
    assert [t.kind.value for t in both.targets] == ["SHOP"]
    # whoever issued them; narrowed by agency and by reference
    by_komdigi, _ = all_pages(lambda **kw: service.takedown_orders(SHOPEE, agency="komdigi", **kw), first=2)
    assert by_komdigi == [o.id for o in expected if o.agency == "komdigi"] and by_komdigi
    assert ids(service.takedown_orders(SHOPEE, reference="REF/003")) == [issued[3].id]
    assert ids(service.takedown_orders(SHOPEE, reference="REF/001")) == []  # lazada only
    assert ids(service.takedown_orders(BLIBLI)) == []


def test_reference_and_status_filters(service, issued, clock):
    assert ids(service.takedown_orders(REGULATOR, reference="REF/010")) == [issued[10].id]
    assert ids(service.takedown_orders(REGULATOR, reference="REF/004")) == []  # komdigi's
    assert ids(service.takedown_orders(OTHER_AGENCY, reference="REF/004")) == [issued[4].id]
    withdrawn = [issued[n] for n in (1, 13, 30, 31, 43)]
    for order in withdrawn:
        service.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order.id, "issued in error"))
    found, _ = all_pages(lambda **kw: service.takedown_orders(REGULATOR, status="WITHDRAWN", **kw), first=2)
    assert found == [o.id for o in reversed(withdrawn)]
    issued_only, _ = all_pages(lambda **kw: service.takedown_orders(REGULATOR, status=OrderStatus.ISSUED, **kw), first=10)
    assert len(issued_only) == 36 - 5 and not set(issued_only) & {o.id for o in withdrawn}
    mine = service.takedown_orders(REGULATOR, reference="REF/013", status="WITHDRAWN").edges
    assert [e.node.status for e in mine] == [OrderStatus.WITHDRAWN]
    assert service.takedown_orders(REGULATOR, reference="REF/013", status="ISSUED").edges == []


def test_bad_arguments_and_foreign_cursors_are_refused(service, issued):
    page = service.takedown_orders(REGULATOR, first=2)
    for bad in ({"first": 0}, {"first": 101}, {"status": "GONE"}, {"after": "not-a-cursor"},
                {"reference": ""}, {"agency": " "}):
        with pytest.raises(BadUserInputError) as error:
            service.takedown_orders(REGULATOR, **bad)
        assert error.value.field in {"first", "status", "after", "reference", "agency"}
    with pytest.raises(BadUserInputError):  # a cursor of another listing
        service.takedown_orders(SHOPEE, after=page.end_cursor)
    with pytest.raises(BadUserInputError):
        service.takedown_orders(REGULATOR, status="ISSUED", after=page.end_cursor)


def test_an_interrupted_order_is_listed_for_its_agency_only(dynamodb, table_name, settings, strikes, clock):
    service, order_id = throttled_issue(dynamodb, table_name, settings, strikes, clock)
    listed = service.takedown_orders(REGULATOR).edges
    assert [(e.node.id, e.node.status) for e in listed] == [(order_id, OrderStatus.ISSUING)]
    assert service.takedown_orders(SHOPEE).edges == []
    assert ids(service.takedown_orders(REGULATOR, status="ISSUING")) == [order_id]


# --- withdrawTakedown ---------------------------------------------------------------------------


def test_withdrawal_ends_every_target_and_revokes_the_orders_strikes(service, book, strikes, dynamodb, table_name, clock):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    removed = target_of(order, "shopee", "LISTING")
    disputed = target_of(order, "lazada", "LISTING")
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(removed.id, "REMOVED"))
    service.acknowledge_takedown(LAZADA, AcknowledgeTakedownInput(disputed.id, "DISPUTED", "not clothing"))
    assert book.active_order_references("shopee", "L-1", "s-1", None) == ["KEMENDAG/TD/2026/0001"]
    clock.advance(hours=2)

    withdrawn = service.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order.id, "issued in error"))

    assert withdrawn.status is OrderStatus.WITHDRAWN
    assert (withdrawn.withdrawn_at, withdrawn.withdraw_reason) == (clock.now(), "issued in error")
    states = {t.id: t.state for t in withdrawn.targets}
    assert states[removed.id] is TargetState.REMOVED
    assert states[disputed.id] is TargetState.WITHDRAWN
    assert sum(s is TargetState.WITHDRAWN for s in states.values()) == 4
    assert all(t.order_withdrawn for t in withdrawn.targets)
    # ACTIVE_ORDER stops applying: no match for the removed listing, the URL or the shop
    assert book.active_order_references("shopee", "L-1", "s-1", None) == []
    assert book.active_order_references("shopee", "x", "s-9", "https://shopee.co.id/jaket-korea-i.9.77") == []
    # the removed target's strike is revoked with the reason
    assert strikes.revoked == {removed.id: {"reason": "issued in error", "revoked_by": "regulator:kemendag"}}
    assert [e.action for e in audit_events(dynamodb, table_name, f"order:{order.id}")].count("TAKEDOWN_WITHDRAWN") == 1
    # listed under WITHDRAWN for the platforms, never overdue, no longer pending
    assert {e.node.id for e in service.takedown_targets(LAZADA, state="WITHDRAWN").edges} == {
        t.id for t in order.targets if t.platform == "lazada"
    }
    assert service.takedown_targets(SHOPEE, state="PENDING").edges == []

    # idempotent: the same again (any reason) changes nothing
    before = items(dynamodb, table_name)
    clock.advance(hours=1)
    again = service.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order.id, "another reason"))
    assert again == withdrawn
    assert items(dynamodb, table_name) == before


def test_only_the_issuing_agency_withdraws(service):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    with pytest.raises(NotFoundError):
        service.withdraw_takedown(OTHER_AGENCY, WithdrawTakedownInput(order.id, "mine?"))
    with pytest.raises(ForbiddenError):
        service.withdraw_takedown(SHOPEE, WithdrawTakedownInput(order.id, "please"))
    with pytest.raises(NotFoundError):
        service.withdraw_takedown(REGULATOR, WithdrawTakedownInput("f" * 32, "unknown"))
    with pytest.raises(BadUserInputError) as error:
        service.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order.id, "  "))
    assert error.value.field == "reason"
    assert service.takedown_order(REGULATOR, order.id).status is OrderStatus.ISSUED


def test_no_acknowledgement_after_the_withdrawal(service):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    service.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order.id, "withdrawn"))
    with pytest.raises(ConflictError) as error:
        service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(target_of(order, "shopee", "LISTING").id, "REMOVED"))
    assert "withdrawn" in error.value.message


def test_an_interrupted_withdrawal_is_completed_by_the_retry(service, dynamodb, table_name, settings, strikes, clock):
    order = service.issue_takedown(REGULATOR, order_input(*many(120)))
    # the header is set WITHDRAWN (transaction 1), then the second batch of targets fails
    failing = throttled_service(dynamodb, table_name, settings, strikes, clock, throttle_on=3)
    with pytest.raises(ClientError):
        failing.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order.id, "error"))
    half = service.takedown_order(REGULATOR, order.id)
    assert half.status is OrderStatus.WITHDRAWN
    assert 0 < sum(t.state is TargetState.WITHDRAWN for t in half.targets) < 120
    done = service.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order.id, "error"))
    assert all(t.state is TargetState.WITHDRAWN and t.order_withdrawn for t in done.targets)
    assert [e.action for e in audit_events(dynamodb, table_name, f"order:{order.id}")].count("TAKEDOWN_WITHDRAWN") == 1


def test_an_interrupted_withdrawal_nobody_retries_is_settled_by_the_sweep(service, book, dynamodb, table_name, settings, strikes, clock):
    order = service.issue_takedown(REGULATOR, order_input(*many(120)))
    failing = throttled_service(dynamodb, table_name, settings, strikes, clock, throttle_on=3)
    with pytest.raises(ClientError):
        failing.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order.id, "error"))
    clock.advance(days=2)
    # meanwhile no notice for the order's targets still pending: the order is not ISSUED
    assert service.issue_notices() == []
    assert service.sweep_interrupted_withdrawals() == [order.id]
    settled = service.takedown_order(REGULATOR, order.id)
    assert all(t.state is TargetState.WITHDRAWN and t.order_withdrawn for t in settled.targets)
    assert book.active_order_references("shopee", "v-0", "x", None) == []
    assert service.sweep_interrupted_withdrawals() == []  # off the WITHDRAWING partition
    header = dynamodb.get_item(TableName=table_name, Key={"pk": {"S": f"ORDER#{order.id}"}, "sk": {"S": "ORDER"}})
    assert "gsi1pk" not in header["Item"]


def test_a_withdrawal_just_made_is_not_swept(service, clock):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    service.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order.id, "error"))
    clock.advance(days=1)
    assert service.sweep_interrupted_withdrawals() == []


def test_withdrawing_an_order_still_issuing_completes_it_first(dynamodb, table_name, settings, strikes, clock):
    service, order_id = throttled_issue(dynamodb, table_name, settings, strikes, clock)
    withdrawn = service.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order_id, "error"))
    assert withdrawn.status is OrderStatus.WITHDRAWN and len(withdrawn.targets) == 120
    assert all(t.state is TargetState.WITHDRAWN for t in withdrawn.targets)
    clock.advance(hours=1)
    assert service.sweep_interrupted_orders() == []  # nothing left for the sweep to write


# --- resolveDispute -----------------------------------------------------------------------------


@pytest.fixture
def dispute(service, clock):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED, urgency="URGENT"))
    target = target_of(order, "shopee", "LISTING")
    clock.advance(hours=1)
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(target.id, "DISPUTED", "this is new stock"))
    clock.advance(hours=2)
    return order, target


def test_upheld_sends_the_target_back_to_pending_with_a_new_deadline(service, book, dispute, clock, dynamodb, table_name):
    order, target = dispute
    assert book.active_order_references("shopee", "L-1", "s-1", None) == []
    resolved = service.resolve_dispute(REGULATOR, ResolveDisputeInput(target.id, "UPHELD", "photos show used jackets"))
    assert resolved.state is TargetState.PENDING
    assert resolved.deadline == clock.now() + timedelta(hours=4)  # the order is URGENT
    assert (resolved.resolution, resolved.resolution_note) == (DisputeResolution.UPHELD, "photos show used jackets")
    assert resolved.note == "this is new stock" and resolved.resolved_at is None
    assert book.active_order_references("shopee", "L-1", "s-1", None) == [order.reference]
    pending = service.takedown_targets(SHOPEE, state="PENDING").edges
    assert target.id in [e.node.id for e in pending]
    assert service.takedown_order(SHOPEE, order.id).targets[0] == resolved
    assert "TAKEDOWN_DISPUTE_RESOLVED" in [e.action for e in audit_events(dynamodb, table_name, f"order:{order.id}")]
    # the same answer again: unchanged; another answer: CONFLICT
    clock.advance(minutes=5)
    assert service.resolve_dispute(REGULATOR, ResolveDisputeInput(target.id, "UPHELD", "photos show used jackets")) == resolved
    with pytest.raises(ConflictError) as error:
        service.resolve_dispute(REGULATOR, ResolveDisputeInput(target.id, "WITHDRAWN", "changed my mind"))
    assert error.value.field == "targetId"
    # the platform may answer again, now removing it
    removed = service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(target.id, "REMOVED"))
    assert removed.state is TargetState.REMOVED and not removed.late


def test_withdrawn_closes_the_disputed_target(service, book, dispute, clock):
    order, target = dispute
    resolved = service.resolve_dispute(REGULATOR, ResolveDisputeInput(target.id, DisputeResolution.WITHDRAWN, "agreed"))
    assert (resolved.state, resolved.resolved_at) == (TargetState.WITHDRAWN, clock.now())
    assert book.active_order_references("shopee", "L-1", "s-1", None) == []
    report = service.compliance(REGULATOR, "shopee", clock.now() - timedelta(days=1), clock.now())
    assert (report.withdrawn, report.disputed) == (1, 0)


def test_only_a_disputed_target_of_ones_own_order_is_resolved(service, dispute):
    order, target = dispute
    pending = target_of(order, "shopee", "URL")
    with pytest.raises(ConflictError) as error:
        service.resolve_dispute(REGULATOR, ResolveDisputeInput(pending.id, "UPHELD", "n"))
    assert "PENDING" in error.value.message and error.value.field == "targetId"
    with pytest.raises(NotFoundError):
        service.resolve_dispute(OTHER_AGENCY, ResolveDisputeInput(target.id, "UPHELD", "n"))
    with pytest.raises(NotFoundError):
        service.resolve_dispute(REGULATOR, ResolveDisputeInput("nonsense", "UPHELD", "n"))
    with pytest.raises(ForbiddenError):
        service.resolve_dispute(SHOPEE, ResolveDisputeInput(target.id, "UPHELD", "n"))
    with pytest.raises(BadUserInputError) as error:
        service.resolve_dispute(REGULATOR, ResolveDisputeInput(target.id, "MAYBE", "n"))
    assert error.value.field == "resolution"
    with pytest.raises(BadUserInputError) as error:
        service.resolve_dispute(REGULATOR, ResolveDisputeInput(target.id, "UPHELD", ""))
    assert error.value.field == "note"
    service.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order.id, "withdrawn"))
    with pytest.raises(ConflictError):  # the withdrawal closed the dispute
        service.resolve_dispute(REGULATOR, ResolveDisputeInput(target.id, "UPHELD", "n"))


def test_reissuing_a_reference_with_other_content_names_the_existing_order(service):
    first = service.issue_takedown(REGULATOR, order_input(*MIXED))
    with pytest.raises(ConflictError) as error:
        service.issue_takedown(REGULATOR, order_input(*MIXED, reason="other"))
    assert error.value.extensions == {"orderId": first.id}


# --- the warning ladder -------------------------------------------------------------------------


def levels(service, order_id) -> dict[str, list[NoticeLevel]]:
    return {t.id: [n.level for n in t.notices] for t in service.takedown_order(REGULATOR, order_id).targets}


def test_the_ladder_climbs_st1_st2_st3_then_stops(service, dynamodb, table_name, clock):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    acknowledged = target_of(order, "lazada", "LISTING")
    service.acknowledge_takedown(LAZADA, AcknowledgeTakedownInput(acknowledged.id, "NOT_FOUND"))
    assert service.issue_notices() == []  # nothing is overdue yet
    clock.advance(hours=24, seconds=1)
    first = service.issue_notices()
    assert sorted((t.id, n.level) for t, n in first) == sorted((t.id, ST1) for t in order.targets if t.id != acknowledged.id)
    assert service.issue_notices() == []  # at once again: nothing
    clock.advance(hours=24)
    assert service.issue_notices() == []  # 24 h after ST1 exactly: not yet
    clock.advance(seconds=1)
    assert {n.level for _, n in service.issue_notices()} == {ST2}
    clock.advance(hours=24, seconds=1)
    assert {n.level for _, n in service.issue_notices()} == {ST3}
    clock.advance(days=30)
    assert service.issue_notices() == []
    assert levels(service, order.id) == {
        t.id: [] if t.id == acknowledged.id else [ST1, ST2, ST3] for t in order.targets
    }
    notices = [i for i in items(dynamodb, table_name) if i.get("entity", {}).get("S") == "NOTICE"]
    assert len(notices) == 4 * 3
    report = service.compliance(REGULATOR, "shopee", clock.now() - timedelta(days=60), clock.now())
    assert (report.notices_st1, report.notices_st2, report.notices_st3) == (3, 3, 3)
    assert service.compliance(SHOPEE, "shopee", clock.now() - timedelta(days=60), clock.now()) == report
    platform_view = service.takedown_order(SHOPEE, order.id).targets[0]
    assert [n.level for n in platform_view.notices] == [ST1, ST2, ST3]


def test_acknowledged_withdrawn_and_unissued_targets_earn_no_notice(dynamodb, table_name, settings, strikes, clock):
    service, issuing = throttled_issue(dynamodb, table_name, settings, strikes, clock)  # gated
    order = service.issue_takedown(REGULATOR, order_input(*MIXED, reference="REF/W"))
    service.withdraw_takedown(REGULATOR, WithdrawTakedownInput(order.id, "error"))
    clock.advance(days=3)
    assert service.issue_notices() == []


def test_concurrent_runs_issue_each_notice_once(dynamodb, table_name, settings, strikes, clock):
    service = OrderService(DynamoDBOrderBook(dynamodb, table_name, settings), strikes, clock, settings)
    order = service.issue_takedown(REGULATOR, order_input(*many(12)))
    clock.advance(hours=25)
    results: list[list] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(service.issue_notices())
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    issued = [t.id for result in results for t, _ in result]
    assert sorted(issued) == sorted(t.id for t in order.targets)  # each once, whoever won
    assert all(len(v) == 1 for v in levels(service, order.id).values())


def test_a_run_stopped_midway_loses_nothing(service, dynamodb, table_name, settings, strikes, clock):
    order = service.issue_takedown(REGULATOR, order_input(*many(6)))
    clock.advance(hours=25)
    stopped = throttled_service(dynamodb, table_name, settings, strikes, clock, throttle_on=3)
    with pytest.raises(ClientError):
        stopped.issue_notices()
    assert sum(len(v) for v in levels(service, order.id).values()) == 2
    clock.advance(minutes=15)
    assert len(service.issue_notices()) == 4
    assert all(v == [ST1] for v in levels(service, order.id).values())
    notices = [i for i in items(dynamodb, table_name) if i.get("entity", {}).get("S") == "NOTICE"]
    assert len(notices) == 6


def test_an_upheld_dispute_waits_for_its_new_deadline(service, clock):
    order = service.issue_takedown(REGULATOR, order_input(TargetInput("shopee", "LISTING", "L-1", "s-1")))
    (target,) = order.targets
    clock.advance(hours=25)
    assert [n.level for _, n in service.issue_notices()] == [ST1]
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(target.id, "DISPUTED", "wrong listing"))
    clock.advance(hours=30)
    assert service.issue_notices() == []  # disputed: the ladder waits
    service.resolve_dispute(REGULATOR, ResolveDisputeInput(target.id, "UPHELD", "it is the listing"))
    clock.advance(hours=23)
    assert service.issue_notices() == []  # ST1 was long ago, but the new deadline is not past
    clock.advance(hours=1, seconds=1)
    assert [n.level for _, n in service.issue_notices()] == [ST2]


def test_notices_issued_are_counted_per_platform_and_level(book, strikes, clock, settings):
    from tests.fakes import RecordingMetrics

    metrics = RecordingMetrics()
    service = OrderService(book, strikes, clock, settings, metrics=metrics)
    service.issue_takedown(REGULATOR, order_input(*MIXED))
    clock.advance(hours=25)
    service.issue_notices()
    assert (metrics.of("NoticesIssued", platform="shopee", level="ST1"),
            metrics.of("NoticesIssued", platform="lazada", level="ST1")) == (3, 2)
    service.issue_notices()  # nothing more: nothing counted
    assert metrics.of("NoticesIssued", platform="shopee", level="ST1") == 3
    assert metrics.of("NoticesIssued", platform="shopee", level="ST2") == 0
