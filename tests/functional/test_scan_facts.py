"""The scan's facts reader answers exactly as the API's, with far fewer reads."""

from __future__ import annotations

from datetime import timedelta

import pytest

from saring.adapters.dynamodb.verdict_facts import DynamoVerdictFacts, ScanVerdictFacts
from saring.domain.listings import Listing
from saring.domain.principals import Principal, Role
from saring.domain.strikes import StrikePolicy
from saring.service.orders import AcknowledgeTakedownInput, IssueTakedownInput, TargetInput

SHOPEE = Principal(Role.PLATFORM, "platform:shopee", platform="shopee")
KEMENDAG = Principal(Role.REGULATOR, "regulator:kemendag", agency="kemendag")


def listing(n: int, seller: str = "clean", url: str | None = None) -> Listing:
    return Listing(listing_id=f"l-{n}", seller_id=seller, title="Kemeja", url=url)


@pytest.fixture
def world(services):
    order = services.orders.issue_takedown(
        KEMENDAG,
        IssueTakedownInput(
            reference="R-1",
            legal_basis="Permendag 40/2022",
            reason="pakaian bekas impor",
            urgency="STANDARD",
            targets=[
                TargetInput("shopee", "LISTING", "l-1", "toko-a"),
                TargetInput("shopee", "URL", "https://shopee.co.id/toko-b/jaket-bal?utm_source=x"),
                TargetInput("shopee", "SHOP", "toko-c"),
                TargetInput("shopee", "LISTING", "l-4"),
                TargetInput("tokopedia", "LISTING", "l-5"),
            ],
        ),
    )
    services.orders.acknowledge_takedown(
        SHOPEE, AcknowledgeTakedownInput(order.targets[3].id, "NOT_FOUND")
    )
    for key in ("k1", "k2", "k3"):
        services.ledger.record_violation(SHOPEE, "blocked-seller", None, None, key)
    services.ledger.record_violation(SHOPEE, "warned-seller", None, None, "k4")
    return services


LISTINGS = [
    listing(1),
    listing(2, url="HTTPS://SHOPEE.CO.ID/toko-b/jaket-bal#ulasan"),
    listing(3, seller="toko-c"),
    listing(4),  # its target was acknowledged NOT_FOUND: no longer active
    listing(5),  # targeted on another platform only
    listing(6, seller="blocked-seller"),
    listing(7, seller="warned-seller", url="not a url"),
    listing(8, seller="clean"),
]


def test_scan_facts_equal_the_api_facts(world, dynamodb, table_name, clock):
    policy = StrikePolicy()
    book = world.orders._book
    api = DynamoVerdictFacts(dynamodb, table_name, policy).read("shopee", LISTINGS, clock.now())
    scan = ScanVerdictFacts(dynamodb, table_name, policy, book).read("shopee", LISTINGS, clock.now())
    assert scan == api
    assert [bool(facts.order_references) for facts in scan] == [
        True, True, True, False, False, False, False, False,
    ]
    assert [facts.seller.standing.value for facts in scan][5:] == ["BLOCKED", "WARNED", "GOOD"]


def test_scan_facts_read_orders_once_and_each_seller_once(world, dynamodb, table_name, clock):
    from bench.dynamodb_meter import DynamoMeter

    reader = ScanVerdictFacts(dynamodb, table_name, StrikePolicy(), world.orders._book)
    meter = DynamoMeter(dynamodb)
    for _ in range(5):
        reader.read("shopee", LISTINGS, clock.now())
    # Two gsi1 queries per active state at most, and one batch of summaries: then memory.
    assert meter.requests["BatchGetItem"] == 1
    assert meter.total <= 1 + 2 * 4


def test_expiry_is_not_delayed_by_the_cache(world, dynamodb, table_name, clock):
    reader = ScanVerdictFacts(
        dynamodb, table_name, StrikePolicy(), world.orders._book, max_age=timedelta(days=9999)
    )
    assert reader.read("shopee", [listing(6, "blocked-seller")], clock.now())[0].seller.standing.value == "BLOCKED"
    clock.advance(days=366)
    assert reader.read("shopee", [listing(6, "blocked-seller")], clock.now())[0].seller.standing.value == "GOOD"
