"""The whole takedown story over HTTP, as issue 5 tells it, with an injected clock."""

from __future__ import annotations

ISSUE = """mutation($input: IssueTakedownInput!) {
  issueTakedown(input: $input) { id reference deadline targets { id platform kind value state } }
}"""
TARGETS = """query($state: TargetState) {
  takedownTargets(state: $state, first: 50) {
    edges { node { id platform value state overdue } } pageInfo { hasNextPage }
  }
}"""
VERDICT = """query($listing: ListingInput!) {
  verdict(listing: $listing) { decision reasons { code message } seller { activeStrikes } }
}"""
ACKNOWLEDGE = """mutation($input: AcknowledgeTakedownInput!) {
  acknowledgeTakedown(input: $input) { id state resolvedAt late }
}"""
SELLER = """query($platform: String!, $sellerId: ID!) {
  seller(platform: $platform, sellerId: $sellerId) {
    standing activeStrikes strikes { edges { node { source orderReference } } }
  }
}"""
COMPLIANCE = """query($platform: String!, $since: DateTime!, $until: DateTime!) {
  compliance(platform: $platform, since: $since, until: $until) {
    received removed pending overdue onTimeRate medianHoursToRemoval
  }
}"""
REFERENCE = "KEMENDAG/PKTN/2026/0142"


def test_the_takedown_story(clocked_stack):
    stack, keys = clocked_stack, clocked_stack.keys
    order = stack.post(
        ISSUE,
        keys["kemendag"],
        {
            "input": {
                "reference": REFERENCE,
                "legalBasis": "Permendag 40/2022",
                "reason": "pakaian bekas impor",
                "urgency": "STANDARD",
                "targets": [
                    {"platform": "shopee", "kind": "LISTING", "value": "sp-1", "sellerId": "toko-a"},
                    {"platform": "tokopedia", "kind": "URL",
                     "value": "https://www.tokopedia.com/tokob/jaket-bal?utm_source=wa"},
                ],
            }
        },
    )["data"]["issueTakedown"]
    shopee_target, tokopedia_target = order["targets"]

    # Each platform lists only its own targets.
    shopee_list = stack.post(TARGETS, keys["shopee"], {"state": "PENDING"})["data"]
    tokopedia_list = stack.post(TARGETS, keys["tokopedia"], {"state": "PENDING"})["data"]
    assert [e["node"]["id"] for e in shopee_list["takedownTargets"]["edges"]] == [shopee_target["id"]]
    assert [e["node"]["id"] for e in tokopedia_list["takedownTargets"]["edges"]] == [
        tokopedia_target["id"]
    ]

    # A verdict on the targeted listing is TAKEDOWN because of the order, whatever the model says.
    verdict = stack.post(
        VERDICT,
        keys["shopee"],
        {"listing": {"listingId": "sp-1", "sellerId": "toko-a", "title": "Kemeja flanel pria"}},
    )["data"]["verdict"]
    assert verdict["decision"] == "TAKEDOWN"
    assert verdict["reasons"][0]["code"] == "ACTIVE_ORDER" and REFERENCE in verdict["reasons"][0]["message"]
    # The URL target matches the same listing written differently.
    by_url = stack.post(
        VERDICT,
        keys["tokopedia"],
        {"listing": {"listingId": "tp-9", "sellerId": "toko-b", "title": "Jaket kulit",
                     "url": "HTTPS://WWW.TOKOPEDIA.COM/tokob/jaket-bal#ulasan"}},
    )["data"]["verdict"]
    assert by_url["decision"] == "TAKEDOWN"

    # Shopee removes it within the deadline: one strike for the seller, and a retry adds none.
    stack.clock.advance(hours=2)
    acknowledged = stack.post(
        ACKNOWLEDGE, keys["shopee"], {"input": {"targetId": shopee_target["id"], "state": "REMOVED"}}
    )["data"]["acknowledgeTakedown"]
    assert acknowledged["state"] == "REMOVED" and acknowledged["late"] is False
    retried = stack.post(
        ACKNOWLEDGE, keys["shopee"], {"input": {"targetId": shopee_target["id"], "state": "REMOVED"}}
    )["data"]["acknowledgeTakedown"]
    assert retried == acknowledged
    seller = stack.post(SELLER, keys["shopee"], {"platform": "shopee", "sellerId": "toko-a"})
    seller = seller["data"]["seller"]
    assert seller["activeStrikes"] == 1 and seller["standing"] == "WARNED"
    assert seller["strikes"]["edges"][0]["node"] == {
        "source": "REGULATOR_ORDER", "orderReference": REFERENCE,
    }

    # Tokopedia misses its 24-hour deadline.
    stack.clock.advance(hours=23)
    window = {"since": "2026-01-01T00:00:00+00:00", "until": "2027-01-01T00:00:00+00:00"}
    late = stack.post(COMPLIANCE, keys["kemendag"], {"platform": "tokopedia", **window})
    assert late["data"]["compliance"] == {
        "received": 1, "removed": 0, "pending": 1, "overdue": 1, "onTimeRate": None,
        "medianHoursToRemoval": None,
    }
    on_time = stack.post(COMPLIANCE, keys["kemendag"], {"platform": "shopee", **window})
    assert on_time["data"]["compliance"]["onTimeRate"] == 1.0
    assert on_time["data"]["compliance"]["medianHoursToRemoval"] == 2.0
    overdue = stack.post(TARGETS, keys["tokopedia"], {"state": "PENDING"})["data"]
    assert overdue["takedownTargets"]["edges"][0]["node"]["overdue"] is True

    # The retried acknowledgement changed nothing: still one strike.
    again = stack.post(SELLER, keys["kemendag"], {"platform": "shopee", "sellerId": "toko-a"})
    assert again["data"]["seller"]["activeStrikes"] == 1


def test_a_platform_cannot_acknowledge_another_platforms_target(clocked_stack):
    stack, keys = clocked_stack, clocked_stack.keys
    order = stack.post(
        ISSUE,
        keys["kemendag"],
        {"input": {"reference": "R-2", "legalBasis": "x", "reason": "y", "urgency": "URGENT",
                   "targets": [{"platform": "shopee", "kind": "SHOP", "value": "toko-z"}]}},
    )["data"]["issueTakedown"]
    answer = stack.post(
        ACKNOWLEDGE, keys["tokopedia"], {"input": {"targetId": order["targets"][0]["id"], "state": "REMOVED"}}
    )
    assert answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"
