"""Appeals as a workflow, over strawberry's schema on moto: filing (idempotent, one open appeal
per strike), deciding (the platform for its review strikes, the issuing agency for its orders'
strikes; REVOKED revokes through the ledger's revocation), listing, overdue counts in
compliance, the audit trail, and exact counts when decisions and strikes race."""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from saring.api.context import RequestContext
from saring.api.schema import build_schema
from saring.domain.principals import Principal, Role
from tests.functional.test_ledger_dynamodb import moto_server_client  # noqa: F401 - fixture

SHOPEE = Principal(Role.PLATFORM, "platform:shopee", platform="shopee")
TOKOPEDIA = Principal(Role.PLATFORM, "platform:tokopedia", platform="tokopedia")
KEMENDAG = Principal(Role.REGULATOR, "regulator:kemendag", agency="kemendag")
KOMINFO = Principal(Role.REGULATOR, "regulator:kominfo", agency="kominfo")

FILE = """mutation($i: FileAppealInput!) { fileAppeal(input: $i) {
  id platform sellerId strikeId strikeSource orderReference statement status filedAt dueAt overdue
  decider decidedAt decidedBy decisionNote } }"""
DECIDE = """mutation($i: DecideAppealInput!) { decideAppeal(input: $i) {
  id status decidedAt decidedBy decisionNote overdue } }"""
SELLER = """query($s: ID!) { seller(platform: "shopee", sellerId: $s) { standing activeStrikes
  strikes(first: 20) { edges { node { id source active revokeReason } } }
  appeals(first: 20) { edges { cursor node { id strikeId status overdue decider } } pageInfo { hasNextPage endCursor } } } }"""
AUDIT = """query($s: ID!) { seller(platform: "shopee", sellerId: $s) {
  auditTrail(first: 50) { edges { node { actor action after } } } } }"""
RECORD = """mutation($i: RecordViolationInput!) { recordViolation(input: $i) { activeStrikes } }"""


class Api:
    def __init__(self, services):
        self.services = services
        self.schema = build_schema(services.settings)

    def run(self, query, principal, variables=None):
        result = self.schema.execute_sync(
            query,
            variable_values=variables,
            context_value=RequestContext(services=self.services, principal=principal),
        )
        return result

    def ok(self, query, principal, variables=None):
        result = self.run(query, principal, variables)
        assert result.errors is None, result.errors
        return result.data

    def error(self, query, principal, variables=None) -> dict:
        result = self.run(query, principal, variables)
        assert result.errors, result.data
        return result.errors[0].extensions

    def review_strike(self, seller: str, key: str) -> str:
        self.services.clock.advance(seconds=1)  # strike ids sort by time: newest first is this one
        self.ok(RECORD, SHOPEE, {"i": {"sellerId": seller, "idempotencyKey": key, "listingId": "L-1"}})
        return self.ok(SELLER, KEMENDAG, {"s": seller})["seller"]["strikes"]["edges"][0]["node"]["id"]

    def order_strike(self, seller: str, reference: str) -> str:
        self.services.clock.advance(seconds=1)
        order = self.ok(
            """mutation($r: String!, $s: ID!) { issueTakedown(input: {reference: $r, legalBasis: "Permendag 40/2022",
            reason: "pakaian bekas impor", targets: [{platform: "shopee", kind: LISTING, value: "L-9", sellerId: $s}]})
            { targets { id } } }""",
            KEMENDAG,
            {"r": reference, "s": seller},
        )["issueTakedown"]
        self.ok(
            "mutation($t: ID!) { acknowledgeTakedown(input: {targetId: $t, state: REMOVED}) { state } }",
            SHOPEE,
            {"t": order["targets"][0]["id"]},
        )
        return self.ok(SELLER, KEMENDAG, {"s": seller})["seller"]["strikes"]["edges"][0]["node"]["id"]

    def file(self, seller, strike, key, statement="the jacket was my own, bought new in Bandung", principal=SHOPEE):
        variables = {"i": {"platform": "shopee", "sellerId": seller, "strikeId": strike,
                           "statement": statement, "idempotencyKey": key}}
        return self.run(FILE, principal, variables)

    def decide(self, appeal_id, decision, principal, note="reviewed the seller's receipts"):
        return self.run(DECIDE, principal, {"i": {"appealId": appeal_id, "decision": decision, "note": note}})


@pytest.fixture
def api(services):
    return Api(services)


def test_a_platform_files_and_upholds_an_appeal_of_its_own_strike(api, clock):
    strike = api.review_strike("s-1", "k-1")
    filed = api.file("s-1", strike, "appeal-1")
    assert filed.errors is None
    appeal = filed.data["fileAppeal"]
    assert appeal["status"] == "OPEN" and appeal["strikeId"] == strike
    assert appeal["decider"] == "platform:shopee" and appeal["strikeSource"] == "PLATFORM_REVIEW"
    assert appeal["overdue"] is False and appeal["decidedAt"] is None
    clock.advance(hours=2)
    upheld = api.decide(appeal["id"], "UPHELD", SHOPEE).data["decideAppeal"]
    assert upheld["status"] == "UPHELD" and upheld["decidedBy"] == "platform:shopee"
    seller = api.ok(SELLER, SHOPEE, {"s": "s-1"})["seller"]
    assert seller["activeStrikes"] == 1  # the strike stands
    assert [e["node"]["status"] for e in seller["appeals"]["edges"]] == ["UPHELD"]
    # Decided, the strike may be appealed again (one OPEN appeal at a time, not one ever).
    assert api.file("s-1", strike, "appeal-2", "new evidence: the receipt").errors is None


def test_revoked_revokes_the_strike_and_every_step_is_audited(api, clock):
    strikes = [api.review_strike("s-2", f"k-2-{n}") for n in range(3)]
    assert api.ok(SELLER, SHOPEE, {"s": "s-2"})["seller"]["standing"] == "BLOCKED"
    appeal = api.file("s-2", strikes[0], "appeal-3").data["fileAppeal"]
    clock.advance(hours=1)
    revoked = api.decide(appeal["id"], "REVOKED", SHOPEE, "listing was new stock").data["decideAppeal"]
    assert revoked["status"] == "REVOKED" and revoked["decisionNote"] == "listing was new stock"
    seller = api.ok(SELLER, SHOPEE, {"s": "s-2"})["seller"]
    assert seller["activeStrikes"] == 2 and seller["standing"] == "RESTRICTED"
    node = next(e["node"] for e in seller["strikes"]["edges"] if e["node"]["id"] == strikes[0])
    assert node["active"] is False and "listing was new stock" in node["revokeReason"]
    actions = [e["node"]["action"] for e in api.ok(AUDIT, KEMENDAG, {"s": "s-2"})["seller"]["auditTrail"]["edges"]]
    assert {"APPEAL_FILED", "APPEAL_DECIDED", "STRIKE_REVOKED"} <= set(actions)
    assert actions.count("STRIKE_REVOKED") == 1
    # The same decision again is the first answer; another one is CONFLICT; nothing more is revoked.
    again = api.decide(appeal["id"], "REVOKED", SHOPEE, "listing was new stock").data["decideAppeal"]
    assert again == revoked
    assert api.decide(appeal["id"], "UPHELD", SHOPEE).errors[0].extensions == {
        "code": "CONFLICT", "field": "appealId", "appealId": appeal["id"]
    }
    assert api.ok(SELLER, SHOPEE, {"s": "s-2"})["seller"]["activeStrikes"] == 2
    # A revoked strike cannot be appealed.
    assert api.file("s-2", strikes[0], "appeal-4").errors[0].extensions == {"code": "CONFLICT", "field": "strikeId"}


def test_a_strike_revoked_directly_meanwhile_closes_its_appeal_only_as_revoked(api):
    strike = api.review_strike("s-10", "k-10")
    appeal = api.file("s-10", strike, "appeal-10").data["fileAppeal"]
    api.ok(
        """mutation($s: ID!) { revokeStrike(input: {platform: "shopee", sellerId: "s-10", strikeId: $s,
        reason: "revoked by hand"}) { activeStrikes } }""",
        SHOPEE,
        {"s": strike},
    )
    assert api.decide(appeal["id"], "UPHELD", SHOPEE).errors[0].extensions == {
        "code": "CONFLICT", "field": "decision", "appealId": appeal["id"]
    }
    closed = api.decide(appeal["id"], "REVOKED", SHOPEE).data["decideAppeal"]
    assert closed["status"] == "REVOKED"
    trail = api.ok(AUDIT, KEMENDAG, {"s": "s-10"})["seller"]["auditTrail"]["edges"]
    assert [e["node"]["action"] for e in trail].count("STRIKE_REVOKED") == 1  # not a second time


def test_idempotency_and_one_open_appeal_per_strike(api):
    strike = api.review_strike("s-3", "k-3")
    first = api.file("s-3", strike, "appeal-5").data["fileAppeal"]
    assert api.file("s-3", strike, "appeal-5").data["fileAppeal"] == first
    other = api.file("s-3", strike, "appeal-5", "a different statement").errors[0].extensions
    assert other == {"code": "CONFLICT", "field": "idempotencyKey"}
    second = api.file("s-3", strike, "appeal-6").errors[0].extensions
    assert second == {"code": "CONFLICT", "field": "strikeId", "appealId": first["id"]}
    edges = api.ok(SELLER, SHOPEE, {"s": "s-3"})["seller"]["appeals"]["edges"]
    assert [e["node"]["id"] for e in edges] == [first["id"]]


def test_the_issuing_agency_decides_appeals_of_its_orders_strikes(api):
    strike = api.order_strike("s-4", "KEMENDAG/2026/77")
    appeal = api.file("s-4", strike, "appeal-7").data["fileAppeal"]
    assert appeal["decider"] == "regulator:kemendag"
    assert appeal["strikeSource"] == "REGULATOR_ORDER" and appeal["orderReference"] == "KEMENDAG/2026/77"
    for principal in (SHOPEE, KOMINFO):
        assert api.decide(appeal["id"], "REVOKED", principal).errors[0].extensions == {"code": "FORBIDDEN"}
    assert api.decide(appeal["id"], "REVOKED", TOKOPEDIA).errors[0].extensions == {"code": "FORBIDDEN"}
    decided = api.decide(appeal["id"], "REVOKED", KEMENDAG).data["decideAppeal"]
    assert decided["status"] == "REVOKED" and decided["decidedBy"] == "regulator:kemendag"
    assert api.ok(SELLER, KEMENDAG, {"s": "s-4"})["seller"]["activeStrikes"] == 0


def test_who_may_file_and_bad_input(api):
    strike = api.review_strike("s-5", "k-5")
    assert api.file("s-5", strike, "a-8", principal=TOKOPEDIA).errors[0].extensions == {"code": "FORBIDDEN"}
    assert api.file("s-5", strike, "a-8", principal=KEMENDAG).errors[0].extensions == {"code": "FORBIDDEN"}
    assert api.file("s-5", "0" * 28, "a-9").errors[0].extensions == {"code": "NOT_FOUND", "field": "strikeId"}
    assert api.file("s-6", strike, "a-9").errors[0].extensions == {"code": "NOT_FOUND", "field": "strikeId"}
    assert api.file("s-5", strike, "a-9", statement="  ").errors[0].extensions == {
        "code": "BAD_USER_INPUT", "field": "statement"
    }
    assert api.file("s-5", strike, "a-9", statement="x" * 5_001).errors[0].extensions["field"] == "statement"
    assert api.decide("apl_nonsense", "UPHELD", SHOPEE).errors[0].extensions == {"code": "NOT_FOUND", "field": "appealId"}
    appeal = api.file("s-5", strike, "a-10").data["fileAppeal"]
    assert api.decide(appeal["id"], "UPHELD", SHOPEE, note="").errors[0].extensions == {
        "code": "BAD_USER_INPUT", "field": "note"
    }
    # A regulator reads any seller's appeals; another platform none.
    assert api.ok(SELLER, KOMINFO, {"s": "s-5"})["seller"]["appeals"]["edges"]
    assert api.run(SELLER, TOKOPEDIA, {"s": "s-5"}).errors[0].extensions == {"code": "FORBIDDEN"}


def test_an_open_appeal_becomes_overdue_and_counts_in_compliance(api, clock, services):
    compliance = """{ compliance(platform: "shopee", since: "2020-01-01T00:00:00Z", until: "2040-01-01T00:00:00Z")
      { received overdueAppeals } }"""
    review = api.file("s-7", api.review_strike("s-7", "k-7"), "a-11").data["fileAppeal"]
    order = api.file("s-8", api.order_strike("s-8", "REF-8"), "a-12").data["fileAppeal"]
    period = services.settings.appeal_overdue
    clock.advance(seconds=period.total_seconds() - 2)  # the review appeal was filed 1 s earlier
    assert api.ok(compliance, KEMENDAG)["compliance"]["overdueAppeals"] == 0
    clock.advance(seconds=1)
    edges = api.ok(SELLER, SHOPEE, {"s": "s-7"})["seller"]["appeals"]["edges"]
    assert edges[0]["node"]["overdue"] is True
    # Only the appeal the platform itself must decide counts against the platform.
    assert api.ok(compliance, KEMENDAG)["compliance"]["overdueAppeals"] == 1
    assert api.decide(review["id"], "UPHELD", SHOPEE).data["decideAppeal"]["overdue"] is False
    assert api.ok(compliance, KOMINFO)["compliance"]["overdueAppeals"] == 0
    assert order["decider"] == "regulator:kemendag"


def test_appeals_page_newest_first(api, clock):
    ids = []
    for n in range(3):
        strike = api.review_strike("s-9", f"k-9-{n}")
        clock.advance(minutes=1)
        ids.append(api.file("s-9", strike, f"a-9-{n}").data["fileAppeal"]["id"])
    query = """query($a: String) { seller(platform: "shopee", sellerId: "s-9") {
      appeals(first: 2, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }"""
    page = api.ok(query, SHOPEE, {"a": None})["seller"]["appeals"]
    assert [e["node"]["id"] for e in page["edges"]] == ids[:0:-1] and page["pageInfo"]["hasNextPage"]
    rest = api.ok(query, SHOPEE, {"a": page["pageInfo"]["endCursor"]})["seller"]["appeals"]
    assert [e["node"]["id"] for e in rest["edges"]] == ids[:1] and not rest["pageInfo"]["hasNextPage"]
    bad = api.run(query, SHOPEE, {"a": "not-a-cursor"}).errors[0].extensions
    assert bad == {"code": "BAD_USER_INPUT", "field": "after"}


@pytest.mark.timeout(180)
def test_decisions_racing_strikes_keep_counts_exact(moto_server_client, clock):  # noqa: F811
    """8 appeals decided REVOKED while 8 new strikes are recorded on the same seller, all at
    once against a moto server, from clients that retry what says retryable: 8 + 8 - 8."""
    from saring.bootstrap import build_services
    from saring.settings import Settings
    from tests.fakes import KeywordClassifier

    client, table = moto_server_client
    settings = Settings.from_env({"SARING_TABLE": table, "SARING_IDENTITY_SECRET": "s" * 32})
    api = Api(build_services(settings, dynamodb=client, clock=clock, classifier=KeywordClassifier()))
    strikes = [api.review_strike("s-hot", f"old-{n}") for n in range(8)]
    appeals = [api.file("s-hot", s, f"ap-{n}").data["fileAppeal"]["id"] for n, s in enumerate(strikes)]

    def retrying(call):
        for _ in range(200):
            result = call()
            if not result.errors:
                return result.data
            assert result.errors[0].extensions.get("retryable"), result.errors
            time.sleep(random.uniform(0, 0.02))
        raise AssertionError("gave up")

    calls = [
        *(lambda a=a: api.decide(a, "REVOKED", SHOPEE) for a in appeals),
        *(
            lambda n=n: api.run(RECORD, SHOPEE, {"i": {"sellerId": "s-hot", "idempotencyKey": f"new-{n}"}})
            for n in range(8)
        ),
    ]
    with ThreadPoolExecutor(len(calls)) as pool:
        list(pool.map(retrying, calls))
    seller = api.ok(SELLER, KEMENDAG, {"s": "s-hot"})["seller"]
    assert seller["activeStrikes"] == 8
    assert sum(1 for e in seller["strikes"]["edges"] if e["node"]["active"]) == 8
    assert all(e["node"]["status"] == "REVOKED" for e in seller["appeals"]["edges"])
