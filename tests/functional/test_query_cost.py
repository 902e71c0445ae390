"""Query cost (issue 13, finding 4): a budget per operation counted before execution, at most
one verdicts/verdict field per operation, and sellers' strikes loaded together per request.

Ten aliases of verdicts(100) selecting seller { strikes(first: 100) } took 20 s before; the
Lambda timeout is 15 s. Through the Lambda handler on moto.
"""

from __future__ import annotations

import pytest

from tests.functional.conftest import invoke

STRIKES = "seller { standing strikes(first: %s) { edges { node { id source } } } }"


def listings(n: int, sellers: int) -> list[dict]:
    return [
        {"listingId": f"L-{i}", "sellerId": f"s-{i % sellers}", "title": "kemeja batik pria"}
        for i in range(n)
    ]


@pytest.fixture
def no_verdicts_run(lambda_handler, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("a refused operation executed")

    monkeypatch.setattr(lambda_handler.app.services.verdicts, "verdicts", must_not_run)


def refused(lambda_handler, key, query, variables=None) -> dict:
    status, body, _ = invoke(lambda_handler, query, key, variables)
    assert status == 200 and body.get("data") is None, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return error


def test_ten_aliases_of_verdicts_are_refused_before_anything_runs(
    lambda_handler, handler_keys, no_verdicts_run
):
    aliases = " ".join(
        f"v{n}: verdicts(listings: $l) {{ decision {STRIKES % 100} }}" for n in range(10)
    )
    refused(
        lambda_handler,
        handler_keys["shopee"],
        f"query($l: [ListingInput!]!) {{ {aliases} }}",
        {"l": listings(100, 100)},
    )


@pytest.mark.parametrize(
    "query",
    [
        '{ a: verdict(listing: {listingId: "1", sellerId: "s", title: "t"}) { decision }'
        ' b: verdict(listing: {listingId: "2", sellerId: "s", title: "t"}) { decision } }',
        '{ verdict(listing: {listingId: "1", sellerId: "s", title: "t"}) { decision }'
        ' verdicts(listings: []) { decision } }',
        '{ ...A ...B } fragment A on Query { verdicts(listings: []) { decision } }'
        ' fragment B on Query { again: verdicts(listings: []) { score } }',
        '{ ... on Query { verdicts(listings: []) { decision } } verdicts(listings: []) { score } }',
    ],
    ids=["two aliases of verdict", "verdict and verdicts", "through fragments", "inline fragment"],
)
def test_at_most_one_verdicts_field_per_operation(lambda_handler, handler_keys, no_verdicts_run, query):
    error = refused(lambda_handler, handler_keys["shopee"], query)
    assert "one verdict" in error["message"]


def test_the_budget_counts_listings_times_nested_page_sizes_with_variables(
    lambda_handler, handler_keys, no_verdicts_run
):
    query = f"query($l: [ListingInput!]!, $f: Int) {{ verdicts(listings: $l) {{ {STRIKES % '$f'} }} }}"
    error = refused(lambda_handler, handler_keys["shopee"], query, {"l": listings(100, 100), "f": 100})
    assert "cost" in error["message"] and "budget" in error["message"]
    literal = ", ".join(f'{{listingId: "{i}", sellerId: "s", title: "t"}}' for i in range(100))
    inline = f"{{ verdicts(listings: [{literal}]) {{ {STRIKES % 100} }} }}"
    refused(lambda_handler, handler_keys["shopee"], inline)


def test_strikes_of_a_verdicts_call_are_loaded_once_per_seller_together(
    lambda_handler, handler_keys
):
    from saring.adapters.dynamodb.client import dynamodb_client

    for seller in range(5):
        status, body, _ = invoke(
            lambda_handler,
            'mutation($s: ID!, $k: String!) { recordViolation(input: {sellerId: $s, idempotencyKey: $k}) { standing } }',
            handler_keys["shopee"],
            {"s": f"s-{seller}", "k": f"k-{seller}"},
        )
        assert status == 200 and "errors" not in body, body
    queries: list[str] = []
    dynamodb_client().meta.events.register(
        "before-parameter-build.dynamodb.Query",
        lambda params, **_: queries.append(params["ExpressionAttributeValues"][":pk"]["S"]),
    )
    status, body, _ = invoke(
        lambda_handler,
        f"query($l: [ListingInput!]!) {{ verdicts(listings: $l) {{ {STRIKES % 3} }} }}",
        handler_keys["shopee"],
        {"l": listings(40, 5)},  # the budget counts per listing: 40 is within it
    )
    assert status == 200 and "errors" not in body, body
    assert all(len(v["seller"]["strikes"]["edges"]) == 1 for v in body["data"]["verdicts"])
    assert sorted(queries) == [f"SELLER#shopee#s-{n}" for n in range(5)]  # deduplicated


def test_the_costliest_accepted_request_answers_in_full(lambda_handler, handler_keys):
    """As many listings as the budget admits when each one's seller and a page of its strikes
    are selected, every seller distinct with a full page. Its time is a figure of `make bench`
    (bench_gateway.costliest_accepted), not of this test."""
    from saring.api.cost import COSTLIEST_QUERY, costliest_verdicts_with_strikes
    from saring.settings import Settings

    size = costliest_verdicts_with_strikes(Settings())
    assert size >= 10
    for seller in range(size):
        for n in range(10):
            invoke(
                lambda_handler,
                'mutation($s: ID!, $k: String!) { recordViolation(input: {sellerId: $s, idempotencyKey: $k}) { standing } }',
                handler_keys["shopee"],
                {"s": f"s-{seller}", "k": f"k-{seller}-{n}"},
            )
    status, body, _ = invoke(lambda_handler, COSTLIEST_QUERY, handler_keys["shopee"], {"l": listings(size, size)})
    assert status == 200 and "errors" not in body, body
    assert all(len(v["seller"]["strikes"]["edges"]) == 10 for v in body["data"]["verdicts"])
    status, body, _ = invoke(
        lambda_handler, COSTLIEST_QUERY, handler_keys["shopee"], {"l": listings(size + 1, size + 1)}
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # one more is refused


def test_an_audit_trail_counts_as_a_connection_of_its_page_size():
    """auditTrail is a connection (issue 14): its `first` (default 20) sizes it, like strikes."""
    from graphql import parse

    from saring.api.cost import READ_WEIGHT, query_cost

    document = parse(
        'query($f: Int) { seller(platform: "shopee", sellerId: "s") {'
        " auditTrail(first: $f) { edges { node { action } } } } }"
    )

    def cost(variables):
        return query_cost(document, None, variables, 100)

    # seller (1) + one Query of its own + the page, its edges and their nodes
    assert cost({"f": 1}) == 1 + READ_WEIGHT + 3 * 1
    assert cost({"f": 100}) == 1 + READ_WEIGHT + 3 * 100
    assert cost({}) == cost({"f": 20})  # the resolver's default page
