"""The verdicts use case against fakes: validation, one batch, policy applied per listing."""

import pytest

from saring.domain.errors import BadUserInputError, ForbiddenError
from saring.domain.listings import Listing, ListingLimits
from saring.domain.principals import Principal, Role
from saring.domain.standing import SellerStanding, Standing
from saring.domain.verdicts import Decision
from saring.service.verdicts import VerdictService
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
    ("listings", "field"),
    [
        ([], "listings"),
        ([listing(n) for n in range(101)], "listings"),
        ([listing(title="")], "title"),
        ([listing(title="   ")], "title"),
        ([listing(title="x" * 501)], "title"),
        ([listing(description="x" * 10_001)], "description"),
        ([listing(price_idr=-1)], "priceIdr"),
        ([Listing(listing_id="", seller_id="s", title="t")], "listingId"),
        ([Listing(listing_id="l", seller_id="", title="t")], "sellerId"),
    ],
)
def test_bad_input_names_the_field_and_scores_nothing(service, listings, field):
    with pytest.raises(BadUserInputError) as raised:
        service.verdicts(SHOPEE, listings)
    assert raised.value.field == field
    assert service._classifier.batches == []


def test_the_limits_themselves_are_accepted(service):
    edge = listing(title="x" * 500, description="y" * 10_000, price_idr=0)
    assert len(service.verdicts(SHOPEE, [edge] * 100)) == 100


def test_the_error_names_the_listing(service):
    with pytest.raises(BadUserInputError) as raised:
        service.verdicts(SHOPEE, [listing(1), listing(2, title="")])
    assert "listings[1]" in raised.value.message and "l-2" in raised.value.message


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
