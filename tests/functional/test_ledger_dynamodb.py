"""The strike ledger on moto: idempotency, concurrency, revocation, expiry, identity, permissions."""

from __future__ import annotations

import logging
import threading

import pytest

from saring.adapters.dynamodb import keys
from saring.adapters.dynamodb.ledger import (
    MAX_FINGERPRINTS_PER_SELLER,
    DynamoLedger,
    ExtraItemCancelledError,
    standing_from_summary_item,
    summary_key,
)
from saring.domain.errors import BadUserInputError, ConflictError, ForbiddenError, NotFoundError
from saring.domain.principals import Principal, Role
from saring.domain.strikes import Standing, StrikePolicy, StrikeSource
from saring.service.ledger import LedgerService, order_strike_draft
from saring.settings import DEFAULT_PLATFORMS

SHOPEE = Principal(Role.PLATFORM, "shopee-key", platform="shopee")
TOKOPEDIA = Principal(Role.PLATFORM, "tokopedia-key", platform="tokopedia")
REGULATOR = Principal(Role.REGULATOR, "kemendag-key", agency="kemendag")
PHONE = "0812-3456-7890"
PHONE_OTHER_SPELLING = "+62 812 3456 7890"
NIK = "3174012345678901"
SECRET = b"test-identity-secret"
POLICY = StrikePolicy()


@pytest.fixture
def ledger(dynamodb, table_name):
    return DynamoLedger(dynamodb, table_name, POLICY, sleep=lambda _s: None)


# The orders behind the order strikes these tests record: target id -> issuing agency.
ORDER_AGENCIES = {"order-1-000": "kemendag"}
OTHER_AGENCY = Principal(Role.REGULATOR, "kominfo-key", agency="kominfo")


@pytest.fixture
def service(ledger, clock):
    return LedgerService(
        ledger,
        clock,
        lambda: SECRET,
        known_platforms=DEFAULT_PLATFORMS,
        order_agency=ORDER_AGENCIES.get,
    )


def all_items(client, table):
    items, request = [], {"TableName": table}
    while True:
        page = client.scan(**request)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def summary_item(client, table, platform, seller_id):
    key = keys.typed(summary_key(platform, seller_id))
    return client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def violate(service, seller="s-1", key="k-1", principal=SHOPEE, **kw):
    return service.record_violation(
        principal, seller, kw.get("listing_id", "L-1"), kw.get("note"), key
    )


class RequestCounter:
    """Counts DynamoDB requests (round trips) the client sends."""

    def __init__(self, client):
        self.calls: list[str] = []
        client.meta.events.register("before-call.dynamodb", self._count)

    def _count(self, model, **_kw):
        self.calls.append(model.name)

    def take(self) -> list[str]:
        calls, self.calls = self.calls, []
        return calls


# --- recording and idempotency -----------------------------------------------------------------


def test_a_violation_warns_the_seller_and_writes_one_of_each_item(service, dynamodb, table_name):
    seller = violate(service)
    assert (seller.standing, seller.active_strikes, seller.total_strikes) == (Standing.WARNED, 1, 1)
    kinds = sorted(i.get("kind", {"S": "AUDIT"})["S"] for i in all_items(dynamodb, table_name))
    assert kinds == ["AUDIT", "SELLER_SUMMARY", "STRIKE", "STRIKE_IDEMPOTENCY"]


def test_a_retry_returns_the_first_result_and_adds_nothing(service, dynamodb, table_name, clock):
    first = violate(service, note="bale restock")
    before = all_items(dynamodb, table_name)
    clock.advance(minutes=5)
    again = violate(service, note="bale restock")
    assert again == first
    assert all_items(dynamodb, table_name) == before
    page = service.strikes(SHOPEE, "shopee", "s-1")
    assert len(page.items) == 1


def test_the_same_key_for_a_different_strike_is_a_conflict(service, dynamodb, table_name):
    violate(service)
    before = all_items(dynamodb, table_name)
    for changed in ({"listing_id": "L-2"}, {"note": "different"}, {"seller": "s-2"}):
        with pytest.raises(ConflictError) as caught:
            violate(service, **changed)
        assert caught.value.field == "idempotencyKey"
    assert all_items(dynamodb, table_name) == before


def test_keys_are_per_platform(service):
    violate(service, principal=SHOPEE)
    assert violate(service, principal=TOKOPEDIA).platform == "tokopedia"


def test_order_strikes_are_idempotent_by_target_and_can_carry_the_acknowledgement(
    service, ledger, dynamodb, table_name, clock
):
    receipt = service.record_order_strike("shopee", "s-1", "order-1-000", "KOMINFO/2026/1", "L-9")
    assert receipt.strike.source is StrikeSource.REGULATOR_ORDER
    assert receipt.strike.target_id == "order-1-000"
    assert service.record_order_strike(
        "shopee", "s-1", "order-1-000", "KOMINFO/2026/1", "L-9"
    ).replayed
    ack = {
        "Put": {
            "TableName": table_name,
            "Item": {"pk": {"S": "ACK#order-1-001"}, "sk": {"S": "ACK"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    draft = order_strike_draft("shopee", "s-1", "order-1-001", "KOMINFO/2026/1")
    combined = ledger.record_strike(draft, clock.now(), extra_items=[ack])
    assert combined.seller.active_strikes == 2
    before = all_items(dynamodb, table_name)
    other = order_strike_draft("shopee", "s-1", "order-1-002", "KOMINFO/2026/1")
    with pytest.raises(ExtraItemCancelledError):
        ledger.record_strike(other, clock.now(), extra_items=[ack])
    assert all_items(dynamodb, table_name) == before


# --- escalation, revocation, expiry -----------------------------------------------------------


def test_three_strikes_block_and_an_upheld_appeal_restores_the_earlier_standing(service, clock):
    violate(service, key="k-1")
    clock.advance(days=1)
    violate(service, key="k-2")
    clock.advance(days=1)
    blocked = violate(service, key="k-3")
    assert blocked.standing is Standing.BLOCKED
    newest = service.strikes(SHOPEE, "shopee", "s-1", first=1).items[0]
    restored = service.revoke_strike(SHOPEE, "shopee", "s-1", newest.id, "appeal upheld")
    assert (restored.standing, restored.active_strikes, restored.revoked_strikes) == (
        Standing.RESTRICTED,
        2,
        1,
    )
    view = service.seller(SHOPEE, "shopee", "s-1", first=5)
    assert view.standing is Standing.RESTRICTED
    revoked = next(s for s in view.strike_page.items if s.id == newest.id)
    assert (revoked.revoke_reason, revoked.revoked_by) == ("appeal upheld", "platform:shopee")


def test_bad_revocations_are_refused_and_change_nothing(service, dynamodb, table_name):
    violate(service)
    strike_id = service.strikes(SHOPEE, "shopee", "s-1").items[0].id
    service.revoke_strike(SHOPEE, "shopee", "s-1", strike_id, "recorded by mistake")
    before = all_items(dynamodb, table_name)
    with pytest.raises(ConflictError):
        service.revoke_strike(SHOPEE, "shopee", "s-1", strike_id, "again")
    with pytest.raises(NotFoundError) as unknown_strike:
        service.revoke_strike(SHOPEE, "shopee", "s-1", "0" * 28, "no such")
    with pytest.raises(NotFoundError) as unknown_seller:
        service.revoke_strike(SHOPEE, "shopee", "nobody", strike_id, "no such")
    with pytest.raises(BadUserInputError):
        service.revoke_strike(SHOPEE, "shopee", "s-1", strike_id, "")
    assert (unknown_strike.value.field, unknown_seller.value.field) == ("strikeId", "sellerId")
    assert all_items(dynamodb, table_name) == before


def test_strikes_expire_with_the_clock_without_any_write(service, dynamodb, table_name, clock):
    for n in range(3):
        violate(service, key=f"k-{n}")
    assert service.seller(REGULATOR, "shopee", "s-1").standing is Standing.BLOCKED
    clock.advance(days=365, microseconds=-1)
    assert service.seller(REGULATOR, "shopee", "s-1").standing is Standing.BLOCKED
    clock.advance(microseconds=1)  # exactly expires_at: expired
    view = service.seller(REGULATOR, "shopee", "s-1")
    assert (view.standing, view.active_strikes, view.total_strikes) == (Standing.GOOD, 0, 3)
    item = summary_item(dynamodb, table_name, "shopee", "s-1")
    assert standing_from_summary_item(item, clock.now(), POLICY).standing is Standing.GOOD
    assert violate(service, key="k-new").standing is Standing.WARNED


def test_an_unknown_seller_is_good_with_no_strikes(service, clock):
    seller = service.seller(SHOPEE, "shopee", "never-seen", first=10)
    assert (seller.standing, seller.active_strikes, seller.strike_page.items) == (
        Standing.GOOD,
        0,
        [],
    )
    standing = standing_from_summary_item(
        None, clock.now(), POLICY, platform="shopee", seller_id="x"
    )
    assert (standing.seller_id, standing.standing, standing.identity_blocked_elsewhere) == (
        "x",
        Standing.GOOD,
        False,
    )


def test_strike_history_pages_newest_first_with_opaque_cursors(service, clock):
    for n in range(5):
        violate(service, key=f"k-{n}", listing_id=f"L-{n}")
        clock.advance(seconds=1)
    first = service.seller(SHOPEE, "shopee", "s-1", first=2).strike_page
    assert [s.listing_id for s in first.items] == ["L-4", "L-3"] and first.has_next
    assert "STRIKE" not in first.end_cursor
    second = service.strikes(SHOPEE, "shopee", "s-1", first=2, after=first.end_cursor)
    third = service.strikes(SHOPEE, "shopee", "s-1", first=2, after=second.end_cursor)
    assert [s.listing_id for s in second.items + third.items] == ["L-2", "L-1", "L-0"]
    assert second.has_next and not third.has_next
    for bad in ("not-a-cursor!", "eyJzayI6IlNVTU1BUlkifQ"):
        with pytest.raises(BadUserInputError):
            service.strikes(SHOPEE, "shopee", "s-1", first=2, after=bad)
    with pytest.raises(BadUserInputError):
        service.strikes(SHOPEE, "shopee", "s-1", first=0)


# --- permissions --------------------------------------------------------------------------------


def test_every_permission_rule(service, dynamodb, table_name):
    violate(service)  # shopee's own seller
    order = service.record_order_strike("shopee", "s-1", "order-1-000", "KEMENDAG/2026/1")
    own = service.strikes(SHOPEE, "shopee", "s-1").items
    review = next(s for s in own if s.source is StrikeSource.PLATFORM_REVIEW)
    before = all_items(dynamodb, table_name)
    refused = [
        lambda: service.seller(TOKOPEDIA, "shopee", "s-1"),
        lambda: service.strikes(TOKOPEDIA, "shopee", "s-1"),
        lambda: service.revoke_strike(TOKOPEDIA, "shopee", "s-1", review.id, "not mine"),
        lambda: service.revoke_strike(SHOPEE, "shopee", "s-1", order.strike.id, "order strike"),
        lambda: service.revoke_strike(REGULATOR, "shopee", "s-1", review.id, "platform's own"),
        lambda: service.revoke_strike(OTHER_AGENCY, "shopee", "s-1", order.strike.id, "not ours"),
        lambda: service.record_violation(REGULATOR, "s-1", None, None, "k-9"),
        lambda: service.link_seller_identity(REGULATOR, "s-1", PHONE, None),
        lambda: service.audit_trail(SHOPEE, "shopee", "s-1"),
    ]
    for call in refused:
        with pytest.raises(ForbiddenError):
            call()
    assert all_items(dynamodb, table_name) == before
    assert service.seller(SHOPEE, "shopee", "s-1").active_strikes == 2
    assert service.seller(REGULATOR, "shopee", "s-1").active_strikes == 2
    assert (
        service.revoke_strike(SHOPEE, "shopee", "s-1", review.id, "own mistake").active_strikes == 1
    )
    assert (
        service.revoke_strike(REGULATOR, "shopee", "s-1", order.strike.id, "appeal").active_strikes
        == 0
    )
    actions = [e.action for e in service.audit_trail(REGULATOR, "shopee", "s-1").items]
    assert sorted(actions) == [
        "STRIKE_RECORDED",
        "STRIKE_RECORDED",
        "STRIKE_REVOKED",
        "STRIKE_REVOKED",
    ]


def test_bad_input_writes_nothing(service, dynamodb, table_name):
    calls = [
        lambda: service.record_violation(SHOPEE, "", None, None, "k"),
        lambda: service.record_violation(SHOPEE, "s-1", None, None, None),
        lambda: service.record_violation(SHOPEE, "s-1", None, "x" * 5000, "k"),
        lambda: service.seller(REGULATOR, "myspace", "s-1"),
        lambda: service.link_seller_identity(SHOPEE, "s-1", None, None),
    ]
    for call in calls:
        with pytest.raises(BadUserInputError):
            call()
    assert all_items(dynamodb, table_name) == []


# --- identity across platforms -----------------------------------------------------------------


def block(service, principal, seller_id):
    for n in range(3):
        service.record_violation(principal, seller_id, f"L-{n}", None, f"{seller_id}-k{n}")


def blocked_elsewhere(dynamodb, table_name, clock, platform, seller_id):
    """As a verdict reads it: the summary, then the other platforms' links to its fingerprints."""
    from saring.adapters.dynamodb.verdict_facts import links_of

    item = summary_item(dynamodb, table_name, platform, seller_id)
    links = links_of(dynamodb, table_name, platform, {seller_id: item}, DEFAULT_PLATFORMS)
    return standing_from_summary_item(
        item, clock.now(), POLICY, links=links.get(seller_id, ())
    ).identity_blocked_elsewhere


@pytest.mark.parametrize("link_first", [True, False], ids=["linked-before-strikes", "linked-after"])
def test_a_block_on_one_platform_shows_on_linked_sellers_and_lapses(
    service, dynamodb, table_name, clock, link_first
):
    if link_first:
        service.link_seller_identity(SHOPEE, "bad", PHONE, NIK)
        service.link_seller_identity(TOKOPEDIA, "fresh", PHONE_OTHER_SPELLING, None)
        block(service, SHOPEE, "bad")
    else:
        block(service, SHOPEE, "bad")
        service.link_seller_identity(SHOPEE, "bad", PHONE, NIK)
        linked = service.link_seller_identity(TOKOPEDIA, "fresh", PHONE_OTHER_SPELLING, None)
        assert linked.identity_blocked_elsewhere
    # the other platforms' links answer it, for the linked seller and not for the blocked one
    assert blocked_elsewhere(dynamodb, table_name, clock, "tokopedia", "fresh")
    assert not blocked_elsewhere(dynamodb, table_name, clock, "shopee", "bad")
    fresh = standing_from_summary_item(
        summary_item(dynamodb, table_name, "tokopedia", "fresh"), clock.now(), POLICY
    )
    assert (fresh.standing, fresh.active_strikes) == (Standing.GOOD, 0)
    view = service.seller(TOKOPEDIA, "tokopedia", "fresh")
    assert view.identity_blocked_elsewhere and view.linked_identities == 1
    # a revocation unblocks it at once; a new strike blocks it again; expiry lapses it
    strike_id = service.strikes(REGULATOR, "shopee", "bad", first=1).items[0].id
    service.revoke_strike(SHOPEE, "shopee", "bad", strike_id, "appeal upheld")
    assert not blocked_elsewhere(dynamodb, table_name, clock, "tokopedia", "fresh")
    service.record_violation(SHOPEE, "bad", "L-9", None, "bad-k9")
    assert blocked_elsewhere(dynamodb, table_name, clock, "tokopedia", "fresh")
    clock.advance(days=365)
    assert not blocked_elsewhere(dynamodb, table_name, clock, "tokopedia", "fresh")


def test_linking_the_same_identity_again_changes_nothing(service, dynamodb, table_name):
    service.link_seller_identity(SHOPEE, "s-1", PHONE, NIK)
    before = all_items(dynamodb, table_name)
    again = service.link_seller_identity(SHOPEE, "s-1", PHONE_OTHER_SPELLING, f" {NIK} ")
    assert again.linked_identities == 2
    assert all_items(dynamodb, table_name) == before
    assert [e.action for e in service.audit_trail(REGULATOR, "shopee", "s-1").items] == [
        "SELLER_IDENTITY_LINKED"
    ]


def test_malformed_identifiers_are_refused_and_write_nothing(service, dynamodb, table_name):
    violate(service)
    before = all_items(dynamodb, table_name)
    cases = [
        ("0812", None, "phone"),
        ("+62 812 abc", NIK, "phone"),
        (PHONE, "1234", "nationalId"),
        (None, "x" * 16, "nationalId"),
    ]
    for phone, nik, field in cases:
        with pytest.raises(BadUserInputError) as caught:
            service.link_seller_identity(SHOPEE, "s-1", phone, nik)
        assert caught.value.field == field
    assert all_items(dynamodb, table_name) == before


def test_no_raw_phone_or_nik_is_stored_returned_or_logged(
    service, dynamodb, table_name, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    block(service, SHOPEE, "bad")
    results = [
        service.link_seller_identity(SHOPEE, "bad", PHONE, NIK),
        service.link_seller_identity(TOKOPEDIA, "t-1", PHONE_OTHER_SPELLING, NIK),
    ]
    with pytest.raises(BadUserInputError) as caught:
        service.link_seller_identity(SHOPEE, "bad", "0812-3456-78901234", None)
    dumped = repr(all_items(dynamodb, table_name)) + repr(results) + caught.value.message
    dumped += repr(service.audit_trail(REGULATOR, "tokopedia", "t-1"))
    out = capsys.readouterr()
    logged = caplog.text + " ".join(repr(r.__dict__) for r in caplog.records) + out.out + out.err
    for raw in ("81234567890", "8123456789", "3456-7890", "3456 7890", NIK):
        assert raw not in dumped
        assert raw not in logged


def test_a_link_to_too_many_of_the_platforms_own_sellers_is_refused(service, monkeypatch):
    monkeypatch.setattr("saring.adapters.dynamodb.ledger.MAX_SELLERS_PER_FINGERPRINT", 3)
    for n in range(3):
        service.link_seller_identity(SHOPEE, f"s-{n}", PHONE, None)
    with pytest.raises(ConflictError):
        service.link_seller_identity(SHOPEE, "one-too-many", PHONE, None)
    service.link_seller_identity(TOKOPEDIA, "t-1", PHONE, None)  # its own count, not shopee's


# --- round trips -----------------------------------------------------------------------------


def test_round_trips_per_operation(service, dynamodb):
    counter = RequestCounter(dynamodb)
    violate(service)
    assert counter.take() == ["GetItem", "TransactWriteItems"]
    violate(service)  # a retry: the summary is read again, for today's standing
    assert counter.take() == ["GetItem", "TransactWriteItems", "GetItem"]
    service.seller(SHOPEE, "shopee", "s-1", first=10)
    assert counter.take() == ["Query"]
    # A link: read, write, then read the other platforms' links for the answer.
    service.link_seller_identity(SHOPEE, "s-1", PHONE, NIK)
    assert counter.take() == ["BatchGetItem", "TransactWriteItems", "BatchGetItem"]
    service.link_seller_identity(TOKOPEDIA, "t-1", PHONE, None)  # never reads shopee's seller
    assert counter.take() == ["BatchGetItem", "TransactWriteItems", "BatchGetItem"]
    service.link_seller_identity(TOKOPEDIA, "t-1", PHONE, None)  # nothing new
    assert counter.take() == ["BatchGetItem", "BatchGetItem"]
    strike_id = service.strikes(SHOPEE, "shopee", "s-1", first=1).items[0].id
    counter.take()
    service.revoke_strike(SHOPEE, "shopee", "s-1", strike_id, "mistake")  # a linked seller
    assert counter.take() == ["BatchGetItem", "BatchGetItem", "TransactWriteItems"]


# --- concurrency through a moto server ---------------------------------------------------------


@pytest.fixture
def moto_server_client():
    """A table on a threaded moto server, as Lambdas would hit DynamoDB concurrently.

    It is the local stack's moto (`saring.local_moto`, tuned for the whole suite): each
    DynamoDB request runs alone, as DynamoDB serialises transactions on the items they touch,
    so what this test measures is our conditions and retries, not moto's races.
    """
    import boto3
    from moto.server import ThreadedMotoServer

    from saring.adapters.dynamodb.tables import create_table_from_template
    from saring.local_moto import tune_for_local_stack

    tune_for_local_stack()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        client = boto3.client(
            "dynamodb", region_name="ap-southeast-3", endpoint_url=f"http://{host}:{port}"
        )
        create_table_from_template(client, "saring-concurrency")
        yield client, "saring-concurrency"
    finally:
        server.stop()


def test_sixteen_concurrent_writers_never_lose_or_double_a_count(moto_server_client, clock):
    client, table = moto_server_client
    ledger = DynamoLedger(client, table, POLICY, max_attempts=40)
    service = LedgerService(ledger, clock, lambda: SECRET)
    service.link_seller_identity(TOKOPEDIA, "peer", PHONE, None)
    service.link_seller_identity(SHOPEE, "s-1", PHONE, None)
    barrier = threading.Barrier(16)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            violate(service, key=f"k-{n}", listing_id=f"L-{n}")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seller = service.seller(REGULATOR, "shopee", "s-1", first=100)
    assert (seller.total_strikes, seller.active_strikes, len(seller.strike_page.items)) == (
        16,
        16,
        16,
    )
    item = summary_item(client, table, "shopee", "s-1")
    assert item["version"]["N"] == str(1 + 16) and len(item["active"]["M"]) == 16
    # shopee's own links item carries the seller's 16 strikes; tokopedia's items are untouched
    digest = next(iter(item["fingerprints"]["M"]))
    links = client.get_item(
        TableName=table, Key=keys.typed(keys.identity_links(digest, "shopee")), ConsistentRead=True
    )["Item"]
    assert set(links["members"]["M"]["s-1"]["M"]["strikes"]["M"]) == set(item["active"]["M"])
    peer = summary_item(client, table, "tokopedia", "peer")
    assert peer["version"]["N"] == "1" and "peers" not in peer
    events = client.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.audit_partition("seller:shopee:s-1")}},
    )["Items"]
    assert sum(e["action"]["S"] == "STRIKE_RECORDED" for e in events) == 16
    # the same 16 requests retried add nothing
    for n in range(16):
        violate(service, key=f"k-{n}", listing_id=f"L-{n}")
    assert service.seller(REGULATOR, "shopee", "s-1").total_strikes == 16


def test_a_strike_item_count_stays_small(ledger, service, clock):
    service.link_seller_identity(TOKOPEDIA, "peer", PHONE, None)
    service.link_seller_identity(SHOPEE, "s-1", PHONE, None)
    draft = order_strike_draft("shopee", "s-1", "t-1", "REF-1")
    prepared = ledger.strike_transaction_items(draft, clock.now())
    assert len(prepared.items) == 4 + 1  # one links item: shopee's own, not tokopedia's
    assert 4 + MAX_FINGERPRINTS_PER_SELLER <= 100 - 10  # room for the orders module's own items


def test_a_replay_answers_with_todays_standing_not_the_first_answers(service, clock):
    """Record, revoke on appeal, then the platform's retry of the original call arrives: it
    changes nothing and says the seller is GOOD with no active strike (it said WARNED/1)."""
    first = violate(service, key="review-1")
    assert (first.standing, first.active_strikes) == (Standing.WARNED, 1)
    strike_id = service.strikes(REGULATOR, "shopee", "s-1", first=1).items[0].id
    service.revoke_strike(SHOPEE, "shopee", "s-1", strike_id, "appeal upheld")  # its own

    replayed = violate(service, key="review-1")

    assert (replayed.standing, replayed.active_strikes) == (Standing.GOOD, 0)
    assert replayed.total_strikes == 1  # still the one strike, now revoked: nothing added
    assert len(service.strikes(REGULATOR, "shopee", "s-1", first=10).items) == 1
    # And once a strike expires, a replay does not bring it back either.
    violate(service, key="review-2")
    clock.advance(days=366)
    assert violate(service, key="review-2").active_strikes == 0


def test_the_audit_trail_pages_through_every_event_newest_first(service, clock):
    """A busy seller's newest changes are on the first page, and every event is reachable."""
    from saring.api.context import RequestContext
    from saring.api.schema import build_schema
    from saring.settings import Settings

    for n in range(130):
        clock.advance(seconds=1)
        violate(service, key=f"k-{n}", listing_id=f"L-{n}")
    schema = build_schema(Settings())
    query = """query($after: String) { seller(platform: "shopee", sellerId: "s-1") {
      auditTrail(first: 50, after: $after) {
        edges { cursor node { at action before after } } pageInfo { hasNextPage endCursor } } } }"""

    class Services:  # the schema reads only the ledger and the clock
        ledger = service
        clock = None

    context = RequestContext(services=Services, principal=REGULATOR)
    events, after, pages = [], None, 0
    while True:
        result = schema.execute_sync(query, {"after": after}, context_value=context)
        assert result.errors is None, result.errors
        trail = result.data["seller"]["auditTrail"]
        events += [edge["node"] for edge in trail["edges"]]
        pages += 1
        if not trail["pageInfo"]["hasNextPage"]:
            break
        after = trail["pageInfo"]["endCursor"]
    assert (pages, len(events)) == (3, 130)
    assert [event["at"] for event in events] == sorted((e["at"] for e in events), reverse=True)
    newest = events[0]
    assert newest["after"]["listingId"] == "L-129" and newest["after"]["activeStrikes"] == 130
    assert newest["before"]["activeStrikes"] == 129
    keys = {key for event in events for key in [*event["before"], *event["after"]]}
    assert all("_" not in key for key in keys), keys  # camelCase, as every API field
    with pytest.raises(BadUserInputError):  # a strike cursor is not an audit cursor
        strike_cursor = service.strikes(REGULATOR, "shopee", "s-1", first=1).cursors[0]
        service.audit_trail(REGULATOR, "shopee", "s-1", 10, strike_cursor)
