"""Appeals under injected DynamoDB faults, through the Lambda handler (tests/functional/
test_faults.py injects them inside botocore's retry loop): a reply lost after the commit, a
transaction conflict. Retries never file an appeal twice or revoke a strike twice."""

from __future__ import annotations

from tests.functional.test_faults import BOTOCORE_RETRIES, api, call, cancelled  # noqa: F401

RECORD = """mutation($k: String!) { recordViolation(input: {sellerId: "s-1", idempotencyKey: $k,
  listingId: "L-1"}) { activeStrikes strikes(first: 1) { edges { node { id } } } } }"""
FILE = """mutation($s: ID!, $k: String!) { fileAppeal(input: {platform: "shopee", sellerId: "s-1",
  strikeId: $s, statement: "bought new", idempotencyKey: $k}) { id status } }"""
DECIDE = """mutation($a: ID!) { decideAppeal(input: {appealId: $a, decision: REVOKED, note: "receipt"}) { status } }"""
SELLER = """{ seller(platform: "shopee", sellerId: "s-1") { activeStrikes appeals { edges { node { id status } } }
  auditTrail(first: 50) { edges { node { action } } } } }"""


def strike(handler, key: str) -> str:
    return call(handler, RECORD, variables={"k": key})["data"]["recordViolation"]["strikes"]["edges"][0]["node"]["id"]


def seller(handler) -> dict:
    return call(handler, SELLER, "kemendag")["data"]["seller"]


def test_a_filing_whose_reply_is_lost_files_one_appeal(api):  # noqa: F811
    _, _, faults = api
    strike_id = strike(api, "k-1")
    faults.lose_reply["TransactWriteItems"] = 1
    body = call(api, FILE, variables={"s": strike_id, "k": "ap-lost"})
    assert body["data"]["fileAppeal"]["status"] == "OPEN", body
    assert faults.sent["TransactWriteItems"] == 3  # the strike, then the filing and its retry
    appeals = seller(api)["appeals"]["edges"]
    assert [e["node"]["id"] for e in appeals] == [body["data"]["fileAppeal"]["id"]]


def test_a_filing_lost_beyond_retries_is_retryable_and_the_retry_replays(api):  # noqa: F811
    _, _, faults = api
    strike_id = strike(api, "k-2")
    faults.lose_reply["TransactWriteItems"] = 1 + BOTOCORE_RETRIES
    body = call(api, FILE, variables={"s": strike_id, "k": "ap-gone"})
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL", "retryable": True}
    again = call(api, FILE, variables={"s": strike_id, "k": "ap-gone"})["data"]["fileAppeal"]
    assert [e["node"]["id"] for e in seller(api)["appeals"]["edges"]] == [again["id"]]


def test_a_revocation_whose_reply_is_lost_revokes_once(api):  # noqa: F811
    _, _, faults = api
    strike_id = strike(api, "k-3")
    strike(api, "k-4")
    appeal = call(api, FILE, variables={"s": strike_id, "k": "ap-3"})["data"]["fileAppeal"]["id"]
    faults.lose_reply["TransactWriteItems"] = 1
    assert call(api, DECIDE, variables={"a": appeal})["data"]["decideAppeal"]["status"] == "REVOKED"
    state = seller(api)
    assert state["activeStrikes"] == 1
    actions = [e["node"]["action"] for e in state["auditTrail"]["edges"]]
    assert actions.count("STRIKE_REVOKED") == 1 and actions.count("APPEAL_DECIDED") == 1


def test_a_filing_retries_a_transaction_conflict_itself(api):  # noqa: F811
    _, _, faults = api
    strike_id = strike(api, "k-5")
    faults.add("TransactWriteItems", cancelled("None", "None", "None", "TransactionConflict", "None"))
    body = call(api, FILE, variables={"s": strike_id, "k": "ap-5"})
    assert body["data"]["fileAppeal"]["status"] == "OPEN", body
    assert len(seller(api)["appeals"]["edges"]) == 1
