"""Each agency reads and changes only its own takedown orders: the order, its targets in
listings, its compliance figures and the strikes it caused. The ledger (standing, strikes,
audit trail) stays readable by every agency. Through the Lambda handler on moto."""

from __future__ import annotations

import pytest

from tests.functional.conftest import invoke

ISSUE = """mutation($r: String!, $t: [TargetInput!]!) { issueTakedown(input: {reference: $r,
  legalBasis: "Permendag 40/2022", reason: "used clothing", targets: $t}) { id targets { id platform } } }"""
TARGETS = "query($p: String) { takedownTargets(platform: $p, first: 100) { edges { node { id } } } }"
COMPLIANCE = """query($p: String!) { compliance(platform: $p, since: "2026-01-01T00:00:00Z",
  until: "2027-01-01T00:00:00Z") { received pending } }"""


@pytest.fixture
def agencies(lambda_handler, handler_keys):
    from saring.service.keys import create_key, principal_for

    services = lambda_handler.app.services
    kominfo = create_key(services.keys, services.clock, principal_for("regulator", None, "kominfo"))
    keys = {**handler_keys, "kominfo": kominfo.key}

    def call(query, role, variables=None):
        status, body, _ = invoke(lambda_handler, query, keys[role], variables)
        assert status == 200, body
        return body

    def ok(query, role, variables=None):
        body = call(query, role, variables)
        assert not body.get("errors"), body
        return body["data"]

    orders = {
        "kemendag": ok(ISSUE, "kemendag", {"r": "KEMENDAG/1", "t": [
            {"platform": "shopee", "kind": "LISTING", "value": "L-1", "sellerId": "s-1"},
            {"platform": "tokopedia", "kind": "LISTING", "value": "L-2"},
        ]})["issueTakedown"],
        "kominfo": ok(ISSUE, "kominfo", {"r": "KOMINFO/1", "t": [
            {"platform": "shopee", "kind": "URL", "value": "https://shopee.co.id/x-i.1.2"},
        ]})["issueTakedown"],
    }
    return call, ok, orders


def _target_ids(order):
    return {target["id"] for target in order["targets"]}


def test_an_agency_lists_only_its_own_orders_targets(agencies):
    _, ok, orders = agencies
    for agency in ("kemendag", "kominfo"):
        for platform in (None, "shopee"):
            listed = {
                e["node"]["id"]
                for e in ok(TARGETS, agency, {"p": platform})["takedownTargets"]["edges"]
            }
            expected = {
                t["id"] for t in orders[agency]["targets"] if platform in (None, t["platform"])
            }
            assert listed == expected, (agency, platform)
    # A platform still sees every target aimed at it, whoever issued it.
    shopee = {e["node"]["id"] for e in ok(TARGETS, "shopee")["takedownTargets"]["edges"]}
    assert shopee == {
        t["id"] for o in orders.values() for t in o["targets"] if t["platform"] == "shopee"
    }


def test_an_agency_reads_only_its_own_orders(agencies):
    call, ok, orders = agencies
    body = call("query($id: ID!) { takedownOrder(id: $id) { id } }", "kominfo",
                {"id": orders["kemendag"]["id"]})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert ok("query($id: ID!) { takedownOrder(id: $id) { id } }", "kemendag",
              {"id": orders["kemendag"]["id"]})["takedownOrder"]["id"] == orders["kemendag"]["id"]


def test_compliance_counts_only_the_agencys_own_orders(agencies):
    _, ok, _ = agencies
    assert ok(COMPLIANCE, "kemendag", {"p": "shopee"})["compliance"]["received"] == 1
    assert ok(COMPLIANCE, "kominfo", {"p": "shopee"})["compliance"]["received"] == 1
    assert ok(COMPLIANCE, "kominfo", {"p": "tokopedia"})["compliance"]["received"] == 0


def test_only_the_issuing_agency_revokes_its_orders_strike(agencies):
    call, ok, orders = agencies
    (shopee_target,) = [t for t in orders["kemendag"]["targets"] if t["platform"] == "shopee"]
    ok("mutation($t: ID!) { acknowledgeTakedown(input: {targetId: $t, state: REMOVED}) { state } }",
       "shopee", {"t": shopee_target["id"]})
    seller = '{ seller(platform: "shopee", sellerId: "s-1") { activeStrikes strikes { edges { node { id } } } } }'
    strike_id = ok(seller, "kominfo")["seller"]["strikes"]["edges"][0]["node"]["id"]  # readable
    revoke = """mutation($id: ID!) { revokeStrike(input: {platform: "shopee", sellerId: "s-1",
      strikeId: $id, reason: "appeal upheld"}) { activeStrikes } }"""
    for outsider in ("kominfo", "shopee"):
        body = call(revoke, outsider, {"id": strike_id})
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", outsider
    assert ok(seller, "kemendag")["seller"]["activeStrikes"] == 1
    assert ok(revoke, "kemendag", {"id": strike_id})["revokeStrike"]["activeStrikes"] == 0


def test_a_regulator_does_not_revoke_a_platforms_own_strike(agencies):
    call, ok, _ = agencies
    ok('mutation { recordViolation(input: {sellerId: "s-5", idempotencyKey: "k-5"}) { standing } }',
       "shopee")
    seller = '{ seller(platform: "shopee", sellerId: "s-5") { strikes { edges { node { id } } } } }'
    strike_id = ok(seller, "shopee")["seller"]["strikes"]["edges"][0]["node"]["id"]
    revoke = """mutation($id: ID!) { revokeStrike(input: {platform: "shopee", sellerId: "s-5",
      strikeId: $id, reason: "appeal"}) { activeStrikes } }"""
    body = call(revoke, "kemendag", {"id": strike_id})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert ok(revoke, "shopee", {"id": strike_id})["revokeStrike"]["activeStrikes"] == 0
