"""Identity links across platforms, as an attacker platform would use them (issue 13, finding 1).

No mutation by one platform writes an item of another platform's sellers, no item grows with
another platform's actions, and one platform's links never make another's fail. The signal a
verdict gets (a seller sharing a phone or NIK with a seller blocked elsewhere) is computed at
read time from fingerprint items, says how many other platforms and since when, never which.
Through the Lambda handler on moto. moto does not enforce DynamoDB's 400 KB item limit; the
tests measure item sizes themselves.
"""

from __future__ import annotations

import json

import pytest

from tests.functional.conftest import invoke
from tests.functional.test_hostile_inputs import table_items

PHONE = "0812-3456-7890"
LINK = """mutation($s: ID!, $p: String, $n: String) {
  linkSellerIdentity(input: {sellerId: $s, phone: $p, nationalId: $n}) { sellerId standing } }"""
UNLINK = """mutation($s: ID!, $p: String, $n: String) {
  unlinkSellerIdentity(input: {sellerId: $s, phone: $p, nationalId: $n}) { sellerId standing } }"""
RECORD = """mutation($s: ID!, $k: String!) {
  recordViolation(input: {sellerId: $s, idempotencyKey: $k}) { standing activeStrikes } }"""
REVOKE = """mutation($p: String!, $s: ID!, $id: ID!) {
  revokeStrike(input: {platform: $p, sellerId: $s, strikeId: $id, reason: "appeal"}) { activeStrikes } }"""
VERDICT = """query($s: ID!) { verdict(listing: {listingId: "L-1", sellerId: $s,
  title: "Kemeja batik pria lengan panjang"}) { decision reasons { code message } } }"""
SIGNALS = """query($first: Int, $after: String) { identitySignals(first: $first, after: $after) {
  edges { cursor node { fingerprint kind platforms { platform linkedSellers blockedSellers
  firstLinkedAt lastLinkedAt blockedSince } } } pageInfo { hasNextPage endCursor } } }"""
AUDIT = '''query($s: ID!) { seller(platform: "shopee", sellerId: $s) {
  auditTrail { edges { node { action actor after } } } } }'''
MAX_ITEM_BYTES = 400 * 1024  # DynamoDB's item size limit; moto does not enforce it


class Platforms:
    def __init__(self, module, keys):
        self.module, self.keys = module, keys

    def call(self, role, query, variables=None):
        status, body, _ = invoke(self.module, query, self.keys[role], variables)
        assert status == 200, body
        return body

    def ok(self, role, query, variables=None):
        body = self.call(role, query, variables)
        assert not body.get("errors"), body
        return body["data"]

    def block(self, role, seller, prefix="k"):
        for n in range(3):
            self.ok(role, RECORD, {"s": seller, "k": f"{prefix}-{seller}-{n}"})


@pytest.fixture
def platforms(lambda_handler, handler_keys):
    return Platforms(lambda_handler, handler_keys)


def audit_trail(platforms, seller):
    """The shopee seller's audit events (a regulator's read), newest first."""
    edges = platforms.ok("kemendag", AUDIT, {"s": seller})["seller"]["auditTrail"]["edges"]
    return [edge["node"] for edge in edges]


def item_size(item: dict) -> int:
    """DynamoDB's size of an item: attribute names plus values (strings and numbers by length,
    maps and lists with 3 bytes of overhead plus 1 per element), what its 400 KB limit counts."""

    def value_size(value: dict) -> int:
        (kind, inner), = value.items()
        if kind in ("S", "N", "B"):
            return len(str(inner).encode())
        if kind == "BOOL" or kind == "NULL":
            return 1
        if kind == "M":
            return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in inner.items())
        if kind == "L":
            return 3 + sum(value_size(v) + 1 for v in inner)
        if kind in ("SS", "NS"):
            return sum(len(str(v).encode()) for v in inner)
        raise AssertionError(kind)

    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def items_of(client, table, platform: str) -> dict[str, dict]:
    """Every item that belongs to one platform's sellers or to that platform alone."""
    owned = {}
    for dumped in table_items(client, table):
        item = json.loads(dumped)["Attributes"]
        pk, sk = item["pk"]["S"], item["sk"]["S"]
        if (
            pk.startswith(f"SELLER#{platform}#")
            or pk.startswith(f"AUDIT#seller:{platform}:")
            or pk.startswith(f"STRIKEKEY#{platform}#")
            or pk.startswith(f"LINKRATE#{platform}")
            or sk == f"PLATFORM#{platform}"
            or (sk == "IDENTITY" and any(t.startswith(f"{platform}#") for t in item.get("members", {}).get("M", {})))
        ):
            owned[f"{pk} | {sk}"] = item
    return owned


def test_no_tokopedia_mutation_writes_or_grows_any_shopee_item(platforms, dynamodb, table_name):
    platforms.ok("shopee", LINK, {"s": "good", "p": PHONE})  # shopee's seller in good standing
    shopee_before = items_of(dynamodb, table_name, "shopee")
    assert shopee_before

    def unchanged_for_shopee(role, query, variables):
        body = platforms.call(role, query, variables)
        assert items_of(dynamodb, table_name, "shopee") == shopee_before, (query, variables)
        return body

    # tokopedia links a fresh seller to that phone, blocks it, keeps striking it, links twenty
    # more sellers, revokes and unlinks: shopee's items never change.
    unchanged_for_shopee("tokopedia", LINK, {"s": "fresh", "p": PHONE, "n": "3174012345678901"})
    for n in range(12):
        unchanged_for_shopee("tokopedia", RECORD, {"s": "fresh", "k": f"k-{n}"})
    for n in range(21):
        unchanged_for_shopee("tokopedia", LINK, {"s": f"sock-{n}", "p": PHONE})
    strike = platforms.ok(
        "tokopedia",
        '{ seller(platform: "tokopedia", sellerId: "fresh") { strikes(first: 1) { edges { node { id } } } } }',
    )["seller"]["strikes"]["edges"][0]["node"]["id"]
    unchanged_for_shopee("tokopedia", REVOKE, {"p": "tokopedia", "s": "fresh", "id": strike})
    unchanged_for_shopee("tokopedia", UNLINK, {"s": "fresh", "p": PHONE})
    for item in table_items(dynamodb, table_name):
        assert item_size(json.loads(item)["Attributes"]) < MAX_ITEM_BYTES


def test_another_platforms_links_never_make_a_link_fail(platforms):
    for n in range(25):  # tokopedia may hit its own limit; that is tokopedia's business
        platforms.call("tokopedia", LINK, {"s": f"sock-{n}", "p": PHONE})
    linked = platforms.call("shopee", LINK, {"s": "good", "p": PHONE})
    assert not linked.get("errors"), linked


def test_the_verdict_says_how_many_other_platforms_and_since_when_never_which(platforms, clock):
    platforms.ok("shopee", LINK, {"s": "good", "p": PHONE})
    platforms.ok("tokopedia", LINK, {"s": "bad", "p": PHONE})
    platforms.block("tokopedia", "bad")
    verdict = platforms.ok("shopee", VERDICT, {"s": "good"})["verdict"]
    (reason,) = [r for r in verdict["reasons"] if r["code"] == "IDENTITY_BLOCKED_ELSEWHERE"]
    assert verdict["decision"] == "REVIEW"
    assert "1 other platform" in reason["message"]
    assert "since 20" in reason["message"]  # a date
    for secret in ("tokopedia", "bad", "0812", "3456"):
        assert secret not in reason["message"]
    # the blocked seller itself carries no "elsewhere" signal for its own block
    own = platforms.ok("tokopedia", VERDICT, {"s": "bad"})["verdict"]["reasons"]
    assert "IDENTITY_BLOCKED_ELSEWHERE" not in [r["code"] for r in own]


def test_unlink_removes_the_signal_and_link_and_unlink_are_audited(platforms):
    platforms.ok("tokopedia", LINK, {"s": "bad", "p": PHONE})
    platforms.block("tokopedia", "bad")
    platforms.ok("shopee", LINK, {"s": "good", "p": "+62 812 3456 7890"})
    codes = [r["code"] for r in platforms.ok("shopee", VERDICT, {"s": "good"})["verdict"]["reasons"]]
    assert "IDENTITY_BLOCKED_ELSEWHERE" in codes
    unlinked = platforms.ok("shopee", UNLINK, {"s": "good", "p": PHONE})["unlinkSellerIdentity"]
    assert unlinked == {"sellerId": "good", "standing": "GOOD"}
    verdict = platforms.ok("shopee", VERDICT, {"s": "good"})["verdict"]
    assert verdict["decision"] == "ALLOW" and verdict["reasons"] == []
    trail = audit_trail(platforms, "good")
    assert [e["action"] for e in trail] == ["SELLER_IDENTITY_UNLINKED", "SELLER_IDENTITY_LINKED"]
    assert all(e["actor"] == "platform:shopee" for e in trail)
    body = platforms.call("tokopedia", UNLINK, {"s": "good", "p": PHONE})  # not tokopedia's seller
    assert audit_trail(platforms, "good") == trail
    assert body.get("errors") is None or body["errors"][0]["extensions"]["code"] != "INTERNAL"


@pytest.fixture
def three_links_an_hour(monkeypatch):
    monkeypatch.setenv("SARING_LINKS_PER_HOUR", "3")


def test_links_are_rate_limited_per_platform_and_refusals_are_audited(
    three_links_an_hour, platforms
):
    for n in range(3):
        platforms.ok("shopee", LINK, {"s": f"s-{n}", "p": f"0812-3456-78{n:02d}"})
    refused = platforms.call("shopee", LINK, {"s": "s-9", "p": "0812-3456-7899"})
    assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    trail = audit_trail(platforms, "s-9")
    assert [e["action"] for e in trail] == ["SELLER_IDENTITY_LINK_REFUSED"]
    assert "0812" not in json.dumps(trail)
    platforms.ok("tokopedia", LINK, {"s": "t-1", "p": PHONE})  # another platform's own budget


def test_regulators_list_fingerprints_with_a_cross_platform_signal(platforms):
    platforms.ok("shopee", LINK, {"s": "good", "p": PHONE, "n": "3174012345678901"})
    platforms.ok("tokopedia", LINK, {"s": "bad", "p": PHONE})
    platforms.ok("tokopedia", LINK, {"s": "other", "p": PHONE})
    platforms.block("tokopedia", "bad")
    platforms.ok("shopee", LINK, {"s": "alone", "p": "0813-1111-2222"})  # one platform only
    page = platforms.ok("kemendag", SIGNALS, {"first": 20})["identitySignals"]
    (signal,) = [edge["node"] for edge in page["edges"]]
    assert signal["kind"] == "PHONE" and signal["fingerprint"].startswith("fp_")
    by_platform = {p["platform"]: p for p in signal["platforms"]}
    assert by_platform["tokopedia"]["linkedSellers"] == 2
    assert by_platform["tokopedia"]["blockedSellers"] == 1
    assert by_platform["tokopedia"]["blockedSince"] is not None
    assert by_platform["shopee"]["linkedSellers"] == 1 and by_platform["shopee"]["blockedSince"] is None
    text = json.dumps(page)
    for raw in ("0812", "3456", "3174012345678901", "good", "bad"):
        assert raw not in text
    forbidden = platforms.call("shopee", SIGNALS, {"first": 20})
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
