"""Many clients at once over HTTP, on the same seller and the same takedown target.

On AWS each concurrent request gets its own Lambda container; here each gets one of several
servers (each with its own services and DynamoDB client, like a container, and each serving
requests at once as `saring serve` does), all on one threaded moto server. That moto is the
local stack's (`saring.local_moto`): each DynamoDB request runs alone, as DynamoDB serialises
transactions on the items they touch, so what is measured here is our conditions and retries,
not moto's races.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from uuid import uuid4

import httpx
import pytest

from tests.e2e.conftest import app_server

SERVERS = 4
CLIENTS = 16
pytestmark = pytest.mark.timeout(120)


@dataclass
class Fleet:
    urls: list[str]
    keys: dict[str, str]

    def post(self, n: int, query: str, key: str, variables: dict | None = None) -> dict:
        response = httpx.post(
            self.urls[n % len(self.urls)],
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.keys[key]}"},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def fleet(monkeypatch):
    import boto3

    from saring.adapters.dynamodb.client import _CONFIG
    from saring.adapters.dynamodb.tables import create_table_from_template
    from saring.bootstrap import build_services
    from saring.local_stack import create_demo_keys, start_local_aws
    from saring.settings import Settings
    from tests.conftest import ManualClock

    for name in (
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_DEFAULT_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    local_aws = start_local_aws("127.0.0.1", 0)
    try:
        settings = Settings.from_env(
            {"SARING_TABLE": f"saring-conc-{uuid4().hex[:8]}", "SARING_IDENTITY_SECRET": "test-identity-secret-0123456789abcdef"}
        )
        clock = ManualClock()
        keys: dict[str, str] = {}
        with ExitStack() as servers:
            urls = []
            for index in range(SERVERS):
                client = boto3.client("dynamodb", endpoint_url=local_aws.endpoint, config=_CONFIG)
                if index == 0:
                    create_table_from_template(client, settings.table_name)
                services = build_services(settings, dynamodb=client, clock=clock)
                if index == 0:
                    keys = {entry["name"]: entry["key"] for entry in create_demo_keys(services)}
                urls.append(servers.enter_context(app_server(services)))
            yield Fleet(urls, keys)
    finally:
        local_aws.stop()


RECORD = """mutation($i: RecordViolationInput!) { recordViolation(input: $i) { activeStrikes } }"""
SELLER = """query($s: ID!) { seller(platform: "shopee", sellerId: $s) { activeStrikes
  strikes(first: 100) { edges { node { id source } } } } }"""


def record(fleet: Fleet, n: int, seller: str, key: str) -> dict:
    """A client that retries what the API marks `retryable` (contention), as docs/api.md says."""
    for _ in range(20):
        body = fleet.post(
            n,
            RECORD,
            "shopee",
            {"i": {"sellerId": seller, "idempotencyKey": key, "listingId": key}},
        )
        error = (body.get("errors") or [{}])[0]
        if not error.get("extensions", {}).get("retryable"):
            return body
        time.sleep(0.01)
    return body


def test_sixteen_clients_recording_violations_on_one_seller(fleet):
    keys = [f"k-{n}" for n in range(24)] + [f"k-{n}" for n in range(8)]  # 24 distinct, 8 duplicates
    barrier = threading.Barrier(CLIENTS)

    def client(n: int) -> list[dict]:
        barrier.wait()
        return [record(fleet, n, "s-hot", key) for key in keys[n::CLIENTS]]

    with ThreadPoolExecutor(CLIENTS) as pool:
        bodies = [body for result in pool.map(client, range(CLIENTS)) for body in result]
    assert [body for body in bodies if body.get("errors")] == []
    seller = fleet.post(0, SELLER, "kemendag", {"s": "s-hot"})["data"]["seller"]
    assert seller["activeStrikes"] == 24 == len(seller["strikes"]["edges"])
    assert len({edge["node"]["id"] for edge in seller["strikes"]["edges"]}) == 24


ISSUE = (
    """mutation($i: IssueTakedownInput!) { issueTakedown(input: $i) { targets { id value } } }"""
)
ACK = """mutation($t: ID!, $s: TargetState!) { acknowledgeTakedown(input: {targetId: $t, state: $s}) { state } }"""


def acknowledge_all(fleet: Fleet, target: str, states: list[str]) -> list[tuple[str, dict]]:
    barrier = threading.Barrier(len(states))

    def client(n: int) -> tuple[str, dict]:
        barrier.wait()
        return states[n], fleet.post(n, ACK, "shopee", {"t": target, "s": states[n]})

    with ThreadPoolExecutor(len(states)) as pool:
        return list(pool.map(client, range(len(states))))


def test_sixteen_clients_acknowledging_the_same_target(fleet):
    order = fleet.post(
        0,
        ISSUE,
        "kemendag",
        {
            "i": {
                "reference": "REF-RACE",
                "legalBasis": "Permendag 40/2022",
                "reason": "used clothing",
                "targets": [
                    {"platform": "shopee", "kind": "LISTING", "value": "L-a", "sellerId": "s-a"},
                    {"platform": "shopee", "kind": "LISTING", "value": "L-b", "sellerId": "s-b"},
                ],
            }
        },
    )["data"]["issueTakedown"]
    targets = {t["value"]: t["id"] for t in order["targets"]}

    # All sixteen say REMOVED: one acknowledgement, fifteen identical replays, one strike.
    results = acknowledge_all(fleet, targets["L-a"], ["REMOVED"] * CLIENTS)
    assert all(
        body.get("data", {}).get("acknowledgeTakedown") == {"state": "REMOVED"}
        for _, body in results
    ), results
    seller_a = fleet.post(0, SELLER, "kemendag", {"s": "s-a"})["data"]["seller"]
    assert seller_a["activeStrikes"] == 1
    assert [e["node"]["source"] for e in seller_a["strikes"]["edges"]] == ["REGULATOR_ORDER"]

    # Half say REMOVED, half NOT_FOUND: one state wins; its side replays, the other is CONFLICT.
    states = ["REMOVED", "NOT_FOUND"] * (CLIENTS // 2)
    results = acknowledge_all(fleet, targets["L-b"], states)
    won = {body["data"]["acknowledgeTakedown"]["state"] for _, body in results if body.get("data")}
    assert len(won) == 1, results
    (winner,) = won
    outcome = Counter()
    for state, body in results:
        if state == winner:
            assert body["data"]["acknowledgeTakedown"]["state"] == winner, body
            outcome["replayed-or-won"] += 1
        else:
            assert body["errors"][0]["extensions"]["code"] == "CONFLICT", body
            outcome["conflict"] += 1
    assert outcome == {"replayed-or-won": CLIENTS // 2, "conflict": CLIENTS // 2}
    seller_b = fleet.post(0, SELLER, "kemendag", {"s": "s-b"})["data"]["seller"]
    assert seller_b["activeStrikes"] == (1 if winner == "REMOVED" else 0)
    listed = fleet.post(
        0, "{ takedownTargets(state: PENDING) { edges { node { id } } } }", "shopee"
    )
    assert listed["data"]["takedownTargets"]["edges"] == []  # both resolved, once each
