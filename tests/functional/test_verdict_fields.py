"""Clearer verdict fields: `Reason.code` is the ReasonCode enum, and `score` is the model's score
whatever decides the verdict (an order, a block), through the Lambda handler on moto."""

from __future__ import annotations

from saring.domain.listings import Listing
from saring.domain.verdicts import ReasonCode
from tests.functional.conftest import invoke

VERDICT = """query($l: ListingInput!) { verdict(listing: $l) { decision score reasons { code } } }"""
BENIGN = "Kemeja batik tulis Pekalongan baru"


def model_score(module, listing_id: str, seller_id: str, title: str) -> float:
    (score,) = module.app.services.classifier.score([Listing(listing_id, seller_id, title)])
    return score


def test_reason_codes_are_the_enum(lambda_handler, handler_keys):
    status, body, _ = invoke(
        lambda_handler,
        '{ __type(name: "ReasonCode") { kind enumValues { name } } }',
        handler_keys["shopee"],
    )
    assert body["data"]["__type"]["kind"] == "ENUM"
    assert {v["name"] for v in body["data"]["__type"]["enumValues"]} == {c.value for c in ReasonCode}


def test_score_is_the_models_when_a_block_or_an_order_decides(lambda_handler, handler_keys):
    shopee, kemendag = handler_keys["shopee"], handler_keys["kemendag"]
    for n in range(3):
        invoke(
            lambda_handler,
            "mutation($i: RecordViolationInput!) { recordViolation(input: $i) { standing } }",
            shopee,
            {"i": {"sellerId": "blocked-1", "idempotencyKey": f"k-{n}"}},
        )
    invoke(
        lambda_handler,
        """mutation { issueTakedown(input: {reference: "R-1", legalBasis: "Permendag 40/2022",
        reason: "used clothing", targets: [{platform: "shopee", kind: LISTING, value: "ordered-1"}]}) { id } }""",
        kemendag,
    )
    cases = {
        ("L-b", "blocked-1"): ReasonCode.SELLER_BLOCKED,
        ("ordered-1", "clean-1"): ReasonCode.ACTIVE_ORDER,
    }
    for (listing_id, seller_id), code in cases.items():
        listing = {"listingId": listing_id, "sellerId": seller_id, "title": BENIGN}
        _, body, _ = invoke(lambda_handler, VERDICT, shopee, {"l": listing})
        verdict = body["data"]["verdict"]
        assert verdict["decision"] == "TAKEDOWN"
        assert verdict["reasons"][0]["code"] == code.value
        expected = model_score(lambda_handler, listing_id, seller_id, BENIGN)
        assert 0.0 < expected < 0.5  # a benign title: the model alone would allow it
        assert verdict["score"] == expected
