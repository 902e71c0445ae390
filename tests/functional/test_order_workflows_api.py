"""An order's whole life over GraphQL through the Lambda handler (moto), the warning-ladder
function through its own handler, its events, and `saring notices run`."""

from __future__ import annotations

import importlib
import json
import sys

import pytest

from tests.functional.conftest import LambdaContext, invoke
from tests.functional.test_order_events import orders_bus_to_queue

ISSUE = """mutation($r: String!, $reason: String!) { issueTakedown(input: {reference: $r,
  legalBasis: "Permendag 40/2022", reason: $reason, targets: [
    {platform: "shopee", kind: LISTING, value: "L-1", sellerId: "s-1"},
    {platform: "shopee", kind: LISTING, value: "L-2", sellerId: "s-2"},
    {platform: "tokopedia", kind: SHOP, value: "t-9"}]}) { id targets { id platform } } }"""
ORDERS = """query($first: Int, $after: String, $agency: String, $status: OrderStatus, $reference: String) {
  takedownOrders(first: $first, after: $after, agency: $agency, status: $status, reference: $reference) {
    edges { cursor node { id reference agency status withdrawnAt withdrawReason
      targets { id platform state notices { level issuedAt } } } }
    pageInfo { hasNextPage endCursor } } }"""
ACK = """mutation($t: ID!, $s: TargetState!, $n: String) {
  acknowledgeTakedown(input: {targetId: $t, state: $s, note: $n}) { id state } }"""
RESOLVE = """mutation($t: ID!, $r: DisputeResolution!, $n: String!) {
  resolveDispute(input: {targetId: $t, resolution: $r, note: $n}) {
    id state deadline resolvedAt disputeResolution resolutionNote note } }"""
WITHDRAW = """mutation($o: ID!, $r: String!) { withdrawTakedown(input: {orderId: $o, reason: $r}) {
  id status withdrawnAt withdrawReason targets { id state } } }"""
COMPLIANCE = """query($p: String!) { compliance(platform: $p, since: "2020-01-01T00:00:00Z",
  until: "2100-01-01T00:00:00Z") { received removed disputed pending withdrawn noticesSt1 noticesSt2 noticesSt3 } }"""
SELLER = """query($s: ID!) { seller(platform: "shopee", sellerId: $s) { activeStrikes
  strikes { edges { node { source active revokeReason } } } } }"""


@pytest.fixture
def api(lambda_handler, handler_keys):
    from saring.service.keys import create_key, principal_for

    services = lambda_handler.app.services
    kominfo = create_key(services.keys, services.clock, principal_for("regulator", None, "kominfo"))
    keys = {**handler_keys, "kominfo": kominfo.key}

    def call(query, role, **variables):
        status, body, _ = invoke(lambda_handler, query, keys[role], variables)
        assert status == 200, body
        return body

    def ok(query, role, **variables):
        body = call(query, role, **variables)
        assert not body.get("errors"), body
        return body["data"]

    return call, ok


def code(body) -> str:
    return body["errors"][0]["extensions"]["code"]


def test_an_orders_whole_life_over_graphql(api):
    call, ok = api
    order = ok(ISSUE, "kemendag", r="KEMENDAG/LIFE/1", reason="used clothing")["issueTakedown"]
    shopee_1, shopee_2, tokopedia = (t["id"] for t in order["targets"])

    # reissuing the reference with other content: CONFLICT naming the existing order
    conflict = call(ISSUE, "kemendag", r="KEMENDAG/LIFE/1", reason="something else")
    assert code(conflict) == "CONFLICT"
    assert conflict["errors"][0]["extensions"]["orderId"] == order["id"]
    assert conflict["errors"][0]["extensions"]["field"] == "reference"

    # listed: the agency whole, the platform its own targets only
    mine = ok(ORDERS, "kemendag", first=3)["takedownOrders"]["edges"]
    assert [e["node"]["id"] for e in mine] == [order["id"]]
    assert len(mine[0]["node"]["targets"]) == 3
    seen = ok(ORDERS, "shopee", first=3)["takedownOrders"]["edges"]
    assert [t["id"] for t in seen[0]["node"]["targets"]] == [shopee_1, shopee_2]
    assert ok(ORDERS, "kominfo", first=3)["takedownOrders"]["edges"] == []
    assert ok(ORDERS, "kominfo", first=3, agency="kemendag")["takedownOrders"]["edges"] == []
    assert ok(ORDERS, "tokopedia", first=3, reference="KEMENDAG/LIFE/1")["takedownOrders"]["edges"][0]["node"]["targets"] == [
        {"id": tokopedia, "platform": "tokopedia", "state": "PENDING", "notices": []}
    ]

    # acknowledge one, dispute the other; the agency upholds the dispute
    ok(ACK, "shopee", t=shopee_1, s="REMOVED")
    ok(ACK, "shopee", t=shopee_2, s="DISPUTED", n="this is new stock")
    assert code(call(RESOLVE, "kominfo", t=shopee_2, r="UPHELD", n="x")) == "NOT_FOUND"
    assert code(call(RESOLVE, "shopee", t=shopee_2, r="UPHELD", n="x")) == "FORBIDDEN"
    upheld = ok(RESOLVE, "kemendag", t=shopee_2, r="UPHELD", n="the photos show used jackets")["resolveDispute"]
    assert upheld["state"] == "PENDING" and upheld["disputeResolution"] == "UPHELD"
    assert upheld["note"] == "this is new stock" and upheld["resolvedAt"] is None
    again = call(RESOLVE, "kemendag", t=shopee_2, r="WITHDRAWN", n="changed")
    assert code(again) == "CONFLICT" and again["errors"][0]["extensions"]["field"] == "targetId"
    assert code(call(RESOLVE, "kemendag", t=shopee_1, r="UPHELD", n="x")) == "CONFLICT"  # REMOVED
    bad = call(RESOLVE, "kemendag", t=shopee_2, r="UPHELD", n="  ")
    assert (code(bad), bad["errors"][0]["extensions"]["field"]) == ("BAD_USER_INPUT", "note")

    # the platform reads its own compliance
    report = ok(COMPLIANCE, "shopee", p="shopee")["compliance"]
    assert (report["received"], report["removed"], report["pending"]) == (2, 1, 1)
    assert code(call(COMPLIANCE, "shopee", p="tokopedia")) == "FORBIDDEN"
    assert ok(SELLER, "shopee", s="s-1")["seller"]["activeStrikes"] == 1

    # withdrawn: pending targets WITHDRAWN, the removed one's strike revoked with the reason
    assert code(call(WITHDRAW, "kominfo", o=order["id"], r="x")) == "NOT_FOUND"
    assert code(call(WITHDRAW, "shopee", o=order["id"], r="x")) == "FORBIDDEN"
    withdrawn = ok(WITHDRAW, "kemendag", o=order["id"], r="issued in error")["withdrawTakedown"]
    assert withdrawn["status"] == "WITHDRAWN" and withdrawn["withdrawReason"] == "issued in error"
    assert [t["state"] for t in withdrawn["targets"]] == ["REMOVED", "WITHDRAWN", "WITHDRAWN"]
    assert ok(WITHDRAW, "kemendag", o=order["id"], r="issued in error")["withdrawTakedown"] == withdrawn
    strikes = ok(SELLER, "shopee", s="s-1")["seller"]
    assert strikes["activeStrikes"] == 0
    assert strikes["strikes"]["edges"][0]["node"] == {
        "source": "REGULATOR_ORDER", "active": False, "revokeReason": "issued in error"
    }
    assert code(call(ACK, "tokopedia", t=tokopedia, s="REMOVED")) == "CONFLICT"
    listed = ok(ORDERS, "shopee", first=3, status="WITHDRAWN")["takedownOrders"]["edges"]
    assert [e["node"]["withdrawReason"] for e in listed] == ["issued in error"]
    assert ok(ORDERS, "kemendag", first=3, status="ISSUED")["takedownOrders"]["edges"] == []
    # the verdict no longer names the order
    verdict = ok('{ verdict(listing: {listingId: "L-1", sellerId: "s-1", title: "kaos polos baru"}) '
                 "{ reasons { code } } }", "shopee")["verdict"]
    assert "ACTIVE_ORDER" not in [r["code"] for r in verdict["reasons"]]


def test_takedown_orders_pages_through_the_handler(api):
    call, ok = api
    made = [
        ok(ISSUE, "kemendag", r=f"KEMENDAG/PAGE/{n}", reason="used clothing")["issueTakedown"]["id"]
        for n in range(7)
    ]
    found, after = [], None
    while True:
        page = ok(ORDERS, "shopee", first=3, after=after)["takedownOrders"]
        found += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(found) == sorted(made) and len(set(found)) == 7
    bad = call(ORDERS, "shopee", first=3, after="bogus")
    assert (code(bad), bad["errors"][0]["extensions"]["field"]) == ("BAD_USER_INPUT", "after")
    assert code(call(ORDERS, "kemendag", first=0)) == "BAD_USER_INPUT"


# --- the warning ladder's function, its events, its command -------------------------------------


@pytest.fixture
def overdue_at_once(monkeypatch):
    """Orders due at their issue time, so the ladder has work without waiting a day."""
    monkeypatch.setenv("SARING_STANDARD_DEADLINE_HOURS", "0")


@pytest.fixture
def bus(aws, monkeypatch):
    yield from orders_bus_to_queue(monkeypatch, "notices", "notices", {"detail-type": ["TakedownNoticeIssued"]})


def test_the_notices_function_issues_st1_and_its_event_reaches_the_platform(
    overdue_at_once, bus, api, dynamodb, table_name
):
    from tests.functional.test_order_events import record

    call, ok = api
    order = ok(ISSUE, "kemendag", r="KEMENDAG/LATE/1", reason="used clothing")["issueTakedown"]
    sys.modules.pop("saring.handlers.compliance_notices", None)
    notices = importlib.import_module("saring.handlers.compliance_notices")
    try:
        assert notices.handler({"source": "aws.scheduler"}, LambdaContext()) == {"issued": {"ST1": 3}}
        assert notices.handler({"source": "aws.scheduler"}, LambdaContext()) == {"issued": {}}
    finally:
        sys.modules.pop("saring.handlers.compliance_notices", None)
    seen = ok(ORDERS, "shopee", first=3)["takedownOrders"]["edges"][0]["node"]["targets"]
    assert [[n["level"] for n in t["notices"]] for t in seen] == [["ST1"], ["ST1"]]
    report = ok(COMPLIANCE, "kemendag", p="shopee")["compliance"]
    assert (report["noticesSt1"], report["noticesSt2"], report["noticesSt3"]) == (2, 0, 0)

    # the notice items' INSERTs, as the stream delivers them, become TakedownNoticeIssued events
    from saring.handlers import order_events

    inserted = [
        item for item in dynamodb.scan(TableName=table_name)["Items"] if item.get("entity", {}).get("S") == "NOTICE"
    ]
    assert len(inserted) == 3
    records = [record(str(100 + n), item) for n, item in enumerate(inserted)]
    assert order_events.handler({"Records": records}, LambdaContext()) == {"batchItemFailures": []}
    sqs, url = bus
    events = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    details = sorted((e["detail"] for e in events), key=lambda d: d["targetId"])
    assert [d["targetId"] for d in details] == [t["id"] for t in order["targets"]]
    assert {d["level"] for d in details} == {"ST1"} and details[0]["platform"] == "shopee"
    assert set(details[0]) == {"orderId", "reference", "targetId", "platform", "kind", "value",
                               "deadline", "level", "issuedAt", "sellerId"}
    assert {e["detail-type"] for e in events} == {"TakedownNoticeIssued"}


def test_the_largest_notice_event_fits_eventbridge():
    """PutEvents takes at most 256 KB per request (the entries' Source, DetailType, Detail and
    Resources, UTF-8); moto does not check it. Ten notices of the longest fields allowed."""
    from saring.domain.orders import MAX_ID_CHARS, MAX_REFERENCE_CHARS, MAX_URL_CHARS
    from saring.handlers.order_events import NOTICE_DETAIL_TYPE, entries, notice_issued

    image = {
        "order_id": "f" * 32, "target_id": "f" * 32 + "-499", "reference": "Ŕ" * MAX_REFERENCE_CHARS,
        "platform": "p" * MAX_ID_CHARS, "kind": "URL", "value": "h" * MAX_URL_CHARS,
        "deadline": "2026-03-02T09:00:00.000000Z", "level": "ST3",
        "issued_at": "2026-03-05T09:00:00.000000Z", "seller_id": "ş" * MAX_ID_CHARS,
    }
    batch = entries([(NOTICE_DETAIL_TYPE, notice_issued(image))] * 10)
    size = sum(len(e["Source"].encode()) + len(e["DetailType"].encode()) + len(e["Detail"].encode()) for e in batch)
    assert size < 256 * 1024 / 4, size  # a wide margin


def test_saring_notices_run_prints_each_notice(overdue_at_once, dynamodb, table_name, monkeypatch, capsys):
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.bootstrap import build_order_service
    from saring.cli import main
    from saring.domain.principals import Principal, Role
    from saring.service.orders import IssueTakedownInput, TargetInput

    monkeypatch.setenv("SARING_TABLE", table_name)
    dynamodb_client.cache_clear()
    try:
        order = build_order_service().issue_takedown(
            Principal(Role.REGULATOR, "regulator:kemendag", agency="kemendag"),
            IssueTakedownInput("KEMENDAG/CLI/1", "Permendag 40/2022", "used clothing", "STANDARD",
                               [TargetInput("lazada", "LISTING", "LZ-1")]),
        )
        assert main(["notices", "run"]) == 0
        (line,) = capsys.readouterr().out.splitlines()
        assert json.loads(line) | {"issuedAt": None} == {
            "targetId": order.targets[0].id, "orderId": order.id, "platform": "lazada",
            "level": "ST1", "issuedAt": None,
        }
        assert main(["notices", "run"]) == 0
        assert capsys.readouterr().out == ""
    finally:
        dynamodb_client.cache_clear()
