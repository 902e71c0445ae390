"""fileAppeal, decideAppeal and Seller.appeals with hostile input through the Lambda handler on
moto (the strategies and checks of test_hostile_inputs.py): a correct result or a clean coded
error, never INTERNAL, and a refused mutation leaves the table as it was."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.functional.test_hostile_inputs import (
    _ABSENT,
    ANY_VALUE,
    HOSTILE,
    HOSTILE_INT,
    HOSTILE_TEXT,
    WRONG_TYPE,
    Api,
    build,
    plausible,
)


@pytest.fixture
def api(lambda_handler, handler_keys, dynamodb, table_name) -> Api:
    return Api(lambda_handler, handler_keys, dynamodb, table_name)

RECORD = """mutation($i: RecordViolationInput!) { recordViolation(input: $i) { strikes { edges { node { id } } } } }"""
FILE = """mutation($i: FileAppealInput!) { fileAppeal(input: $i) { id status decider } }"""
DECIDE = """mutation($i: DecideAppealInput!) { decideAppeal(input: $i) { id status } }"""
APPEALS = """query($p: String!, $s: ID!, $f: Int, $a: String) { seller(platform: $p, sellerId: $s) {
  appeals(first: $f, after: $a) { edges { cursor node { id } } pageInfo { endCursor } } } }"""


def real_strike(hostile_api) -> str:
    body = hostile_api.call(RECORD, {"i": {"sellerId": "s-1", "idempotencyKey": "k-appeal", "listingId": "L-1"}})
    return body["data"]["recordViolation"]["strikes"]["edges"][0]["node"]["id"]


@HOSTILE
@given(
    data=st.builds(
        build,
        platform=st.one_of(st.sampled_from(["shopee", "tokopedia", "nope"]), ANY_VALUE, st.just(_ABSENT)),
        sellerId=st.one_of(plausible(HOSTILE_TEXT), WRONG_TYPE, st.just(_ABSENT)),
        strikeId=st.one_of(st.just("REAL"), HOSTILE_TEXT, WRONG_TYPE),
        statement=st.one_of(st.just("bought new"), ANY_VALUE, st.just(_ABSENT)),
        idempotencyKey=st.one_of(plausible(HOSTILE_TEXT), WRONG_TYPE, st.just(_ABSENT)),
    ),
    key=st.sampled_from(["shopee", "shopee", "tokopedia", "kemendag"]),
)
def test_file_appeal_with_hostile_input(api, data, key):
    if data.get("strikeId") == "REAL":
        data["strikeId"] = real_strike(api)
    api.mutate(FILE, {"i": data}, key)


@HOSTILE
@given(
    appeal=st.one_of(st.just("REAL"), st.just("apl_WyJzaG9wZWUiLCJzLTEiLCIwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwIl0"), HOSTILE_TEXT, WRONG_TYPE),
    decision=st.one_of(st.sampled_from(["UPHELD", "REVOKED", "OPEN", "upheld"]), ANY_VALUE),
    note=st.one_of(st.just("reviewed"), ANY_VALUE, st.just(_ABSENT)),
    key=st.sampled_from(["shopee", "tokopedia", "kemendag"]),
)
def test_decide_appeal_with_hostile_input(api, appeal, decision, note, key):
    if appeal == "REAL":
        strike = real_strike(api)
        filed = api.call(FILE, {"i": {"platform": "shopee", "sellerId": "s-1", "strikeId": strike,
                                      "statement": "bought new", "idempotencyKey": "ap-hostile"}})
        appeal = filed["data"]["fileAppeal"]["id"]
    api.mutate(DECIDE, {"i": build(appealId=appeal, decision=decision, note=note)}, key)


@HOSTILE
@given(
    platform=st.one_of(st.sampled_from(["shopee", "nope"]), HOSTILE_TEXT),
    seller=plausible(HOSTILE_TEXT),
    first=HOSTILE_INT,
    after=st.one_of(st.none(), HOSTILE_TEXT, st.just("eyJ2IjoxLCJhcHBlYWwiOiJTVFJJS0UjeCJ9")),
    key=st.sampled_from(["shopee", "kemendag"]),
)
def test_seller_appeals_with_hostile_arguments(api, platform, seller, first, after, key):
    api.call(APPEALS, {"p": platform, "s": seller, "f": first, "a": after}, key)
