"""TakedownOrder.status and targetCount over GraphQL, through the API's Lambda handler: an
interrupted order is ISSUING with its full count, its platform lists none of its targets, and
the same issueTakedown again makes it ISSUED and visible."""

from __future__ import annotations

from tests.fakes import RecordingStrikeRecorder
from tests.functional.conftest import invoke
from tests.functional.test_orders_dynamodb import many, throttled_issue

ORDER = "query($id: ID!) { takedownOrder(id: $id) { status targetCount targets { id } } }"
TARGETS = "{ takedownTargets(first: 100) { edges { node { id } } pageInfo { hasNextPage } } }"
VERDICT = """query($l: ListingInput!) { verdict(listing: $l) { decision reasons { code } } }"""
LISTING = {"listingId": "v-0", "sellerId": "toko-ok", "title": "Kaos polos cotton combed 30s"}
ISSUE = """mutation($t: [TargetInput!]!) { issueTakedown(input: {reference: "KEMENDAG/TD/2026/0001",
  legalBasis: "Permendag 18/2021 jo. 40/2022; UU 7/2014 art. 47", reason: "Imported used clothing, HS 6309",
  urgency: STANDARD, targets: $t}) { id status targetCount } }"""


def test_an_interrupted_order_is_issuing_over_graphql_until_retried(lambda_handler, handler_keys, dynamodb, table_name, clock):
    from saring.settings import Settings

    def data(query, key, variables=None):
        status, body, _ = invoke(lambda_handler, query, handler_keys[key], variables)
        assert status == 200 and not body.get("errors"), body
        return body["data"]

    _, order_id = throttled_issue(dynamodb, table_name, Settings(table_name=table_name), RecordingStrikeRecorder(), clock)
    order = data(ORDER, "kemendag", {"id": order_id})["takedownOrder"]
    assert order["status"] == "ISSUING" and order["targetCount"] == 120
    assert 0 < len(order["targets"]) < 120
    assert data(TARGETS, "shopee")["takedownTargets"]["edges"] == []
    # nor does a verdict name the order: its first target ("v-0", a LISTING) is already written
    verdict = data(VERDICT, "shopee", {"l": LISTING})["verdict"]
    assert verdict["decision"] == "ALLOW" and "ACTIVE_ORDER" not in [r["code"] for r in verdict["reasons"]]

    targets = [{"platform": t.platform, "kind": t.kind, "value": t.value} for t in many(120)]
    retried = data(ISSUE, "kemendag", {"t": targets})["issueTakedown"]
    assert retried == {"id": order_id, "status": "ISSUED", "targetCount": 120}
    listed = data(TARGETS, "shopee")["takedownTargets"]
    assert len(listed["edges"]) == 100 and listed["pageInfo"]["hasNextPage"]
    verdict = data(VERDICT, "shopee", {"l": LISTING})["verdict"]
    assert verdict["decision"] == "TAKEDOWN" and "ACTIVE_ORDER" in [r["code"] for r in verdict["reasons"]]
