"""Benchmark of the GraphQL gateway, each figure beside its baseline in the same process.

    .venv/bin/python bench/bench_gateway.py     # prints JSON

- cold start: a fresh Python process imports `saring.handlers.api` and answers its first
  `verdicts` call, against a moto server in this process (so the child imports only what
  Lambda imports). The package is compiled to bytecode ahead, as the Lambda build ships it;
  the same package from source and the interpreter's own start-up are reported beside it.
- warm `verdicts` of 1 and 100 listings through the Lambda handler (Mangum, API Gateway 2.0
  event JSON) beside the same query executed directly on the strawberry schema; p50/p99 in ms,
  total and excluding the time spent inside DynamoDB calls (moto, in-process).
- DynamoDB requests and round trips (requests in flight together count once) per operation.
- the costliest request the query budget accepts (a `verdicts` of 100 listings from 100 sellers,
  each with a full page of strikes selected), through the Lambda handler on in-process moto.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
for path in (str(REPO_ROOT / "functions"), str(REPO_ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ["AWS_DEFAULT_REGION"] = "ap-southeast-3"
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

WARM_ROUNDS = 300
IDENTITY_SECRET = "bench-identity-secret-0123456789abcdef"
TITLES = [
    "Kaos polos cotton combed 30s unisex",
    "THR1FT bal Korea jaket wanita preloved ex Jepang",
    "Sepatu running pria original new with box",
    "Kemeja flanel second import kondisi 90% stok beda tiap minggu",
]
VERDICTS = """query($listings: [ListingInput!]!) {
  verdicts(listings: $listings) {
    listingId decision score modelVersion reasons { code message }
    seller { platform sellerId standing activeStrikes }
  }
}"""

COLD_CHILD = r"""
import json, sys, time
started = time.perf_counter()
import saring.handlers.api as api
imported = time.perf_counter()
event = json.loads(sys.argv[1])
response = api.handler(event, type("Context", (), {
    "function_name": "saring-api", "memory_limit_in_mb": 1024, "aws_request_id": "cold",
    "invoked_function_arn": "arn:aws:lambda:ap-southeast-3:123456789012:function:saring-api"})())
answered = time.perf_counter()
assert response["statusCode"] == 200 and "errors" not in json.loads(response["body"]), response
print(json.dumps({"import_ms": (imported - started) * 1000, "first_call_ms": (answered - imported) * 1000}))
"""


# The fixed stack alone, no Saring code: the libraries the handler imports, and the DynamoDB
# client every first call needs. What a cold start cannot go below on this machine.
STACK_CHILD = r"""
import json, time
started = time.perf_counter()
import gc
gc.disable()
import strawberry, strawberry.asgi, graphql, numpy, onnxruntime, mangum, starlette.requests
import botocore.session
from aws_lambda_powertools.logging import Logger
botocore.session.get_session().create_client("dynamodb")
print(json.dumps({"stack_ms": (time.perf_counter() - started) * 1000}))
"""


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered), 3),
        "p99": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
    }


def listings(count: int) -> list[dict[str, Any]]:
    return [
        {
            "listingId": f"l-{n}",
            "sellerId": f"s-{n}",
            "title": TITLES[n % len(TITLES)],
            "priceIdr": 35_000 + n,
        }
        for n in range(count)
    ]


def event_for(query: str, variables: dict, key: str) -> dict[str, Any]:
    from tests.functional.conftest import api_gateway_event

    body = json.dumps({"query": query, "variables": variables})
    return api_gateway_event(body, {"authorization": f"Bearer {key}"})


def on_moto_server() -> dict[str, Any]:
    """Cold start and round trips need real sockets: requests sent together are then truly in
    flight together, as on AWS, so the meter can tell concurrent requests from sequential ones."""
    from mangum import Mangum

    from bench.dynamodb_meter import DynamoMeter
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.adapters.dynamodb.tables import create_table_from_template
    from saring.api.app import create_app
    from saring.bootstrap import build_services
    from saring.local_stack import create_demo_keys, start_local_aws
    from saring.settings import Settings

    local_aws = start_local_aws("127.0.0.1", 0)
    dynamodb_client.cache_clear()
    try:
        settings = Settings.from_env(
            {"SARING_TABLE": "bench-server", "SARING_IDENTITY_SECRET": IDENTITY_SECRET}
        )
        client = dynamodb_client()
        create_table_from_template(client, settings.table_name)
        services = build_services(settings, dynamodb=client)
        keys = {entry["name"]: entry["key"] for entry in create_demo_keys(services)}
        cold = cold_start(settings, keys["shopee"])
        handler = Mangum(create_app(services), lifespan="off")
        trips = round_trips(handler, keys, DynamoMeter(client), services)
        return {"cold_start": cold, "dynamodb_per_operation": trips}
    finally:
        local_aws.stop()
        dynamodb_client.cache_clear()


def cold_start(settings: Any, key: str, runs: int = 11) -> dict[str, Any]:
    """The package as the Lambda build ships it (functions/lambda_build.py: botocore slimmed to
    Saring's services, bytecode compiled ahead), beside the same package from source with the
    full botocore, compiled by each fresh process. The stack-alone baseline runs on the shipped
    botocore too: it is what no change to Saring's own code can go below."""
    import botocore

    event = json.dumps(event_for(VERDICTS, {"listings": listings(10)}, key))
    with tempfile.TemporaryDirectory(prefix="saring-cold-") as shipped:
        shutil.copytree(
            Path(botocore.__file__).parent,
            Path(shipped) / "botocore",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        subprocess.run(
            [sys.executable, str(REPO_ROOT / "functions" / "lambda_build.py"), shipped],
            check=True,
        )
        base_env = {
            **os.environ,
            "SARING_TABLE": settings.table_name,
            "SARING_IDENTITY_SECRET": IDENTITY_SECRET,
            "SARING_MODEL_DIR": str(REPO_ROOT / "models" / "listing-classifier"),
            # Like Lambda's read-only code directory: nothing is compiled and kept between runs.
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        shipped_env = {**base_env, "PYTHONPATH": shipped}
        interpreter, stack, bytecode, source = [], [], [], []
        for _ in range(runs):  # interleaved, so a noisy moment touches all alike
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True, env=base_env)
            interpreter.append((time.perf_counter() - started) * 1000)
            out = subprocess.run(
                [sys.executable, "-c", STACK_CHILD],
                check=True,
                env=shipped_env,
                capture_output=True,
                text=True,
            ).stdout
            stack.append(json.loads(out.strip().splitlines()[-1])["stack_ms"])
            bytecode.append(_cold_child(event, shipped_env))
            source.append(
                _cold_child(event, {**base_env, "PYTHONPATH": str(REPO_ROOT / "functions")})
            )

    def median(samples: list[dict[str, float]], field: str) -> float:
        return round(statistics.median(sample[field] for sample in samples), 1)

    return {
        "runs": runs,
        "import_handler_ms": median(bytecode, "import_ms"),
        "first_verdicts_call_ms": median(bytecode, "first_call_ms"),
        "cold_start_ms": median(bytecode, "total_ms"),
        "baseline_from_source_ms": median(source, "total_ms"),
        "baseline_stack_alone_ms": round(statistics.median(stack), 1),
        # Paired run by run, so the machine's drift between runs cancels out.
        "saring_over_stack_ms": round(
            statistics.median(
                run["total_ms"] - alone for run, alone in zip(bytecode, stack, strict=True)
            ),
            1,
        ),
        "baseline_bare_interpreter_ms": round(statistics.median(interpreter), 1),
        "target_ms": 800,
    }


def _cold_child(event: str, env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", COLD_CHILD, event],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    sample = json.loads(out.strip().splitlines()[-1])
    return {**sample, "total_ms": sample["import_ms"] + sample["first_call_ms"]}


def in_process_services(table: str) -> tuple[Any, Any, Any, str, Any]:
    """Inside ``mock_aws``: a fresh table on in-process moto and the services over it, with the
    first demo key and the platform it authenticates; (client, settings, services, key, platform)."""
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.adapters.dynamodb.tables import create_table_from_template
    from saring.bootstrap import build_services
    from saring.local_stack import create_demo_keys
    from saring.settings import Settings

    dynamodb_client.cache_clear()
    client = dynamodb_client()
    settings = Settings.from_env(
        {"SARING_TABLE": table, "SARING_IDENTITY_SECRET": IDENTITY_SECRET, "SARING_KEY_CACHE_SECONDS": "3600"}
    )
    create_table_from_template(client, settings.table_name)
    services = build_services(settings, dynamodb=client)
    key = create_demo_keys(services)[0]["key"]
    return client, settings, services, key, services.authenticator.authenticate(f"Bearer {key}")


def warm() -> dict[str, Any]:
    """In-process moto: its time is measured by the meter and taken out of the figures."""
    from mangum import Mangum
    from moto import mock_aws

    from bench.dynamodb_meter import DynamoMeter
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.api.app import create_app
    from saring.api.context import RequestContext
    from tests.functional.conftest import LambdaContext

    with mock_aws():
        client, _, services, key, platform = in_process_services("bench-warm")
        app = create_app(services)
        handler = Mangum(app, lifespan="off")
        schema = app._graphql.schema
        meter = DynamoMeter(client)

        def through_handler(variables: dict) -> None:
            response = handler(event_for(VERDICTS, variables, key), LambdaContext())
            assert response["statusCode"] == 200, response

        def on_schema(variables: dict) -> None:
            result = schema.execute_sync(
                VERDICTS,
                variable_values=variables,
                context_value=RequestContext(services=services, principal=platform),
            )
            assert result.errors is None, result.errors

        figures: dict[str, Any] = {}
        for size in (1, 100):
            variables = {"listings": listings(size)}
            for path, call in (("lambda_handler", through_handler), ("schema_direct", on_schema)):
                for _ in range(20):
                    call(variables)
                totals, excluding = [], []
                for _ in range(WARM_ROUNDS):
                    meter.reset()
                    started = time.perf_counter()
                    call(variables)
                    elapsed = (time.perf_counter() - started) * 1000
                    totals.append(elapsed)
                    excluding.append(elapsed - meter.seconds * 1000)
                figures[f"verdicts_{size}_{path}_ms"] = percentiles(totals)
                figures[f"verdicts_{size}_{path}_excluding_dynamodb_ms"] = percentiles(excluding)
        figures["target_verdicts_100_p50_excluding_dynamodb_ms"] = 30
        dynamodb_client.cache_clear()
        return figures


def round_trips(handler: Any, keys: dict[str, str], meter: Any, services: Any) -> dict[str, Any]:
    from tests.functional.conftest import LambdaContext

    def measure(name: str, key: str, query: str, variables: dict) -> dict[str, Any]:
        services.authenticator.authenticate(f"Bearer {key}")  # the per-container key cache
        meter.reset()
        response = handler(event_for(query, variables, key), LambdaContext())
        body = json.loads(response["body"])
        assert "errors" not in body, (name, body)
        return {"requests": meter.total, "round_trips": meter.round_trips, **dict(meter.requests)}

    seller_listings = listings(100)
    results = {
        "verdicts_100_listings_100_sellers": measure(
            "verdicts", keys["shopee"], VERDICTS, {"listings": seller_listings}
        ),
        "verdicts_1_listing": measure(
            "verdict", keys["shopee"], VERDICTS, {"listings": listings(1)}
        ),
        "recordViolation": measure(
            "recordViolation",
            keys["shopee"],
            "mutation($i: RecordViolationInput!) { recordViolation(input: $i) { standing activeStrikes } }",
            {"i": {"sellerId": "s-1", "idempotencyKey": "bench-1", "listingId": "l-1"}},
        ),
        "seller": measure(
            "seller",
            keys["shopee"],
            'query { seller(platform: "shopee", sellerId: "s-1") { standing activeStrikes '
            "strikes(first: 10) { edges { node { id } } } } }",
            {},
        ),
        "linkSellerIdentity": measure(
            "linkSellerIdentity",
            keys["shopee"],
            "mutation($i: LinkSellerIdentityInput!) { linkSellerIdentity(input: $i) { standing } }",
            {"i": {"sellerId": "s-1", "phone": "081234567890"}},
        ),
    }
    order = measure(
        "issueTakedown",
        keys["kemendag"],
        "mutation($i: IssueTakedownInput!) { issueTakedown(input: $i) { targets { id } } }",
        {
            "i": {
                "reference": "BENCH/1",
                "legalBasis": "Permendag 40/2022",
                "reason": "bench",
                "targets": [
                    {
                        "platform": "shopee",
                        "kind": "LISTING",
                        "value": f"l-{n}",
                        "sellerId": f"s-{n}",
                    }
                    for n in range(10)
                ],
            }
        },
    )
    results["issueTakedown_10_targets"] = order
    results["budget_verdicts_round_trips"] = 2
    results["note"] = (
        "round_trips counts requests in flight together once; the API key lookup is cached per "
        "container and is not in these counts after the first request"
    )
    return results


def costliest_accepted(rounds: int = 5) -> dict[str, Any]:
    """The costliest request the query budget accepts, against data that fills every page it
    asks for: a `verdicts` of as many listings as the budget admits when each one's seller and
    first page of strikes are selected, every seller distinct with 10 strikes."""
    from graphql import parse
    from mangum import Mangum
    from moto import mock_aws

    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.api.app import create_app
    from saring.api.cost import COSTLIEST_QUERY, costliest_verdicts_with_strikes, query_cost
    from saring.local_moto import tune_for_local_stack
    from tests.functional.conftest import LambdaContext

    # Seeding strikes on moto as shipped copies the table in every transaction (quadratic); the
    # local stack's tuning, which the test suite runs with, keeps it to seconds.
    tune_for_local_stack()
    with mock_aws():
        _, settings, services, key, platform = in_process_services("bench-costliest")
        size = costliest_verdicts_with_strikes(settings)
        for seller in range(size):
            for n in range(10):
                services.ledger.record_violation(
                    platform, f"s-{seller}", None, None, f"k-{seller}-{n}"
                )
        handler = Mangum(create_app(services), lifespan="off")
        variables = {
            "l": [dict(listing, sellerId=f"s-{i}") for i, listing in enumerate(listings(size))]
        }
        cost = query_cost(parse(COSTLIEST_QUERY), None, variables, settings.max_batch)
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            response = handler(event_for(COSTLIEST_QUERY, variables, key), LambdaContext())
            timings.append((time.perf_counter() - started) * 1000)
            body = json.loads(response["body"])
            assert response["statusCode"] == 200 and "errors" not in body, body
            assert len(body["data"]["verdicts"][0]["seller"]["strikes"]["edges"]) == 10
        refused = handler(
            event_for(COSTLIEST_QUERY, {"l": variables["l"] + variables["l"][:1]}, key),
            LambdaContext(),
        )
        assert "budget" in refused["body"], refused
        dynamodb_client.cache_clear()
        return {
            "query": f"verdicts of {size} listings from {size} sellers with reasons, each "
            "seller's standing and strikes (first 10, edges and nodes), 10 strikes each; "
            "one listing more is refused",
            "cost": cost,
            "budget": settings.max_query_cost,
            "ms": {
                "min": round(min(timings), 1),
                "p50": round(statistics.median(timings), 1),
                "max": round(max(timings), 1),
            },
            "target_ms": 5000,
        }


def run() -> dict[str, Any]:
    return {**on_moto_server(), "warm": warm(), "costliest_accepted": costliest_accepted()}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
