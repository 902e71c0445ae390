"""A batch fails one listing at a time: a bad or repeated listing is null in its place, with an
error at ["verdicts", index] carrying code, field and listingId; the others get verdicts.
Through strawberry's schema and through the Lambda handler on moto."""

from __future__ import annotations

from saring.api.context import RequestContext
from saring.api.schema import build_schema
from saring.service.keys import principal_for
from tests.functional.conftest import invoke

QUERY = """query($l: [ListingInput!]!) {
  verdicts(listings: $l) { listingId decision score reasons { code } seller { standing } } }"""


def listing(n: int, **extra) -> dict:
    return {"listingId": f"L-{n}", "sellerId": f"s-{n}", "title": "THR1FT bal Korea jaket", **extra}


def batch_of_100_with_two_bad() -> list[dict]:
    listings = [listing(n) for n in range(100)]
    listings[3] = listing(3, title="")  # a bad field
    listings[57] = listing(12)  # a listingId already at index 12
    return listings


def check(body: dict) -> None:
    verdicts = body["data"]["verdicts"]
    assert len(verdicts) == 100
    assert verdicts[3] is None and verdicts[57] is None
    assert all(v is not None and v["decision"] in {"REVIEW", "TAKEDOWN"} for i, v in enumerate(verdicts) if i not in (3, 57))
    assert [v["listingId"] for v in verdicts if v][:4] == ["L-0", "L-1", "L-2", "L-4"]
    errors = sorted(body["errors"], key=lambda e: e["path"])
    assert [e["path"] for e in errors] == [["verdicts", 3], ["verdicts", 57]]
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "title", "listingId": "L-3"}
    assert errors[1]["extensions"] == {"code": "BAD_USER_INPUT", "field": "listingId", "listingId": "L-12"}
    assert "repeats listings[12]" in errors[1]["message"]


def test_through_strawberry(services):
    schema = build_schema(services.settings)
    result = schema.execute_sync(
        QUERY,
        variable_values={"l": batch_of_100_with_two_bad()},
        context_value=RequestContext(services, principal_for("platform", "shopee", None)),
    )
    check({"data": result.data, "errors": [error.formatted for error in result.errors]})


def test_through_the_lambda_handler(lambda_handler, handler_keys):
    status, body, _ = invoke(lambda_handler, QUERY, handler_keys["shopee"], {"l": batch_of_100_with_two_bad()})
    assert status == 200
    check(body)


def test_a_whole_batch_out_of_bounds_is_still_one_error(lambda_handler, handler_keys):
    status, body, _ = invoke(lambda_handler, QUERY, handler_keys["shopee"], {"l": [listing(n) for n in range(101)]})
    assert status == 200 and body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "listings"}


def test_a_single_bad_verdict_is_an_error_with_the_listing(lambda_handler, handler_keys):
    query = "query($l: ListingInput!) { verdict(listing: $l) { decision } }"
    status, body, _ = invoke(lambda_handler, query, handler_keys["shopee"], {"l": listing(1, priceIdr=-1)})
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "priceIdr", "listingId": "L-1"}
