"""DynamoDB faults through the real Lambda handler on moto: throttling, conditional failures,
cancelled transactions, timeouts.

Faults are injected at botocore's `before-send` step, which runs *inside* botocore's retry
loop, so the client's own retries (standard mode, 3 retries, jittered backoff) are exercised,
not bypassed as botocore's Stubber would. Two kinds:

- refused: a `before-send` handler answers with our error response, so the request never
  reaches moto (the request is also turned into a harmless ListTables, should any other
  handler look at it): nothing is written;
- lost reply: the same handler hands the request to moto's own stubber (moto applies it), then
  raises ReadTimeoutError, as when DynamoDB commits and the network drops the answer.

botocore's sleeps between attempts are recorded instead of slept, so the tests are fast and can
show the backoff (growing, jittered); our own backoffs (batch.py, the ledger) are recorded too.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from types import SimpleNamespace

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

from tests.functional.conftest import invoke

pytestmark = pytest.mark.timeout(60)

PREFIX = "com.amazonaws.dynamodb.v20120810#"
# client.py's Config(retries={"max_attempts": 3}): botocore reads it as retries after the first.
BOTOCORE_RETRIES = 3


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_kw):
        yield self._body


def error_response(request, code: str, **extra) -> AWSResponse:
    body = json.dumps({"__type": PREFIX + code, "message": f"injected {code}", **extra}).encode()
    headers = {"x-amzn-requestid": "injected", "content-type": "application/x-amz-json-1.0"}
    return AWSResponse(request.url, 400, headers, _Raw(body))


def cancelled(*codes_per_item: str):
    """A TransactionCanceledException whose reasons are `codes_per_item`, padded with None."""

    def respond(request):
        items = json.loads(request.body)["TransactItems"]
        codes = [*codes_per_item, *["None"] * len(items)][: len(items)]
        reasons = [
            {"Code": code, **({"Message": code} if code != "None" else {})} for code in codes
        ]
        return error_response(request, "TransactionCanceledException", CancellationReasons=reasons)

    return respond


def throttled(code: str = "ProvisionedThroughputExceededException"):
    return lambda request: error_response(request, code)


def raising(exception: Exception):
    def respond(_request):
        raise exception

    return respond


class Faults:
    """Scripted faults per DynamoDB operation, consumed one per request."""

    def __init__(self, client, monkeypatch) -> None:
        self.refuse: dict[str, list] = {}
        self.lose_reply: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()
        self.botocore_sleeps: list[float] = []
        client.meta.events.register_first("before-send.dynamodb", self._before_moto)
        import botocore.endpoint

        class _Time:
            def __getattr__(_self, name):
                return getattr(time, name)

            def sleep(_self, seconds):
                self.botocore_sleeps.append(seconds)

        monkeypatch.setattr(botocore.endpoint, "time", _Time())
        # Adaptive mode would also rate-limit the client after a throttle (a token bucket whose
        # refill rate drops): record whether it engages instead of waiting for the tokens.
        import botocore.retries.bucket

        self.rate_limited = 0

        def acquire(bucket, amount=1, block=True):
            self.rate_limited += 1
            return True

        monkeypatch.setattr(botocore.retries.bucket.TokenBucket, "acquire", acquire)

    def add(self, operation: str, *faults) -> None:
        self.refuse.setdefault(operation, []).extend(faults)

    def _before_moto(self, request, event_name, **_kw):
        operation = event_name.rsplit(".", 1)[-1]
        self.sent[operation] += 1
        if self.lose_reply[operation] > 0:
            self.lose_reply[operation] -= 1
            from moto.core.models import botocore_stubber

            botocore_stubber(event_name, request)  # moto applies the request...
            raise ReadTimeoutError(endpoint_url=request.url)  # ...and the reply is lost
        script = self.refuse.get(operation)
        if script:
            respond = script.pop(0)
            original = SimpleNamespace(url=request.url, body=request.body)
            # moto must not apply it: it sees a harmless ListTables instead.
            request.headers["X-Amz-Target"] = "DynamoDB_20120810.ListTables"
            request.body = b"{}"
            return respond(original)
        return None


@pytest.fixture
def api(lambda_handler, handler_keys, monkeypatch):
    from saring.adapters.dynamodb.client import dynamodb_client

    client = dynamodb_client()  # the handler's own client (built when the module was imported)
    faults = Faults(client, monkeypatch)
    recorded: list[float] = []
    import saring.adapters.dynamodb.batch as batch

    monkeypatch.setattr(batch.time, "sleep", recorded.append)
    faults.batch_sleeps = recorded
    return lambda_handler, handler_keys, faults


def call(api, query, key="shopee", variables=None):
    module, keys, _ = api
    status, body, _ = invoke(module, query, keys[key], variables)
    assert status == 200, body
    return body


VERDICTS = """query($l: [ListingInput!]!) { verdicts(listings: $l) { decision seller { activeStrikes } } }"""
LISTINGS = {
    "l": [
        {"listingId": str(n), "sellerId": f"s-{n % 3}", "title": "kemeja batik"} for n in range(5)
    ]
}
RECORD = """mutation($k: String!) { recordViolation(input: {sellerId: "s-1", idempotencyKey: $k,
  listingId: "L-1"}) { activeStrikes } }"""
SELLER = '{ seller(platform: "shopee", sellerId: "s-1") { activeStrikes strikes(first: 50) { edges { node { id } } } } }'


def strikes(api) -> int:
    body = call(api, SELLER, "kemendag")
    seller = body["data"]["seller"]
    assert seller["activeStrikes"] == len(seller["strikes"]["edges"])
    return seller["activeStrikes"]


# --- safe operations: reads retry ------------------------------------------------------------


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException"])
def test_batch_get_throttled_twice_is_retried_with_growing_jittered_backoff(api, code):
    _, _, faults = api
    faults.add("BatchGetItem", throttled(code), throttled(code))
    body = call(api, VERDICTS, variables=LISTINGS)
    assert "errors" not in body and len(body["data"]["verdicts"]) == 5
    assert faults.sent["BatchGetItem"] == 3  # two refused, the third answered
    assert len(faults.botocore_sleeps) == 2
    assert faults.rate_limited == 0  # standard mode: no client-side rate limiter shared by all
    # throttling backoff: random() * 2**(attempt-1) seconds, capped
    assert 0 <= faults.botocore_sleeps[0] <= 1 and 0 <= faults.botocore_sleeps[1] <= 2


def test_batch_get_unprocessed_keys_are_retried_by_our_own_waves(api):
    _, _, faults = api

    def partial(request):
        # Throttled per key: DynamoDB answers 200 with everything left unprocessed.
        table, spec = next(iter(json.loads(request.body)["RequestItems"].items()))
        body = json.dumps({"Responses": {table: []}, "UnprocessedKeys": {table: spec}}).encode()
        return AWSResponse(
            request.url, 200, {"content-type": "application/x-amz-json-1.0"}, _Raw(body)
        )

    faults.add("BatchGetItem", partial, partial)
    body = call(api, VERDICTS, variables=LISTINGS)
    assert "errors" not in body
    assert faults.sent["BatchGetItem"] == 3
    assert len(faults.batch_sleeps) == 2 and all(0 <= s <= 0.05 * 2**2 for s in faults.batch_sleeps)


def test_batch_get_that_never_finishes_fails_cleanly_as_retryable(api, json_logs):
    _, _, faults = api
    faults.add("BatchGetItem", *[throttled() for _ in range(30)])
    body = call(api, VERDICTS, variables=LISTINGS)
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "INTERNAL", "retryable": True}
    assert "Provisioned" not in error["message"]  # masked
    # botocore's `max_attempts: 3` counts retries: 1 + 3 attempts, then a clear error
    assert faults.sent["BatchGetItem"] == 1 + BOTOCORE_RETRIES
    assert "dependency unavailable" in json_logs.getvalue()


@pytest.mark.parametrize(
    "fault",
    [
        raising(ReadTimeoutError(endpoint_url="http://dynamodb")),
        raising(EndpointConnectionError(endpoint_url="http://dynamodb")),
        throttled("ThrottlingException"),
    ],
    ids=["read-timeout", "connection", "throttled"],
)
def test_get_item_and_query_recover_from_one_fault(api, fault):
    _, _, faults = api
    order = call(
        api,
        """mutation { issueTakedown(input: {reference: "REF-F", legalBasis: "Permendag 40/2022",
        reason: "used clothing", targets: [{platform: "shopee", kind: LISTING, value: "L-1"}]}) { id } }""",
        "kemendag",
    )["data"]["issueTakedown"]
    faults.add("Query", fault)
    faults.add("GetItem", fault)
    body = call(api, "{ takedownTargets { edges { node { id } } } }")
    assert "errors" not in body and len(body["data"]["takedownTargets"]["edges"]) == 1
    body = call(
        api, "query($id: ID!) { takedownOrder(id: $id) { id } }", "kemendag", {"id": order["id"]}
    )
    assert "errors" not in body, body
    assert faults.sent["Query"] >= 2 and faults.botocore_sleeps


# --- unsafe operations: fail clearly, invariants hold -------------------------------------------


def test_record_violation_throttled_beyond_retries_fails_clearly_then_a_retry_counts_once(api):
    _, _, faults = api
    faults.add("TransactWriteItems", *[throttled() for _ in range(1 + BOTOCORE_RETRIES)])
    body = call(api, RECORD, variables={"k": "k-1"})
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL", "retryable": True}
    assert strikes(api) == 0  # nothing written
    for _ in range(2):  # the client retries, twice: one strike
        assert (
            call(api, RECORD, variables={"k": "k-1"})["data"]["recordViolation"]["activeStrikes"]
            == 1
        )
    assert strikes(api) == 1


def test_record_violation_whose_reply_is_lost_after_commit_counts_once(api):
    _, _, faults = api
    # DynamoDB commits, the reply times out; botocore retries the same transaction, whose
    # idempotency item now exists: the ledger returns the first receipt.
    faults.lose_reply["TransactWriteItems"] = 1
    body = call(api, RECORD, variables={"k": "k-lost"})
    assert body["data"]["recordViolation"]["activeStrikes"] == 1, body
    assert faults.sent["TransactWriteItems"] == 2
    assert strikes(api) == 1


def test_record_violation_lost_reply_beyond_retries_then_client_retry_counts_once(api):
    _, _, faults = api
    faults.lose_reply["TransactWriteItems"] = 1 + BOTOCORE_RETRIES  # every attempt's reply is lost
    body = call(api, RECORD, variables={"k": "k-gone"})
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL", "retryable": True}
    assert strikes(api) == 1  # it did commit, once
    body = call(api, RECORD, variables={"k": "k-gone"})  # the client's retry: a replay
    assert body["data"]["recordViolation"]["activeStrikes"] == 1
    assert strikes(api) == 1


def test_record_violation_retries_transaction_conflicts_itself(api):
    _, _, faults = api
    faults.add(
        "TransactWriteItems",
        cancelled("None", "None", "TransactionConflict"),
        cancelled("TransactionConflict"),
    )
    body = call(api, RECORD, variables={"k": "k-conflict"})
    assert body["data"]["recordViolation"]["activeStrikes"] == 1, body
    assert faults.sent["TransactWriteItems"] == 3 and strikes(api) == 1


def test_record_violation_with_an_unknown_cancellation_is_masked_internal(api, json_logs):
    _, _, faults = api
    faults.add("TransactWriteItems", cancelled("ValidationError"))
    body = call(api, RECORD, variables={"k": "k-odd"})
    assert body["errors"][0] == {
        **body["errors"][0],
        "message": "Internal server error",
        "extensions": {"code": "INTERNAL"},
    }
    assert strikes(api) == 0


ISSUE = """mutation { issueTakedown(input: {reference: "REF-ACK", legalBasis: "Permendag 40/2022",
  reason: "used clothing", targets: [{platform: "shopee", kind: LISTING, value: "L-1", sellerId: "s-1"}]})
  { targets { id } } }"""
ACK = """mutation($t: ID!, $s: TargetState!) { acknowledgeTakedown(input: {targetId: $t, state: $s}) { state } }"""


def test_acknowledge_retries_transaction_conflict_and_strikes_once(api):
    _, _, faults = api
    target = call(api, ISSUE, "kemendag")["data"]["issueTakedown"]["targets"][0]["id"]
    faults.add(
        "TransactWriteItems",
        cancelled("TransactionConflict"),
        cancelled("None", "TransactionConflict"),
    )
    body = call(api, ACK, variables={"t": target, "s": "REMOVED"})
    assert body["data"]["acknowledgeTakedown"]["state"] == "REMOVED", body
    assert call(api, ACK, variables={"t": target, "s": "REMOVED"})["data"]  # identical replay
    other = call(api, ACK, variables={"t": target, "s": "NOT_FOUND"})
    assert other["errors"][0]["extensions"]["code"] == "CONFLICT"  # never acknowledged twice
    assert strikes(api) == 1


def test_acknowledge_whose_reply_is_lost_is_healed_by_the_client_retry(api):
    _, _, faults = api
    target = call(api, ISSUE, "kemendag")["data"]["issueTakedown"]["targets"][0]["id"]
    faults.lose_reply["TransactWriteItems"] = (
        1 + BOTOCORE_RETRIES
    )  # committed; botocore's retries find it done
    body = call(api, ACK, variables={"t": target, "s": "REMOVED"})
    # botocore's retry hits the PENDING condition: the adapter reads the target, sees the same
    # acknowledgement, answers it; the strike is then recorded (idempotent on the target id).
    assert (
        body.get("data")
        and body["data"]["acknowledgeTakedown"]["state"] == "REMOVED"
        or (body["errors"][0]["extensions"] == {"code": "INTERNAL", "retryable": True})
    )
    body = call(api, ACK, variables={"t": target, "s": "REMOVED"})
    assert body["data"]["acknowledgeTakedown"]["state"] == "REMOVED"
    assert strikes(api) == 1
    assert call(api, ACK, variables={"t": target, "s": "DISPUTED"})["errors"][0]["extensions"][
        "code"
    ] in {"CONFLICT", "BAD_USER_INPUT"}


def test_conditional_check_failure_on_key_creation_is_a_conflict(api):
    """The API-key store's PutItem with attribute_not_exists: a clash is CONFLICT, not a 500."""
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.adapters.dynamodb.keystore import DynamoKeyStore
    from saring.domain.errors import ConflictError
    from saring.ports import StoredKey

    module, keys, faults = api
    services = module.app.services
    faults.add("PutItem", throttled("ConditionalCheckFailedException"))
    store = DynamoKeyStore(dynamodb_client(), services.settings.table_name)
    principal = services.authenticator.authenticate(f"Bearer {keys['shopee']}")
    with pytest.raises(ConflictError):
        store.put(StoredKey("0" * 64, principal, services.clock.now(), "key_0000000000000000"))
