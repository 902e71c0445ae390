"""The Lambda handler itself, fed API Gateway HTTP API (2.0) events, on moto and the real model."""

from __future__ import annotations

import json

import pytest

from tests.functional.conftest import LambdaContext, api_gateway_event, invoke

ME = "{ me { role name platform agency } }"
VERDICTS = """query($listings: [ListingInput!]!) {
  verdicts(listings: $listings) {
    listingId decision score modelVersion reasons { code message }
    seller { platform sellerId standing activeStrikes }
  }
}"""


def listing(n: int, title: str = "Kaos polos katun combed 30s", **extra) -> dict:
    return {"listingId": f"l-{n}", "sellerId": f"s-{n}", "title": title, **extra}


def test_me_answers_for_each_demo_key(lambda_handler, handler_keys):
    status, body, _ = invoke(lambda_handler, ME, handler_keys["shopee"])
    assert status == 200
    assert body["data"]["me"] == {
        "role": "PLATFORM", "name": "platform:shopee", "platform": "shopee", "agency": None,
    }
    _, body, _ = invoke(lambda_handler, ME, handler_keys["kemendag"])
    assert body["data"]["me"]["agency"] == "kemendag"


@pytest.mark.parametrize("key", [None, "srg_not-a-real-key"])
def test_no_key_or_a_bad_key_is_401_before_any_resolver(lambda_handler, key, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("a resolver ran without a valid key")

    monkeypatch.setattr(lambda_handler.app.services.verdicts, "verdicts", must_not_run)
    status, body, response = invoke(lambda_handler, VERDICTS, key, {"listings": [listing(1)]})
    assert status == 401
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response["headers"]["www-authenticate"].startswith("Bearer")


def test_verdicts_come_from_the_real_model(lambda_handler, handler_keys):
    listings = [
        listing(1),
        listing(2, "THR1FT bal Korea jaket preloved ex Jepang, stok beda tiap minggu", priceIdr=35000),
    ]
    status, body, _ = invoke(lambda_handler, VERDICTS, handler_keys["shopee"], {"listings": listings})
    assert status == 200, body
    clean, thrift = body["data"]["verdicts"]
    assert clean["decision"] == "ALLOW" and clean["reasons"] == []
    assert thrift["decision"] in {"REVIEW", "TAKEDOWN"}
    assert thrift["score"] > clean["score"]
    assert thrift["seller"] == {
        "platform": "shopee", "sellerId": "s-2", "standing": "GOOD", "activeStrikes": 0,
    }
    assert any(r["code"] == "MODEL_EVIDENCE" for r in thrift["reasons"])
    assert clean["modelVersion"] == lambda_handler.app.services.classifier.version


def test_a_regulator_asking_for_verdicts_is_forbidden(lambda_handler, handler_keys):
    status, body, _ = invoke(
        lambda_handler, VERDICTS, handler_keys["kemendag"], {"listings": [listing(1)]}
    )
    assert status == 200
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_batch_over_the_limit_is_one_bad_user_input(lambda_handler, handler_keys):
    listings = [listing(n) for n in range(101)]
    status, body, _ = invoke(lambda_handler, VERDICTS, handler_keys["shopee"], {"listings": listings})
    assert status == 200 and body["data"] is None
    error = body["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "listings"}
    assert "listings" in error["message"]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (listing(1, "x" * 501), "title"),
        (listing(1, description="x" * 10_001), "description"),
        (listing(1, ""), "title"),
        (listing(1, priceIdr=-5), "priceIdr"),
    ],
)
def test_a_bad_listing_is_null_in_place_with_its_field_and_listing(
    lambda_handler, handler_keys, bad, field
):
    listings = [listing(0), bad]
    status, body, _ = invoke(lambda_handler, VERDICTS, handler_keys["shopee"], {"listings": listings})
    assert status == 200
    assert body["data"]["verdicts"][0]["listingId"] == "l-0" and body["data"]["verdicts"][1] is None
    (error,) = body["errors"]
    assert error["path"] == ["verdicts", 1]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field, "listingId": "l-1"}
    assert "listings[1]" in error["message"]


def test_wrong_types_are_bad_user_input(lambda_handler, handler_keys):
    status, body, _ = invoke(
        lambda_handler, VERDICTS, handler_keys["shopee"], {"listings": [{"listingId": 1}]}
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_body_over_one_mebibyte_is_413(lambda_handler, handler_keys):
    payload = json.dumps({"query": ME, "variables": {"padding": "x" * (1024 * 1024)}})
    event = api_gateway_event(payload, {"authorization": f"Bearer {handler_keys['shopee']}"})
    response = lambda_handler.handler(event, LambdaContext())
    assert response["statusCode"] == 413


def test_many_aliases_and_too_many_tokens_are_refused(lambda_handler, handler_keys):
    aliases = " ".join(f"a{n}: me {{ name }}" for n in range(40))
    _, body, _ = invoke(lambda_handler, f"{{ {aliases} }}", handler_keys["shopee"])
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "aliases" in body["errors"][0]["message"]
    fields = " ".join(["name"] * 3000)
    _, body, _ = invoke(lambda_handler, f"{{ me {{ {fields} }} }}", handler_keys["shopee"])
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_query_depth_is_limited(services):
    import dataclasses

    from saring.api.context import RequestContext
    from saring.api.schema import build_schema
    from saring.service.keys import principal_for

    # The schema has no cycles, so its own depth is bounded; a lower limit shows the rule is on.
    schema = build_schema(dataclasses.replace(services.settings, max_query_depth=3))
    context = RequestContext(services, principal_for("regulator", None, "kemendag"))
    deep = '{ seller(platform: "shopee", sellerId: "s") { strikes { edges { node { id } } } } }'
    result = schema.execute_sync(deep, context_value=context)
    assert result.errors and "exceeds maximum operation depth" in result.errors[0].message


def test_internal_errors_are_masked_and_logged(lambda_handler, handler_keys, monkeypatch, json_logs):
    def broken(listings):
        raise RuntimeError("onnx exploded at /opt/model/model.onnx")

    monkeypatch.setattr(lambda_handler.app.services.classifier, "score", broken)
    _, body, _ = invoke(lambda_handler, VERDICTS, handler_keys["shopee"], {"listings": [listing(1)]})
    error = body["errors"][0]
    assert error == {
        "message": "Internal server error",
        "locations": error["locations"],
        "path": ["verdicts"],
        "extensions": {"code": "INTERNAL"},
    }
    logged = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    failure = next(line for line in logged if line["level"] == "ERROR")
    assert "onnx exploded" in failure["exception"]


def test_logs_are_json_with_a_correlation_id_and_no_listing_text_or_key(
    lambda_handler, handler_keys, json_logs
):
    secret_title = "Jaket THR1FT rahasia-unik-12345"
    invoke(lambda_handler, VERDICTS, handler_keys["shopee"], {"listings": [listing(1, secret_title)]})
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    assert lines, "the handler logged nothing"
    request_log = next(line for line in lines if line["message"] == "request")
    assert request_log["correlation_id"] == "Ab1CdEfGhIjKlMn="
    assert request_log["status"] == 200 and request_log["principal"] == "platform:shopee"
    text = json.dumps(lines)
    assert "rahasia-unik-12345" not in text
    assert handler_keys["shopee"] not in text


def test_graphiql_page_is_served_without_a_key(lambda_handler):
    event = api_gateway_event("", {"accept": "text/html"})
    event["requestContext"]["http"]["method"] = "GET"
    event["routeKey"] = "GET /graphql"
    response = lambda_handler.handler(event, LambdaContext())
    assert response["statusCode"] == 200
    assert "graphiql" in response["body"].lower()


def test_other_paths_are_404(lambda_handler, handler_keys):
    event = api_gateway_event(json.dumps({"query": ME}), {"authorization": f"Bearer {handler_keys['shopee']}"})
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/prod/admin"
    assert lambda_handler.handler(event, LambdaContext())["statusCode"] == 404


def _get_event(query_string: str, accept: str, key: str | None = None) -> dict:
    headers = {"accept": accept}
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    event = api_gateway_event("", headers)
    event["requestContext"]["http"]["method"] = "GET"
    event["routeKey"] = "GET /graphql"
    event["rawQueryString"] = query_string
    return event


@pytest.mark.parametrize(
    "query_string",
    [
        "query=%7B%20__typename%20%7D",
        "query=%7B__schema%7Btypes%7Bname%7D%7D%7D",
        "query=",
        "operationName=x&query=%7B%20me%20%7B%20role%20%7D%20%7D",
    ],
)
@pytest.mark.parametrize("accept", ["text/html", "text/html,application/json", "*/*"])
def test_a_get_with_a_query_needs_a_key_through_the_lambda_handler(
    lambda_handler, query_string, accept
):
    # Only the bare GraphiQL page may be served without a key; anything that names a query
    # (even an empty one) is an operation and must be refused before it executes.
    response = lambda_handler.handler(_get_event(query_string, accept), LambdaContext())
    assert response["statusCode"] == 401, response
    body = json.loads(response["body"])
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_get_with_a_query_and_a_key_still_runs(lambda_handler, handler_keys):
    event = _get_event("query=%7B%20__typename%20%7D", "application/json", handler_keys["shopee"])
    response = lambda_handler.handler(event, LambdaContext())
    assert response["statusCode"] == 200, response
    assert json.loads(response["body"])["data"] == {"__typename": "Query"}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_graphql_view_refuses_to_execute_without_a_principal(services, method):
    # The gateway is the first line; the GraphQL view itself must not execute an operation
    # when a request reaches it without a principal (a gateway change, a new route).
    import asyncio

    import httpx

    from saring.api.app import SaringGraphQL

    view = SaringGraphQL(services)

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=view)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            if method == "GET":
                return await client.get(
                    "/graphql", params={"query": "{ __typename }"}, headers={"accept": "text/html"}
                )
            return await client.post("/graphql", json={"query": "{ __typename }"})

    response = asyncio.run(call())
    assert response.status_code == 401, response.text
    assert "data" not in response.json()
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
