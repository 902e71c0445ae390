"""Input that does not coerce, through the Lambda handler: a plain message (no Python
internals such as "invalid literal for int() with base 10: b'yest'") and `extensions.field`
naming the argument as the caller wrote it."""

from __future__ import annotations

import re

import pytest

from tests.functional.conftest import invoke

UNTIL = 'until: "2030-01-01T00:00:00+07:00"'
COMPLIANCE = 'query($d: DateTime!) { compliance(platform: "shopee", since: $d, ' + UNTIL + ") { received } }"
TARGETS = "query($f: Int) { takedownTargets(first: $f) { edges { node { id } } } }"
VERDICTS = "query($l: [ListingInput!]!) { verdicts(listings: $l) { decision } }"
VERDICT = "query($l: ListingInput!) { verdict(listing: $l) { decision } }"
LISTING = {"listingId": "a", "sellerId": "b", "title": "kaos"}

CASES = [
    ("kemendag", COMPLIANCE, {"d": "yest"}, "since", "2026-01-01T00:00:00+07:00"),
    ("kemendag", COMPLIANCE, {"d": 20260101}, "since", "ISO 8601"),
    ("kemendag", '{ compliance(platform: "shopee", since: "yest", ' + UNTIL + ") { received } }",
     None, "since", "ISO 8601"),
    ("kemendag", '{ compliance(platform: "shopee", since: "2026-01-01T00:00:00+07:00") { received } }',
     None, "until", "until"),
    ("shopee", TARGETS, {"f": "yest"}, "first", "Int"),
    ("shopee", VERDICTS, {"l": [LISTING, {**LISTING, "priceIdr": "yest"}]}, "listings[1].priceIdr", "Int"),
    ("shopee", VERDICT, {"l": {"listingId": "a", "title": "kaos"}}, "listing.sellerId", "sellerId"),
    ("shopee", '{ verdict(listing: {listingId: "a", sellerId: "b", title: "x", priceIdr: "yest"}) { decision } }',
     None, "listing.priceIdr", "Int"),
    ("shopee", '{ verdict(listing: {listingId: "a", sellerId: "b", title: "x", bogus: 1}) { decision } }',
     None, "listing.bogus", "bogus"),
]
PYTHON_INTERNALS = re.compile(r"invalid literal|int\(\)|b'|base 10|Traceback|\{'\w+': ")


@pytest.mark.parametrize(("who", "query", "variables", "field", "says"), CASES)
def test_input_errors_are_plain_and_name_their_field(
    lambda_handler, handler_keys, who, query, variables, field, says
):
    status, body, _ = invoke(lambda_handler, query, handler_keys[who], variables)
    assert status in (200, 400)
    assert "data" not in body or body["data"] is None
    errors = body["errors"]
    assert [error["extensions"]["code"] for error in errors] == ["BAD_USER_INPUT"] * len(errors)
    error = next(error for error in errors if error["extensions"].get("field") == field)
    assert says in error["message"]
    assert not PYTHON_INTERNALS.search(error["message"]), error["message"]
