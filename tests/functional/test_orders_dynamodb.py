"""Takedown orders on DynamoDB (moto): the service with the real adapter and a fake ledger."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from saring.adapters.dynamodb import keys
from saring.adapters.dynamodb.audit import audit_events
from saring.adapters.dynamodb.orders import (
    DynamoDBOrderBook,
    match_keys,
    order_references_from_items,
)
from saring.domain.errors import BadUserInputError, ConflictError, ForbiddenError, NotFoundError
from saring.domain.orders import OrderStatus, TargetState, Urgency
from saring.domain.principals import Principal, Role
from saring.service.orders import (
    AcknowledgeTakedownInput,
    IssueTakedownInput,
    OrderService,
    TargetInput,
)
from saring.settings import Settings
from tests.fakes import RecordingStrikeRecorder

REGULATOR = Principal(Role.REGULATOR, "kemendag-ops", agency="kemendag")
OTHER_AGENCY = Principal(Role.REGULATOR, "komdigi-ops", agency="komdigi")
SHOPEE = Principal(Role.PLATFORM, "shopee-key", platform="shopee")
LAZADA = Principal(Role.PLATFORM, "lazada-key", platform="lazada")
BLIBLI = Principal(Role.PLATFORM, "blibli-key", platform="blibli")


@pytest.fixture(autouse=True)
def one_backup_per_transaction(monkeypatch):
    """moto (5.x) deep-copies the whole table once per action of a TransactWriteItems, before
    running any of them, to roll back on failure: 100 copies of the same state. Issuing 500
    targets then takes minutes. Copy each table once per transaction instead: the same backup."""
    import copy

    from moto.dynamodb import models

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        copies: dict[int, Any] = {}

        def deepcopy(value, memo=None):
            if isinstance(value, models.Table):
                if id(value) not in copies:
                    copies[id(value)] = copy.deepcopy(value, memo)
                return copies[id(value)]
            return copy.deepcopy(value, memo)

        monkeypatch.setattr(models, "copy", type("copy", (), {"deepcopy": staticmethod(deepcopy)}))
        try:
            return original(self, transact_items)
        finally:
            monkeypatch.setattr(models, "copy", copy)

    monkeypatch.setattr(models.DynamoDBBackend, "transact_write_items", transact_write_items)


@pytest.fixture
def settings(table_name) -> Settings:
    return Settings(table_name=table_name)


@pytest.fixture
def book(dynamodb, table_name, settings) -> DynamoDBOrderBook:
    return DynamoDBOrderBook(dynamodb, table_name, settings)


@pytest.fixture
def strikes() -> RecordingStrikeRecorder:
    return RecordingStrikeRecorder()


@pytest.fixture
def service(book, strikes, clock, settings) -> OrderService:
    return OrderService(book, strikes, clock, settings)


def items(client, table_name) -> list[dict[str, Any]]:
    """Every item (a test-only Scan), in a stable order, to prove that nothing was written."""
    found: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": table_name}
    while True:
        response = client.scan(**request)
        found.extend(response["Items"])
        if "LastEvaluatedKey" not in response:
            return sorted(found, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def order_input(*targets: TargetInput, reference: str = "KEMENDAG/TD/2026/0001",
                urgency: str = "STANDARD", reason: str = "Imported used clothing, HS 6309") -> IssueTakedownInput:
    return IssueTakedownInput(
        reference=reference,
        legal_basis="Permendag 18/2021 jo. 40/2022; UU 7/2014 art. 47",
        reason=reason,
        urgency=urgency,
        targets=targets or (TargetInput("shopee", "LISTING", "L-1", "s-1"),),
    )


MIXED = (
    TargetInput("shopee", "LISTING", "L-1", "s-1"),
    TargetInput("shopee", "URL", "https://shopee.co.id/jaket-korea-i.9.77?utm_source=wa"),
    TargetInput("shopee", "SHOP", "s-9"),
    TargetInput("lazada", "ACCOUNT", "lz-3"),
    TargetInput("lazada", "LISTING", "LZ-1"),
)


def target_of(order, platform: str, kind: str):
    return next(t for t in order.targets if t.platform == platform and t.kind.value == kind)


def ids(page) -> list[str]:
    return [edge.node.id for edge in page.edges]


def all_pages(list_page, first: int) -> tuple[list[str], int]:
    """Every order id, page after page; and how many pages it took."""
    found, after, pages = [], None, 0
    while True:
        page = list_page(first=first, after=after)
        pages += 1
        found += ids(page)
        if not page.has_next_page:
            return found, pages
        after = page.end_cursor


def issue_orders(service, clock, count: int, komdigi_every: int) -> list:
    """`count` orders a minute apart: kemendag's on shopee, lazada or both; komdigi's every
    `komdigi_every`-th."""
    orders = []
    for n in range(count):
        clock.advance(minutes=1)
        agency = OTHER_AGENCY if n % komdigi_every == komdigi_every - 1 else REGULATOR
        targets = {
            0: (TargetInput("shopee", "LISTING", f"L-{n}", "s-1"),),
            1: (TargetInput("lazada", "LISTING", f"LZ-{n}"),),
            2: (TargetInput("shopee", "SHOP", f"s-{n}"), TargetInput("lazada", "ACCOUNT", f"lz-{n}")),
        }[n % 3]
        orders.append(service.issue_takedown(agency, order_input(*targets, reference=f"REF/{n:03d}")))
    return orders


class RequestCounter:
    def __init__(self, client) -> None:
        self.calls: list[str] = []
        client.meta.events.register("before-call.dynamodb", self._count)

    def _count(self, model, **_: Any) -> None:
        self.calls.append(model.name)


# --- issue --------------------------------------------------------------------------------------


def test_issue_stores_the_order_with_its_audit_event(service, dynamodb, table_name, clock):
    # GIVEN a regulator  WHEN it issues an urgent order with five targets on two platforms
    order = service.issue_takedown(REGULATOR, order_input(*MIXED, urgency="URGENT"))
    # THEN the order is stored as issued, deadline 4 h later
    assert order.urgency is Urgency.URGENT and order.agency == "kemendag"
    assert order.deadline == clock.now() + timedelta(hours=4)
    assert service.takedown_order(REGULATOR, order.id) == order
    assert target_of(order, "shopee", "URL").value == "https://shopee.co.id/jaket-korea-i.9.77"
    assert target_of(order, "shopee", "SHOP").seller_id == "s-9"
    events = audit_events(dynamodb, table_name, f"order:{order.id}")
    assert [(e.action, e.actor) for e in events] == [("TAKEDOWN_ISSUED", "regulator:kemendag")]
    header = dynamodb.get_item(TableName=table_name, Key={"pk": {"S": f"ORDER#{order.id}"}, "sk": {"S": "ORDER"}})
    assert header["Item"]["status"]["S"] == "ISSUED"


def test_small_order_is_one_transaction(service, dynamodb):
    counter = RequestCounter(dynamodb)
    service.issue_takedown(REGULATOR, order_input(*MIXED))
    assert counter.calls == ["TransactWriteItems"]


def test_retry_returns_the_first_order_and_writes_nothing(service, dynamodb, table_name, clock):
    first = service.issue_takedown(REGULATOR, order_input(*MIXED))
    before = items(dynamodb, table_name)
    clock.advance(minutes=5)
    # the same content, the URL written differently
    respelled = tuple(
        TargetInput(t.platform, t.kind, "HTTPS://SHOPEE.co.id:443/jaket-korea-i.9.77#x", t.seller_id)
        if t.kind == "URL" else t
        for t in MIXED
    )
    again = service.issue_takedown(REGULATOR, order_input(*respelled))
    assert again == first
    assert items(dynamodb, table_name) == before


def test_same_reference_other_content_is_conflict(service, dynamodb, table_name):
    service.issue_takedown(REGULATOR, order_input(*MIXED))
    before = items(dynamodb, table_name)
    with pytest.raises(ConflictError) as raised:
        service.issue_takedown(REGULATOR, order_input(*MIXED, reason="Something else"))
    assert raised.value.code == "CONFLICT"
    assert items(dynamodb, table_name) == before


def test_references_are_per_agency(service):
    a = service.issue_takedown(REGULATOR, order_input(*MIXED))
    b = service.issue_takedown(OTHER_AGENCY, order_input(*MIXED))
    assert a.id != b.id and b.agency == "komdigi"


def many(n: int, platform: str = "shopee") -> tuple[TargetInput, ...]:
    kinds = ("LISTING", "URL", "SHOP", "ACCOUNT")
    out = []
    for i in range(n):
        kind = kinds[i % 4]
        value = f"https://{platform}.co.id/p/{i}" if kind == "URL" else f"v-{i}"
        out.append(TargetInput(platform, kind, value))
    return tuple(out)


def test_five_hundred_targets(service, book, dynamodb, table_name):
    counter = RequestCounter(dynamodb)
    order = service.issue_takedown(REGULATOR, order_input(*many(500)))
    assert len(order.targets) == 500 and len({t.id for t in order.targets}) == 500
    assert counter.calls == ["TransactWriteItems"] * 11
    stored = service.takedown_order(REGULATOR, order.id)
    assert stored == order
    everything = items(dynamodb, table_name)
    assert sum(1 for i in everything if i.get("entity", {}).get("S") == "TARGET") == 500
    assert sum(1 for i in everything if i["sk"]["S"] == "MATCH") == 500
    assert book.active_order_references("shopee", "v-0", "nobody", None) == [order.reference]


class CrashingClient:
    """Passes calls to the real client; the n-th TransactWriteItems raises as a crash would."""

    def __init__(self, client, crash_on: int) -> None:
        self._client = client
        self._crash_on = crash_on
        self.transactions = 0

    def transact_write_items(self, **kwargs):
        self.transactions += 1
        if self.transactions == self._crash_on:
            raise SystemExit("Lambda timed out")  # not an Exception: nothing may catch it
        return self._client.transact_write_items(**kwargs)

    def __getattr__(self, name):
        return getattr(self._client, name)


def test_interrupted_issue_is_completed_by_the_retry(dynamodb, table_name, settings, strikes, clock):
    # 180 targets take four transactions; the third one never happens
    crashing = OrderService(DynamoDBOrderBook(CrashingClient(dynamodb, crash_on=3), table_name, settings),
                            strikes, clock, settings)
    with pytest.raises(SystemExit):
        crashing.issue_takedown(REGULATOR, order_input(*many(180)))
    service = OrderService(DynamoDBOrderBook(dynamodb, table_name, settings), strikes, clock, settings)
    # two of four transactions written, yet no listing shows any of it
    assert service.takedown_targets(REGULATOR, first=100, platform="shopee").edges == []
    written = sorted(i["id"]["S"] for i in items(dynamodb, table_name) if i.get("entity", {}).get("S") == "TARGET")
    assert 0 < len(written) < 180
    # a platform acts on a target it was told about (its push event) before the retry
    early = service.takedown_order(REGULATOR, written[0].rsplit("-", 1)[0]).targets[0]
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(early.id, "NOT_FOUND"))
    clock.advance(minutes=3)
    order = service.issue_takedown(REGULATOR, order_input(*many(180)))
    assert order.id == early.order_id and order.issued_at == early.issued_at
    assert len(order.targets) == 180 and len({t.id for t in order.targets}) == 180
    acked = next(t for t in order.targets if t.id == early.id)
    assert acked.state is TargetState.NOT_FOUND  # not reset to PENDING
    header = dynamodb.get_item(TableName=table_name, Key={"pk": {"S": f"ORDER#{order.id}"}, "sk": {"S": "ORDER"}})
    assert header["Item"]["status"]["S"] == "ISSUED"
    matches = [i for i in items(dynamodb, table_name) if i["sk"]["S"] == "MATCH"]
    # every target of an order issued in several transactions has a gated match attribute
    refs = [name for item in matches for name in item if name.startswith(("ref#", "gref#"))]
    assert len(refs) == 179 and all(name.startswith("gref#") for name in refs)
    assert keys.match_reference_attribute(early.id, gated=True) not in refs
    # and a third call changes nothing
    before = items(dynamodb, table_name)
    assert service.issue_takedown(REGULATOR, order_input(*many(180))) == order
    assert items(dynamodb, table_name) == before



class ThrottlingClient:
    """Passes calls to the real client; the n-th TransactWriteItems is throttled (after botocore's
    own retries), as DynamoDB answers a table over its capacity."""

    def __init__(self, client, throttle_on: int) -> None:
        self._client = client
        self._throttle_on = throttle_on
        self.transactions = 0

    def transact_write_items(self, **kwargs):
        self.transactions += 1
        if self.transactions == self._throttle_on:
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}},
                "TransactWriteItems",
            )
        return self._client.transact_write_items(**kwargs)

    def __getattr__(self, name):
        return getattr(self._client, name)


def throttled_service(dynamodb, table_name, settings, strikes, clock, throttle_on: int) -> OrderService:
    """The order service on a client whose `throttle_on`-th TransactWriteItems is throttled."""
    return OrderService(
        DynamoDBOrderBook(ThrottlingClient(dynamodb, throttle_on), table_name, settings), strikes, clock, settings
    )


def throttled_issue(dynamodb, table_name, settings, strikes, clock) -> tuple[OrderService, str]:
    """An order of 120 targets whose second transaction is throttled: half-written."""
    throttled = throttled_service(dynamodb, table_name, settings, strikes, clock, throttle_on=2)
    with pytest.raises(ClientError):
        throttled.issue_takedown(REGULATOR, order_input(*many(120)))
    service = OrderService(DynamoDBOrderBook(dynamodb, table_name, settings), strikes, clock, settings)
    [claim] = [i for i in items(dynamodb, table_name) if i.get("entity", {}).get("S") == "ORDERREF"]
    return service, claim["order_id"]["S"]


def assert_interrupted_and_invisible(service: OrderService, order_id: str, clock) -> None:
    # platforms see none of its targets: listings, compliance
    assert service.takedown_targets(SHOPEE, first=100).edges == []
    assert service.takedown_targets(SHOPEE, first=100, state="PENDING").edges == []
    report = service.compliance(REGULATOR, "shopee", clock.now() - timedelta(days=1), clock.now() + timedelta(days=1))
    assert report.received == 0
    # the regulator sees what happened
    order = service.takedown_order(REGULATOR, order_id)
    assert order.status is OrderStatus.ISSUING
    assert order.total_targets == 120 and 0 < len(order.targets) < 120


def assert_issued_and_visible(service: OrderService, order_id: str) -> None:
    order = service.takedown_order(REGULATOR, order_id)
    assert order.status is OrderStatus.ISSUED and order.total_targets == 120
    assert [t.id for t in order.targets] == [f"{order_id}-{i:03d}" for i in range(120)]
    seen, after = [], None
    while True:
        page = service.takedown_targets(SHOPEE, first=100, after=after)
        seen += [edge.node.id for edge in page.edges]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert sorted(seen) == [t.id for t in order.targets]


def test_a_throttled_issue_is_hidden_until_the_retry_completes_it(dynamodb, table_name, settings, strikes, clock):
    service, order_id = throttled_issue(dynamodb, table_name, settings, strikes, clock)
    assert_interrupted_and_invisible(service, order_id, clock)
    clock.advance(seconds=30)
    order = service.issue_takedown(REGULATOR, order_input(*many(120)))  # the same request again
    assert order.id == order_id and order.status is OrderStatus.ISSUED
    assert_issued_and_visible(service, order_id)
    header = dynamodb.get_item(TableName=table_name, Key={"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "ORDER"}})
    assert not {"gsi1pk", "gsi1sk", "pending_targets"} & set(header["Item"])


def test_the_sweep_completes_an_interrupted_issue_nobody_retried(dynamodb, table_name, settings, strikes, clock):
    service, order_id = throttled_issue(dynamodb, table_name, settings, strikes, clock)
    clock.advance(minutes=2)
    assert service.sweep_interrupted_orders() == []  # too recent: a retry may be in flight
    assert_interrupted_and_invisible(service, order_id, clock)
    clock.advance(minutes=4)
    assert service.sweep_interrupted_orders() == [order_id]
    assert_issued_and_visible(service, order_id)
    assert service.sweep_interrupted_orders() == []
    # the regulator's retry afterwards changes nothing
    before = items(dynamodb, table_name)
    assert service.issue_takedown(REGULATOR, order_input(*many(120))).status is OrderStatus.ISSUED
    assert items(dynamodb, table_name) == before


def test_the_sweep_reads_one_gsi1_partition_and_never_scans(dynamodb, table_name, settings, strikes, clock):
    service, order_id = throttled_issue(dynamodb, table_name, settings, strikes, clock)
    calls = []

    class Recording:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(dynamodb, name)

    clock.advance(minutes=10)
    sweeper = OrderService(DynamoDBOrderBook(Recording(), table_name, settings), strikes, clock, settings)
    assert sweeper.sweep_interrupted_orders() == [order_id]
    assert "scan" not in calls and calls[0] == "query"


BAD_ISSUES = {
    "501-targets": (REGULATOR, order_input(*many(501)), BadUserInputError),
    "no-targets": (REGULATOR, IssueTakedownInput("R-0", "basis", "reason", "STANDARD", ()), BadUserInputError),
    "unknown-platform": (REGULATOR, order_input(TargetInput("ebay", "LISTING", "1")), BadUserInputError),
    "malformed-url": (REGULATOR, order_input(TargetInput("shopee", "URL", "htp:/shopee.co.id/x")), BadUserInputError),
    "ftp-url": (REGULATOR, order_input(TargetInput("shopee", "URL", "ftp://shopee.co.id/x")), BadUserInputError),
    "bad-urgency": (REGULATOR, order_input(TargetInput("shopee", "LISTING", "1"), urgency="SOON"), BadUserInputError),
    "empty-reference": (REGULATOR, order_input(reference=""), BadUserInputError),
    "platform-issuing": (SHOPEE, order_input(*MIXED), ForbiddenError),
}


def test_bad_issues_write_nothing(service, dynamodb, table_name):
    # One table for every case (a table per case costs more than the cases themselves).
    service.issue_takedown(REGULATOR, order_input(*MIXED, reference="EXISTING"))
    before = items(dynamodb, table_name)
    for case, (principal, command, error) in BAD_ISSUES.items():
        with pytest.raises(error) as raised:
            service.issue_takedown(principal, command)
        assert raised.value.code in {"BAD_USER_INPUT", "FORBIDDEN"}, case
        assert items(dynamodb, table_name) == before, case


# --- takedownOrder ------------------------------------------------------------------------------


def test_order_visibility(service):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    assert service.takedown_order(REGULATOR, order.id) == order
    lazada_view = service.takedown_order(LAZADA, order.id)
    assert {t.platform for t in lazada_view.targets} == {"lazada"} and len(lazada_view.targets) == 2
    for principal, order_id in [(BLIBLI, order.id), (REGULATOR, "f" * 32), (SHOPEE, "../x"),
                                (REGULATOR, ""), (OTHER_AGENCY, order.id)]:
        with pytest.raises(NotFoundError):
            service.takedown_order(principal, order_id)


# --- takedownTargets ----------------------------------------------------------------------------


def issue_schedule(service, clock):
    """Three orders whose deadlines do not follow their issue order."""
    a = service.issue_takedown(REGULATOR, order_input(
        *(TargetInput("shopee", "LISTING", f"A-{i}") for i in range(3)),
        TargetInput("lazada", "LISTING", "A-L"), reference="A"))  # deadline +24 h
    clock.advance(hours=1)
    b = service.issue_takedown(REGULATOR, order_input(
        *(TargetInput("shopee", "LISTING", f"B-{i}") for i in range(2)),
        TargetInput("lazada", "LISTING", "B-L"), reference="B", urgency="URGENT"))  # +5 h
    clock.advance(hours=1)
    c = service.issue_takedown(REGULATOR, order_input(
        TargetInput("shopee", "LISTING", "C-0"), reference="C"))  # +26 h
    return a, b, c


def walk(service, principal, **kwargs):
    pages, after = [], None
    while True:
        page = service.takedown_targets(principal, after=after, **kwargs)
        pages.append([edge.node.value for edge in page.edges])
        assert all(edge.cursor for edge in page.edges)
        if not page.has_next_page:
            return pages
        after = page.end_cursor


def test_platform_lists_its_targets_by_deadline_in_pages(service, clock):
    issue_schedule(service, clock)
    assert walk(service, SHOPEE, first=2) == [["B-0", "B-1"], ["A-0", "A-1"], ["A-2", "C-0"]]
    assert walk(service, LAZADA, first=10) == [["B-L", "A-L"]]
    assert walk(service, BLIBLI) == [[]]


def test_state_filter_and_resuming_from_an_edge_cursor(service, clock):
    _, b, _ = issue_schedule(service, clock)
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(b.targets[0].id, "REMOVED"))
    assert walk(service, SHOPEE, state="PENDING", first=3) == [["B-1", "A-0", "A-1"], ["A-2", "C-0"]]
    assert walk(service, SHOPEE, state="REMOVED") == [["B-0"]]
    everything = service.takedown_targets(SHOPEE, first=10)
    assert [e.node.value for e in everything.edges] == ["B-0", "B-1", "A-0", "A-1", "A-2", "C-0"]
    assert [e.node.state.value for e in everything.edges][:2] == ["REMOVED", "PENDING"]
    resumed = service.takedown_targets(SHOPEE, first=10, after=everything.edges[2].cursor)
    assert [e.node.value for e in resumed.edges] == ["A-1", "A-2", "C-0"]


def test_regulator_lists_all_platforms_or_one(service, clock):
    issue_schedule(service, clock)
    assert walk(service, REGULATOR, first=4) == [["B-0", "B-1", "B-L", "A-0"], ["A-1", "A-2", "A-L", "C-0"]]
    assert walk(service, REGULATOR, platform="lazada") == [["B-L", "A-L"]]


def test_listing_bad_input(service, clock):
    issue_schedule(service, clock)
    shopee_cursor = service.takedown_targets(SHOPEE, first=1).end_cursor
    cases = [
        (LAZADA, {"after": shopee_cursor}, BadUserInputError),  # another query's cursor
        (SHOPEE, {"after": shopee_cursor, "state": "PENDING"}, BadUserInputError),
        (SHOPEE, {"after": "bm90IGEgY3Vyc29y"}, BadUserInputError),
        (SHOPEE, {"after": "%%%"}, BadUserInputError),
        (SHOPEE, {"first": 0}, BadUserInputError),
        (SHOPEE, {"first": 101}, BadUserInputError),
        (SHOPEE, {"state": "GONE"}, BadUserInputError),
        (SHOPEE, {"platform": "lazada"}, ForbiddenError),
        (REGULATOR, {"platform": "ebay"}, BadUserInputError),
    ]
    for principal, kwargs, error in cases:
        with pytest.raises(error):
            service.takedown_targets(principal, **kwargs)


# --- acknowledge --------------------------------------------------------------------------------


def test_removed_records_exactly_one_strike_even_when_retried(service, strikes, dynamodb, table_name):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    listing = target_of(order, "shopee", "LISTING")
    first = service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(listing.id, "REMOVED"))
    before = items(dynamodb, table_name)
    again = service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(listing.id, "REMOVED"))
    assert again == first and first.state is TargetState.REMOVED and first.resolved_at is not None
    assert items(dynamodb, table_name) == before  # the retry wrote nothing
    assert len(strikes.calls) == 2  # called again: the ledger's idempotency makes it one strike
    assert list(strikes.strikes.values()) == [{
        "platform": "shopee", "seller_id": "s-1", "target_id": listing.id,
        "order_reference": order.reference, "listing_id": "L-1"}]
    events = audit_events(dynamodb, table_name, f"order:{order.id}")
    assert [e.action for e in events].count("TAKEDOWN_ACKNOWLEDGED") == 1


def test_crash_between_acknowledgement_and_strike_is_healed_by_the_retry(
    book, clock, settings, dynamodb, table_name
):
    strikes = RecordingStrikeRecorder(fail_times=1)
    service = OrderService(book, strikes, clock, settings)
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    shop = target_of(order, "shopee", "SHOP")
    with pytest.raises(RuntimeError):
        service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(shop.id, "REMOVED"))
    assert strikes.strikes == {}
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(shop.id, "REMOVED"))
    assert list(strikes.strikes) == [shop.id]
    assert strikes.strikes[shop.id]["seller_id"] == "s-9" and strikes.strikes[shop.id]["listing_id"] is None


def test_no_strike_without_seller_or_when_not_removed(service, strikes):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    url = target_of(order, "shopee", "URL")
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(url.id, "REMOVED"))
    account = target_of(order, "lazada", "ACCOUNT")
    service.acknowledge_takedown(LAZADA, AcknowledgeTakedownInput(account.id, "DISPUTED", "seller is local"))
    assert strikes.calls == []


BAD_ACKNOWLEDGEMENTS = {
    "different-state": (SHOPEE, "acked", "NOT_FOUND", None, ConflictError),
    "different-note": (SHOPEE, "acked", "REMOVED", "another note", ConflictError),
    "disputed-without-note": (SHOPEE, "pending", "DISPUTED", None, BadUserInputError),
    "disputed-blank-note": (SHOPEE, "pending", "DISPUTED", "  ", BadUserInputError),
    "pending": (SHOPEE, "pending", "PENDING", None, BadUserInputError),
    "unknown-state": (SHOPEE, "pending", "DONE", None, BadUserInputError),
    "regulator": (REGULATOR, "pending", "REMOVED", None, ForbiddenError),
    "other-platform": (LAZADA, "pending", "REMOVED", None, NotFoundError),
    "unknown-target": (SHOPEE, "unknown", "REMOVED", None, NotFoundError),
    "garbage-id": (SHOPEE, "garbage", "REMOVED", None, NotFoundError),
}


def test_bad_acknowledgements_write_nothing(service, strikes, dynamodb, table_name):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    acked = target_of(order, "shopee", "LISTING")
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(acked.id, "REMOVED"))
    ids = {
        "acked": acked.id,
        "pending": target_of(order, "shopee", "SHOP").id,
        "unknown": order.id + "-499",
        "garbage": "ORDER#x",
    }
    before, calls = items(dynamodb, table_name), len(strikes.calls)
    for case, (principal, which, state, note, error) in BAD_ACKNOWLEDGEMENTS.items():
        with pytest.raises(error):
            service.acknowledge_takedown(principal, AcknowledgeTakedownInput(ids[which], state, note))
        assert items(dynamodb, table_name) == before, case
        assert len(strikes.calls) == calls, case


def test_other_platform_cannot_tell_its_target_from_an_unknown_one(service):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    shop = target_of(order, "shopee", "SHOP")
    with pytest.raises(NotFoundError) as foreign:
        service.acknowledge_takedown(LAZADA, AcknowledgeTakedownInput(shop.id, "REMOVED"))
    fake_id = "e" * 32 + "-000"
    with pytest.raises(NotFoundError) as unknown:
        service.acknowledge_takedown(LAZADA, AcknowledgeTakedownInput(fake_id, "REMOVED"))
    assert foreign.value.message.replace(shop.id, "ID") == unknown.value.message.replace(fake_id, "ID")


def test_concurrent_acknowledgement_is_decided_by_the_condition(service, book, dynamodb, table_name):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    shop = target_of(order, "shopee", "SHOP")
    key = keys.order_target(*shop.id.rsplit("-", 1)[:1], int(shop.id.rsplit("-", 1)[1]))
    stale = dynamodb.get_item(TableName=table_name, Key={k: {"S": v} for k, v in key.items()})["Item"]
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(shop.id, "REMOVED"))
    # another request read the target while it was still PENDING
    book._get = lambda _key: stale  # type: ignore[method-assign]
    same = book.acknowledge("shopee", shop.id, TargetState.REMOVED, None, shop.issued_at, "platform:shopee")
    assert same.state is TargetState.REMOVED
    with pytest.raises(ConflictError):
        book.acknowledge("shopee", shop.id, TargetState.NOT_FOUND, None, shop.issued_at, "platform:shopee")


def test_acknowledge_is_a_read_and_one_transaction(service, dynamodb):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    counter = RequestCounter(dynamodb)
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(order.targets[0].id, "REMOVED"))
    assert counter.calls == ["GetItem", "TransactWriteItems"]
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(order.targets[0].id, "REMOVED"))
    assert counter.calls[2:] == ["GetItem"]


def test_late_acknowledgement_is_accepted_and_recorded_late(service, clock):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED))
    on_time, late = target_of(order, "shopee", "LISTING"), target_of(order, "shopee", "SHOP")
    clock.advance(hours=24)
    assert service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(on_time.id, "REMOVED")).late is False
    clock.advance(seconds=1)
    result = service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(late.id, "REMOVED"))
    assert result.late is True and result.resolved_at == clock.now()
    assert target_of(service.takedown_order(SHOPEE, order.id), "shopee", "SHOP").late is True


def test_overdue_follows_the_clock(service, clock):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED, urgency="URGENT"))
    target = target_of(order, "shopee", "LISTING")
    clock.advance(hours=4)
    assert service.overdue(target) is False
    clock.advance(minutes=1)
    assert service.overdue(target) is True
    done = service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(target.id, "REMOVED"))
    assert service.overdue(done) is False


# --- compliance ---------------------------------------------------------------------------------


def test_compliance_figures(service, clock):
    start = clock.now()
    old = service.issue_takedown(REGULATOR, order_input(
        TargetInput("shopee", "LISTING", "OLD"), reference="OLD"))
    clock.advance(days=2)
    since = clock.now()
    order = service.issue_takedown(REGULATOR, order_input(
        *(TargetInput("shopee", "LISTING", f"L-{i}", f"s-{i}") for i in range(6)),
        TargetInput("lazada", "LISTING", "LZ"), reference="NEW"))
    t = order.targets
    clock.advance(hours=2)
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(t[0].id, "REMOVED"))
    clock.advance(hours=2)
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(t[1].id, "REMOVED"))
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(t[2].id, "NOT_FOUND"))
    clock.advance(hours=26)  # 30 h after issue: past the deadline
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(t[3].id, "REMOVED"))
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(t[4].id, "DISPUTED", "not imported"))
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(old.targets[0].id, "REMOVED"))
    report = service.compliance(REGULATOR, "shopee", since, since + timedelta(days=1))
    assert (report.received, report.removed, report.not_found, report.disputed, report.pending,
            report.overdue) == (6, 3, 1, 1, 1, 1)
    assert report.on_time_rate == pytest.approx(3 / 5)
    assert report.median_hours_to_removal == pytest.approx(4.0)
    assert report.p90_hours_to_removal == pytest.approx(4 + 0.8 * 26)
    assert service.compliance(REGULATOR, "shopee", start, since).received == 1
    empty = service.compliance(REGULATOR, "blibli", start, clock.now())
    assert empty.received == 0 and empty.on_time_rate is None and empty.median_hours_to_removal is None


def test_compliance_is_for_regulators_and_the_platform_itself_with_a_sane_window(service, clock):
    now = clock.now()
    assert service.compliance(SHOPEE, "shopee", now - timedelta(days=1), now).received == 0
    with pytest.raises(ForbiddenError):
        service.compliance(SHOPEE, "lazada", now - timedelta(days=1), now)
    with pytest.raises(BadUserInputError):
        service.compliance(REGULATOR, "shopee", now, now)
    with pytest.raises(BadUserInputError):
        service.compliance(REGULATOR, "ebay", now - timedelta(days=1), now)
    with pytest.raises(BadUserInputError):
        service.compliance(REGULATOR, "shopee", (now - timedelta(days=1)).replace(tzinfo=None), now)


# --- matches for verdicts -----------------------------------------------------------------------


def batch_get_references(client, table_name, platform, listing_id, seller_id, url=None):
    """What the verdicts module does: BatchGetItem the match keys, then the pure reader."""
    wanted = [{k: {"S": v} for k, v in key.items()} for key in match_keys(platform, listing_id, seller_id, url)]
    response = client.batch_get_item(RequestItems={table_name: {"Keys": wanted}})
    return order_references_from_items(response["Responses"][table_name])


def test_matches_by_listing_url_and_seller(service, book, dynamodb, table_name):
    order = service.issue_takedown(REGULATOR, order_input(*MIXED, reference="REF-1"))
    service.issue_takedown(REGULATOR, order_input(TargetInput("shopee", "LISTING", "L-1"), reference="REF-0"))
    refs = lambda *args: batch_get_references(dynamodb, table_name, *args)  # noqa: E731
    assert refs("shopee", "L-1", "someone") == ["REF-0", "REF-1"]
    assert refs("shopee", "L-2", "someone", "https://Shopee.co.id/jaket-korea-i.9.77?fbclid=1#top") == ["REF-1"]
    assert refs("shopee", "L-3", "s-9") == ["REF-1"]  # SHOP target: any listing of the seller
    assert refs("lazada", "L-4", "lz-3") == ["REF-1"]  # ACCOUNT target
    assert refs("lazada", "L-1", "s-9") == []  # other platform
    assert refs("shopee", "L-5", "s-1") == []  # a LISTING target's seller is not matched
    assert refs("shopee", "L-5", "x", "not a url") == []
    assert book.active_order_references("shopee", "L-3", "s-9", None) == ["REF-1"]
    # REMOVED stays active; NOT_FOUND and DISPUTED end the match
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(target_of(order, "shopee", "SHOP").id, "REMOVED"))
    assert refs("shopee", "L-3", "s-9") == ["REF-1"]
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(target_of(order, "shopee", "URL").id, "NOT_FOUND"))
    assert refs("shopee", "L-2", "x", "https://shopee.co.id/jaket-korea-i.9.77") == []
    service.acknowledge_takedown(LAZADA, AcknowledgeTakedownInput(target_of(order, "lazada", "ACCOUNT").id, "DISPUTED", "local seller"))
    assert refs("lazada", "L-4", "lz-3") == []
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(target_of(order, "shopee", "LISTING").id, "NOT_FOUND"))
    assert refs("shopee", "L-1", "someone") == ["REF-0"]


def test_shop_and_account_of_one_seller_share_a_match_item(service, book):
    order = service.issue_takedown(REGULATOR, order_input(
        TargetInput("shopee", "SHOP", "s-7"), TargetInput("shopee", "ACCOUNT", "s-7"), reference="R-7"))
    assert book.active_order_references("shopee", "any", "s-7", None) == ["R-7"]
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(order.targets[0].id, "NOT_FOUND"))
    assert book.active_order_references("shopee", "any", "s-7", None) == ["R-7"]
    service.acknowledge_takedown(SHOPEE, AcknowledgeTakedownInput(order.targets[1].id, "DISPUTED", "appealed"))
    assert book.active_order_references("shopee", "any", "s-7", None) == []


def test_order_references_from_items_is_pure():
    assert order_references_from_items([]) == []
    assert order_references_from_items([
        {"pk": {"S": "MATCH#x"}, "sk": {"S": "MATCH"}, "ref#a-001": {"S": "B"}, "ref#b-002": {"S": "A"}},
        {"pk": "MATCH#y", "sk": "MATCH", "ref#c-003": "B"},
    ]) == ["A", "B"]
