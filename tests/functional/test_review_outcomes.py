"""reportReviewOutcome through the Lambda handler on moto: stored as reviewed, idempotent,
platform only, checked input, no strike, nothing of the listing in the logs, and items that fit
DynamoDB's 400 KB (which moto does not enforce)."""

from __future__ import annotations

import pytest

from tests.functional.conftest import invoke

REPORT = """mutation($i: ReviewOutcomeInput!) {
  reportReviewOutcome(input: $i) { id listingId outcome recordedAt } }"""
LISTING = {
    "listingId": "tkp-9001",
    "sellerId": "seller-9",
    "title": "Jaket bal Korea ZQX-TITLE preloved",
    "description": "stok karung ZQX-DESCRIPTION",
    "priceIdr": 45000,
    "category": "Fashion Pria",
    "url": "https://tokopedia.com/seller-9/jaket-9001",
}


def report(module, key, listing=None, outcome="VIOLATION", idempotency_key="rev-1", **extra):
    variables = {
        "i": {
            "listing": listing or LISTING,
            "outcome": outcome,
            "idempotencyKey": idempotency_key,
            **extra,
        }
    }
    status, body, _ = invoke(module, REPORT, key, variables)
    assert status == 200, body
    return body


def stored_items(dynamodb, table="saring-test-labels"):
    return dynamodb.scan(TableName=table)["Items"]


def test_an_outcome_is_stored_with_the_listing_as_reviewed(lambda_handler, handler_keys, dynamodb):
    body = report(
        lambda_handler, handler_keys["shopee"], modelVersion="listing-classifier-x", note="bal"
    )
    answer = body["data"]["reportReviewOutcome"]
    assert answer["listingId"] == "tkp-9001" and answer["outcome"] == "VIOLATION"
    assert answer["id"].startswith("rvo_") and answer["recordedAt"]
    (item,) = stored_items(dynamodb)
    assert item["pk"] == {"S": "shopee"} and item["sk"] == {"S": "rev-1"}
    assert item["title"]["S"] == LISTING["title"]
    assert item["description"]["S"] == LISTING["description"]
    assert item["price_idr"] == {"N": "45000"}
    assert (item["category"]["S"], item["url"]["S"]) == (LISTING["category"], LISTING["url"])
    assert item["model_version"] == {"S": "listing-classifier-x"}
    assert item["source"] == {"S": "REVIEW"}
    assert int(item["expires_at"]["N"]) > 0  # the TTL attribute the table's retention reads


def test_the_same_key_and_content_returns_the_first_outcome(lambda_handler, handler_keys, dynamodb):
    first = report(lambda_handler, handler_keys["shopee"])["data"]["reportReviewOutcome"]
    again = report(lambda_handler, handler_keys["shopee"])["data"]["reportReviewOutcome"]
    assert again == first
    assert len(stored_items(dynamodb)) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"outcome": "NO_VIOLATION"},
        {"listing": {**LISTING, "title": "Jaket baru"}},
        {"listing": {**LISTING, "priceIdr": 1}},
        {"note": "another note"},
        {"modelVersion": "other"},
    ],
)
def test_the_same_key_with_other_content_is_a_conflict(lambda_handler, handler_keys, dynamodb, change):
    report(lambda_handler, handler_keys["shopee"])
    body = report(lambda_handler, handler_keys["shopee"], **change)
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "CONFLICT", "field": "idempotencyKey"}
    (item,) = stored_items(dynamodb)
    assert item["outcome"] == {"S": "VIOLATION"} and item["title"]["S"] == LISTING["title"]


def test_keys_are_per_platform(lambda_handler, handler_keys, dynamodb):
    report(lambda_handler, handler_keys["shopee"])
    body = report(lambda_handler, handler_keys["tokopedia"], outcome="NO_VIOLATION")
    assert "errors" not in body
    assert sorted(item["pk"]["S"] for item in stored_items(dynamodb)) == ["shopee", "tokopedia"]


def test_a_regulator_is_forbidden_and_nothing_is_stored(lambda_handler, handler_keys, dynamodb):
    body = report(lambda_handler, handler_keys["kemendag"])
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert stored_items(dynamodb) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"listing": {**LISTING, "title": "  "}}, "title"),
        ({"listing": {**LISTING, "description": "x" * 10_001}}, "description"),
        ({"listing": {**LISTING, "priceIdr": -5}}, "priceIdr"),
        ({"listing": {**LISTING, "listingId": ""}}, "listingId"),
        ({"idempotency_key": ""}, "idempotencyKey"),
        ({"idempotency_key": "k" * 129}, "idempotencyKey"),
        ({"note": "n" * 2_001}, "note"),
        ({"modelVersion": "v\x00"}, "modelVersion"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    lambda_handler, handler_keys, dynamodb, change, field
):
    body = report(lambda_handler, handler_keys["shopee"], **change)
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, error
    assert stored_items(dynamodb) == []


def test_an_unknown_outcome_kind_is_refused(lambda_handler, handler_keys):
    body = report(lambda_handler, handler_keys["shopee"], outcome="MAYBE")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_an_outcome_records_no_strike(lambda_handler, handler_keys):
    report(lambda_handler, handler_keys["shopee"])
    _, body, _ = invoke(
        lambda_handler,
        '{ seller(platform: "shopee", sellerId: "seller-9") { standing activeStrikes } }',
        handler_keys["shopee"],
    )
    assert body["data"]["seller"] == {"standing": "GOOD", "activeStrikes": 0}


def test_logs_carry_no_listing_text_or_note(lambda_handler, handler_keys, json_logs):
    report(lambda_handler, handler_keys["shopee"], note="catatan ZQX-NOTE")
    report(lambda_handler, handler_keys["shopee"], note="catatan ZQX-NOTE")  # the replay
    report(lambda_handler, handler_keys["shopee"], note="other ZQX-NOTE")  # the conflict
    logged = json_logs.getvalue()
    assert "review outcome recorded" in logged
    for secret in ("ZQX-TITLE", "ZQX-DESCRIPTION", "ZQX-NOTE", LISTING["url"], "seller-9"):
        assert secret not in logged, secret


# --- the source: REVIEW, or AUDIT_SAMPLE when the listing's verdict is one --------------------


@pytest.fixture
def sample_everything(monkeypatch):
    monkeypatch.setenv("SARING_AUDIT_SAMPLE_RATE", "1")


def test_an_audit_sample_is_recorded_as_such(sample_everything, lambda_handler, handler_keys, dynamodb):
    clean = {"listingId": "L-clean", "sellerId": "s-1", "title": "Kaos polos cotton combed 30s baru"}
    _, verdict, _ = invoke(
        lambda_handler,
        "query($l: ListingInput!) { verdict(listing: $l) { decision auditSample } }",
        handler_keys["shopee"],
        {"l": clean},
    )
    assert verdict["data"]["verdict"] == {"decision": "ALLOW", "auditSample": True}
    report(lambda_handler, handler_keys["shopee"], listing=clean, outcome="NO_VIOLATION", idempotency_key="a")
    report(lambda_handler, handler_keys["shopee"], idempotency_key="b")  # a flagged listing
    sources = {item["listing_id"]["S"]: item["source"]["S"] for item in stored_items(dynamodb)}
    assert sources == {"L-clean": "AUDIT_SAMPLE", "tkp-9001": "REVIEW"}


def test_an_allowed_listing_outside_the_sample_is_a_review(lambda_handler, handler_keys, dynamodb):
    from saring.domain.labels import audit_draw

    secret = lambda_handler.app.services.settings.identity_secret.encode()
    assert audit_draw(secret, "shopee", "L-clean") >= 0.01  # the default rate does not pick it
    clean = {"listingId": "L-clean", "sellerId": "s-1", "title": "Kaos polos cotton combed 30s baru"}
    report(lambda_handler, handler_keys["shopee"], listing=clean, outcome="NO_VIOLATION")
    (item,) = stored_items(dynamodb)
    assert item["source"] == {"S": "REVIEW"}


# --- DynamoDB's 400 KB item limit ---------------------------------------------------------------


def test_the_largest_listing_the_api_accepts_fits_in_one_item(lambda_handler, handler_keys, dynamodb):
    """Every field at its limit, in 4-byte characters (UTF-8's worst case)."""
    from saring.adapters.dynamodb.labels import MAX_ITEM_BYTES, item_size
    from saring.domain.listings import ListingLimits

    limits = ListingLimits()
    wide = "\U0001f455"  # 4 bytes in UTF-8, one character to the API's limits
    huge = {
        "listingId": wide * limits.max_id_chars,
        "sellerId": wide * limits.max_id_chars,
        "title": wide * limits.max_title_chars,
        "description": wide * limits.max_description_chars,
        "priceIdr": 2**31 - 1,
        "category": wide * limits.max_category_chars,
        "url": wide * limits.max_url_chars,
    }
    body = report(
        lambda_handler,
        handler_keys["shopee"],
        listing=huge,
        idempotency_key="k" * 128,
        modelVersion="v" * 128,
        note=wide * 2_000,
    )
    assert "errors" not in body, body
    (item,) = stored_items(dynamodb)
    assert item["description"]["S"] == huge["description"]  # stored whole
    size = item_size(item)
    assert 4 * limits.max_description_chars < size < MAX_ITEM_BYTES


def test_an_item_over_400_kb_is_refused_before_dynamodb(dynamodb, clock):
    """Listing limits keep outcomes far below the limit; were they raised, the store still
    refuses what DynamoDB would (moto would store it)."""
    from datetime import timedelta

    from saring.adapters.dynamodb.labels import DynamoLabelStore
    from saring.domain.errors import BadUserInputError
    from saring.domain.labels import LabelSource, ReviewOutcome, ReviewOutcomeKind
    from saring.domain.listings import Listing

    store = DynamoLabelStore(dynamodb, "saring-test-labels", timedelta(days=1))
    outcome = ReviewOutcome(
        id="rvo_1",
        platform="shopee",
        listing=Listing("L-1", "s-1", "kaos", description="x" * (400 * 1024)),
        outcome=ReviewOutcomeKind.VIOLATION,
        idempotency_key="k",
        model_version=None,
        note=None,
        source=LabelSource.REVIEW,
        recorded_at=clock.now(),
        recorded_by="platform:shopee",
    )
    with pytest.raises(BadUserInputError):
        store.record(outcome)
    assert stored_items(dynamodb) == []
