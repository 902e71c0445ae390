"""The verdicts use case against fakes: validation, one batch, policy applied per listing."""

import pytest

from saring.domain.errors import BadUserInputError, ForbiddenError
from saring.domain.listings import Listing, ListingLimits, ListingRefusedError
from saring.domain.principals import Principal, Role
from saring.domain.standing import SellerStanding, Standing
from saring.domain.verdicts import Decision
from saring.service.verdicts import VerdictResult, VerdictService
from tests.fakes import FixedFacts, KeywordClassifier

SHOPEE = Principal(Role.PLATFORM, "platform:shopee", platform="shopee")
KEMENDAG = Principal(Role.REGULATOR, "regulator:kemendag", agency="kemendag")


def listing(n=1, title="Kaos polos katun", **extra):
    return Listing(listing_id=f"l-{n}", seller_id=f"s-{n}", title=title, **extra)


@pytest.fixture
def service(clock):
    return VerdictService(KeywordClassifier(), FixedFacts(), clock, ListingLimits())


def test_a_batch_is_scored_in_one_call_and_answered_in_order(service):
    listings = [listing(n, "thrift bal korea" if n % 2 else "kaos baru") for n in range(10)]
    results = service.verdicts(SHOPEE, listings)
    assert service._classifier.batches == [10]
    assert [r.listing_id for r in results] == [f"l-{n}" for n in range(10)]
    assert [r.decision for r in results[:2]] == [Decision.ALLOW, Decision.TAKEDOWN]
    assert results[1].model_version == "fake-1"


def test_a_blocked_seller_is_taken_down(service):
    service._facts.sellers["s-1"] = SellerStanding("shopee", "s-1", Standing.BLOCKED, 3)
    (result,) = service.verdicts(SHOPEE, [listing()])
    assert result.decision is Decision.TAKEDOWN
    assert result.seller.standing is Standing.BLOCKED


def test_regulators_do_not_ask_for_verdicts(service):
    with pytest.raises(ForbiddenError):
        service.verdicts(KEMENDAG, [listing()])


@pytest.mark.parametrize(
    "listings", [[], [listing(n) for n in range(101)]], ids=["empty", "101"]
)
def test_a_batch_out_of_bounds_is_refused_whole(service, listings):
    with pytest.raises(BadUserInputError) as raised:
        service.verdicts(SHOPEE, listings)
    assert raised.value.field == "listings"
    assert service._classifier.batches == []


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (listing(title=""), "title"),
        (listing(title="   "), "title"),
        (listing(title="x" * 501), "title"),
        (listing(description="x" * 10_001), "description"),
        (listing(price_idr=-1), "priceIdr"),
        (Listing(listing_id="", seller_id="s", title="t"), "listingId"),
        (Listing(listing_id="l", seller_id="", title="t"), "sellerId"),
    ],
)
def test_a_bad_listing_is_refused_in_place_and_scores_nothing(service, bad, field):
    (result,) = service.verdicts(SHOPEE, [bad])
    assert isinstance(result, ListingRefusedError)
    assert result.field == field
    assert result.extensions == {"listingId": bad.listing_id}
    assert service._classifier.batches == []


def test_one_bad_listing_costs_the_others_nothing(service):
    listings = [listing(n, "thrift bal korea") for n in range(5)]
    listings[3] = listing(3, title="")
    results = service.verdicts(SHOPEE, listings)
    assert [type(r) for r in results] == [VerdictResult] * 3 + [ListingRefusedError, VerdictResult]
    assert [r.listing_id for r in results if isinstance(r, VerdictResult)] == [
        "l-0", "l-1", "l-2", "l-4"
    ]
    assert service._classifier.batches == [4]  # the good ones, still in one batch
    assert "listings[3]" in results[3].message and "l-3" in results[3].message


def test_a_repeated_listing_id_is_refused_after_its_first(service):
    listings = [listing(1), listing(2), listing(1, "thrift bal"), listing(1)]
    results = service.verdicts(SHOPEE, listings)
    assert isinstance(results[0], VerdictResult) and isinstance(results[1], VerdictResult)
    for index in (2, 3):
        assert isinstance(results[index], ListingRefusedError)
        assert results[index].field == "listingId"
        assert results[index].extensions == {"listingId": "l-1"}
        assert "repeats listings[0]" in results[index].message


def test_an_overlong_listing_id_is_cut_in_the_error(service):
    (result,) = service.verdicts(SHOPEE, [Listing(listing_id="x" * 5_000, seller_id="s", title="t")])
    assert result.field == "listingId" and result.extensions["listingId"] == "x" * 200


def test_every_listing_refused_scores_nothing(service):
    results = service.verdicts(SHOPEE, [listing(1, title=""), listing(2, price_idr=-5)])
    assert all(isinstance(r, ListingRefusedError) for r in results)
    assert service._classifier.batches == []


def test_the_limits_themselves_are_accepted(service):
    edges = [listing(n, title="x" * 500, description="y" * 10_000, price_idr=0) for n in range(100)]
    assert all(isinstance(r, VerdictResult) for r in service.verdicts(SHOPEE, edges))


def test_batch_verdicts_are_the_verdicts_field_by_field(service):
    service._facts.sellers["s-3"] = SellerStanding("shopee", "s-3", Standing.WARNED, 1)
    listings = [listing(n, "thrift bal korea" if n % 2 else "kaos baru") for n in range(6)]
    results = service.verdicts(SHOPEE, listings)
    batch = service.batch_verdicts(SHOPEE, listings)
    assert batch.decisions == [r.decision for r in results]
    assert batch.scores == [r.score for r in results]
    assert batch.reasons == [r.reasons for r in results]
    assert batch.sellers == [r.seller for r in results]
    assert {batch.model_version} == {r.model_version for r in results}
