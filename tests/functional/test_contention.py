"""Contention is retryable: 64 concurrent recordViolation calls on one seller, from clients
that retry what the API marks `retryable` (as docs/api.md says), end with exactly 64 strikes.

The ledger is built with one attempt per call, and every call's first transaction waits until
all 64 have read the seller: 63 of those transactions are cancelled by the one that commits, so
the clients see contention every run, not by chance.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from saring.adapters.dynamodb.ledger import DynamoLedger
from saring.api.context import RequestContext
from saring.api.schema import build_schema
from saring.bootstrap import build_services
from saring.domain.principals import Principal, Role
from saring.domain.strikes import StrikePolicy
from saring.settings import Settings
from tests.fakes import KeywordClassifier
from tests.functional.test_ledger_dynamodb import moto_server_client  # noqa: F401 - fixture

CALLS = 64
RECORD = """mutation($i: RecordViolationInput!) { recordViolation(input: $i) { activeStrikes } }"""
SELLER = """{ seller(platform: "shopee", sellerId: "s-hot") { activeStrikes
  strikes(first: 100) { edges { node { id } } } } }"""
SHOPEE = Principal(Role.PLATFORM, "platform:shopee", platform="shopee")
REGULATOR = Principal(Role.REGULATOR, "regulator:kemendag", agency="kemendag")

pytestmark = pytest.mark.timeout(180)


class FirstWritesTogether:
    """The DynamoDB client, except that each thread's first transaction waits for all."""

    def __init__(self, client, parties: int) -> None:
        self._client = client
        self._barrier = threading.Barrier(parties, timeout=60)
        self._seen = threading.local()
        self.together = True

    def transact_write_items(self, **request):
        if self.together and not getattr(self._seen, "waited", False):
            self._seen.waited = True
            self._barrier.wait()
        return self._client.transact_write_items(**request)

    def __getattr__(self, name):
        return getattr(self._client, name)


def test_clients_that_retry_as_documented_end_with_exact_counts(moto_server_client, clock):  # noqa: F811
    client, table = moto_server_client
    dynamodb = FirstWritesTogether(client, CALLS)
    settings = Settings.from_env({"SARING_TABLE": table, "SARING_IDENTITY_SECRET": "s" * 32})
    ledger = DynamoLedger(dynamodb, table, StrikePolicy.from_settings(settings), max_attempts=1)
    services = build_services(
        settings, dynamodb=dynamodb, clock=clock, classifier=KeywordClassifier(), ledger=ledger
    )
    schema = build_schema(settings)
    retried = []

    def execute(query: str, principal: Principal, variables: dict | None = None):
        context = RequestContext(services=services, principal=principal)
        return schema.execute_sync(query, variable_values=variables, context_value=context)

    def client_call(n: int) -> dict:
        variables = {"i": {"sellerId": "s-hot", "idempotencyKey": f"k-{n}", "listingId": f"L-{n}"}}
        for _ in range(100):
            result = execute(RECORD, SHOPEE, variables)
            if not result.errors:
                return {"data": result.data}
            extensions = result.errors[0].extensions or {}
            if not extensions.get("retryable"):
                return {"error": extensions}
            assert extensions == {"code": "INTERNAL", "retryable": True}
            retried.append(n)
            time.sleep(random.uniform(0, 0.02))  # the documented backoff, shortened
        return {"error": "gave up"}

    with ThreadPoolExecutor(CALLS) as pool:
        outcomes = list(pool.map(client_call, range(CALLS)))

    dynamodb.together = False  # the calls below run alone
    assert [outcome for outcome in outcomes if "error" in outcome] == []
    assert len(retried) >= CALLS - 1  # every first write but one met contention
    seller = execute(SELLER, REGULATOR).data["seller"]
    assert seller["activeStrikes"] == CALLS == len(seller["strikes"]["edges"])
    assert len({edge["node"]["id"] for edge in seller["strikes"]["edges"]}) == CALLS

    # A key reused with other content is CONFLICT, and not retryable: retrying cannot help.
    reused = {"i": {"sellerId": "s-hot", "idempotencyKey": "k-0", "listingId": "other"}}
    (error,) = execute(RECORD, SHOPEE, reused).errors
    assert error.extensions == {"code": "CONFLICT", "field": "idempotencyKey"}
