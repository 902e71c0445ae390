"""Hostile input through the real Lambda handler on moto: every argument, every input type.

Whatever is sent, the answer is either a correct result or a clean GraphQL error whose code is
one a caller can act on: never a 500, never INTERNAL, never a partial write (a refused mutation
leaves the table exactly as it was), never a hang.

Hypothesis runs derandomised (the same examples on every run, so CI does not flake); set
SARING_HOSTILE_EXAMPLES=500 to explore further with fresh random examples.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.functional.conftest import LambdaContext, api_gateway_event, invoke

ALLOWED_CODES = {"BAD_USER_INPUT", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "UNAUTHENTICATED"}
_EXPLORE = os.environ.get("SARING_HOSTILE_EXAMPLES")
HOSTILE = settings(
    max_examples=int(_EXPLORE or 50),
    deadline=None,
    derandomize=_EXPLORE is None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
pytestmark = pytest.mark.timeout(120)

# --- values ------------------------------------------------------------------------------------

CONTROL = st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=8)
# json.dumps writes a lone surrogate as a \udXXX escape: invalid Unicode that JSON still parses.
SURROGATES = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=4)
SURROGATE_IN_TEXT = st.tuples(st.text(max_size=5), SURROGATES, st.text(max_size=5)).map("".join)
ANY_UNICODE = st.text(st.characters(codec=None, exclude_categories=[]), max_size=30)
HUGE = st.sampled_from([129, 257, 501, 2_001, 10_001, 100_000]).map(lambda n: "x" * n)
ODD = st.sampled_from(
    [
        "",
        " ",
        "\u0000",
        "\ufeff",
        "\u202e",
        "💥" * 20,
        "null",
        "0",
        "-1",
        "' OR 1=1 --",
        "${jndi:ldap://x}",
        "../../etc/passwd",
        "pk",
        "#",
        "seller#shopee#x",
        "<script>",
    ]
)
HOSTILE_TEXT = st.one_of(
    ODD, CONTROL, SURROGATES, SURROGATE_IN_TEXT, ANY_UNICODE, HUGE, st.text(max_size=20)
)
BIG_INTS = st.sampled_from([2**31 - 1, 2**31, -(2**31) - 1, 2**53 + 1, 2**64, -(2**70), 10**30])
WRONG_TYPE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    BIG_INTS,
    st.floats(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
ANY_VALUE = st.one_of(HOSTILE_TEXT, WRONG_TYPE)
HOSTILE_INT = st.one_of(
    st.integers(min_value=-5, max_value=150), BIG_INTS, st.none(), st.floats(), st.just("10")
)
DATETIMES = st.one_of(
    st.sampled_from(
        [
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00",
            "2026-13-45T99:00:00Z",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "9999-12-31T23:59:59.999999+00:00",
            "0001-01-01T00:00:00Z",
            "2026-03-01T09:00:00+05:30",
            "yesterday",
            "",
            "2026-01-01T00:00:00+24:00",
        ]
    ),
    ANY_VALUE,
)


def maybe(strategy):
    """A field that is sometimes left out, sometimes null, usually the strategy's value."""
    return st.one_of(st.just(_ABSENT), st.none(), strategy)


_ABSENT = object()


def build(**fields):
    return {name: value for name, value in fields.items() if value is not _ABSENT}


def plausible(text_strategy):
    return st.one_of(st.sampled_from(["s-1", "L-1", "ok value"]), text_strategy)


# --- checks ------------------------------------------------------------------------------------


def clean(status: int, body) -> dict:
    """Asserts a clean answer and returns the body."""
    assert status < 500, (status, body)
    assert isinstance(body, dict), body
    errors = body.get("errors") or []
    for error in errors:
        code = (error.get("extensions") or {}).get("code")
        assert code in ALLOWED_CODES, error
    if status >= 400:
        assert errors, (status, body)
    if not errors:
        assert status == 200 and body.get("data") is not None, body
    return body


def table_items(client, table: str) -> list[str]:
    """Every item of the table, read from moto's backend: a Scan through boto3 costs ~80 ms on
    moto, this ~1 ms, and a refused mutation is compared against it on every example."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][client.meta.region_name]
    return sorted(
        json.dumps(item.to_json(), sort_keys=True) for item in backend.get_table(table).all_items()
    )


class Api:
    def __init__(self, module, keys, client, table):
        self.module, self.keys, self.client, self.table = module, keys, client, table

    def call(self, query: str, variables=None, key: str | None = "shopee") -> dict:
        status, body, _ = invoke(self.module, query, self.keys.get(key), variables)
        return clean(status, body)

    def mutate(self, query: str, variables, key: str = "shopee") -> dict:
        """A mutation: refused means nothing was written."""
        before = table_items(self.client, self.table)
        body = self.call(query, variables, key)
        if body.get("errors"):
            assert table_items(self.client, self.table) == before, body["errors"]
        return body


@pytest.fixture
def api(lambda_handler, handler_keys, dynamodb, table_name) -> Api:
    return Api(lambda_handler, handler_keys, dynamodb, table_name)


# --- verdicts ----------------------------------------------------------------------------------

LISTING = st.builds(
    build,
    listingId=st.one_of(plausible(HOSTILE_TEXT), WRONG_TYPE, st.just(_ABSENT)),
    sellerId=st.one_of(plausible(HOSTILE_TEXT), WRONG_TYPE, st.just(_ABSENT)),
    title=st.one_of(
        st.just("bal thrift korea isi 100 pcs"), HOSTILE_TEXT, WRONG_TYPE, st.just(_ABSENT)
    ),
    description=maybe(ANY_VALUE),
    priceIdr=maybe(HOSTILE_INT),
    category=maybe(ANY_VALUE),
    url=maybe(ANY_VALUE),
)
VERDICTS = """query($l: [ListingInput!]!) { verdicts(listings: $l) {
  listingId decision score reasons { code message } modelVersion seller { standing activeStrikes } } }"""


@HOSTILE
@given(
    size=st.sampled_from([0, 1, 2, 99, 100, 101]),
    templates=st.lists(LISTING, min_size=1, max_size=3),
    wrap=st.sampled_from(["list", "null", "object", "string"]),
)
def test_verdicts_with_hostile_listings(api, size, templates, wrap):
    listings = [templates[index % len(templates)] for index in range(size)]
    variables = {"l": {"list": listings, "null": None, "object": templates[0], "string": "x"}[wrap]}
    before = table_items(api.client, api.table)
    body = api.call(VERDICTS, variables)
    if not body.get("errors"):
        assert len(body["data"]["verdicts"]) == (size if wrap == "list" else 1)
    assert table_items(api.client, api.table) == before  # reading verdicts changes nothing


@HOSTILE
@given(
    listing=LISTING,
    price=st.sampled_from(
        ["0", "-1", "2147483647", "2147483648", "99999999999999999999", "1e3", "0x10"]
    ),
)
def test_single_verdict_with_inline_literals(api, listing, price):
    # Literals in the document itself, not variables: graphql-core coerces them differently.
    title = json.dumps(listing.get("title") if isinstance(listing.get("title"), str) else "kemeja")
    query = (
        f'{{ verdict(listing: {{listingId: "1", sellerId: "s", title: {title}, priceIdr: {price}}}) '
        "{ decision score } }"
    )
    api.call(query)
    api.call("query($x: ListingInput!) { verdict(listing: $x) { decision } }", {"x": listing})


# --- ledger ------------------------------------------------------------------------------------

RECORD = "mutation($i: RecordViolationInput!) { recordViolation(input: $i) { sellerId standing activeStrikes } }"
REVOKE = "mutation($i: RevokeStrikeInput!) { revokeStrike(input: $i) { activeStrikes } }"
LINK = "mutation($i: LinkSellerIdentityInput!) { linkSellerIdentity(input: $i) { standing } }"
UNLINK = "mutation($i: LinkSellerIdentityInput!) { unlinkSellerIdentity(input: $i) { standing } }"


@HOSTILE
@given(
    data=st.builds(
        build,
        sellerId=st.one_of(plausible(HOSTILE_TEXT), WRONG_TYPE, st.just(_ABSENT)),
        idempotencyKey=st.one_of(plausible(HOSTILE_TEXT), WRONG_TYPE, st.just(_ABSENT)),
        listingId=maybe(ANY_VALUE),
        note=maybe(ANY_VALUE),
    ),
    key=st.sampled_from(["shopee", "shopee", "kemendag"]),
)
def test_record_violation_with_hostile_input(api, data, key):
    api.mutate(RECORD, {"i": data}, key)


@HOSTILE
@given(
    data=st.builds(
        build,
        platform=st.one_of(
            st.sampled_from(["shopee", "tokopedia", "nope"]), ANY_VALUE, st.just(_ABSENT)
        ),
        sellerId=st.one_of(plausible(HOSTILE_TEXT), WRONG_TYPE),
        strikeId=st.one_of(st.just("REAL"), HOSTILE_TEXT, WRONG_TYPE),
        reason=st.one_of(st.just("appeal upheld"), ANY_VALUE, st.just(_ABSENT)),
    ),
    key=st.sampled_from(["shopee", "tokopedia", "kemendag"]),
)
def test_revoke_strike_with_hostile_input(api, data, key):
    if data.get("strikeId") == "REAL":
        seller = api.call(
            RECORD, {"i": {"sellerId": "s-1", "idempotencyKey": "k-revoke", "listingId": "L-1"}}
        )
        assert seller["data"]["recordViolation"]["sellerId"] == "s-1"
        strikes = api.call(
            '{ seller(platform: "shopee", sellerId: "s-1") { strikes { edges { node { id } } } } }'
        )
        data["strikeId"] = strikes["data"]["seller"]["strikes"]["edges"][0]["node"]["id"]
    api.mutate(REVOKE, {"i": data}, key)


@HOSTILE
@given(
    data=st.builds(
        build,
        sellerId=st.one_of(plausible(HOSTILE_TEXT), WRONG_TYPE, st.just(_ABSENT)),
        phone=maybe(
            st.one_of(
                st.sampled_from(["0812-3456-7890", "+62 812 3456 7890", "+62", "0" * 40]), ANY_VALUE
            )
        ),
        nationalId=maybe(
            st.one_of(
                st.sampled_from(
                    ["3174012345678901", "317401234567890", "３１７４０１２３４５６７８９０１"]
                ),
                ANY_VALUE,
            )
        ),
    ),
    key=st.sampled_from(["shopee", "kemendag"]),
)
def test_link_identity_with_hostile_input(api, json_logs, data, key):
    api.mutate(LINK, {"i": data}, key)
    api.mutate(UNLINK, {"i": data}, key)
    logged = json_logs.getvalue()
    for field in ("phone", "nationalId"):
        value = data.get(field)
        if isinstance(value, str) and len(value) >= 8:
            assert value not in logged  # raw identifiers never reach the log


@HOSTILE
@given(
    first=HOSTILE_INT,
    after=st.one_of(
        st.none(), HOSTILE_TEXT, st.sampled_from(["ZmZmZg==", "e30=", "!!", "a" * 90])
    ),
    key=st.sampled_from(["kemendag", "shopee"]),
)
def test_identity_signals_with_hostile_arguments(api, first, after, key):
    api.call(
        "query($f: Int, $a: String) { identitySignals(first: $f, after: $a) {"
        " edges { node { fingerprint } } pageInfo { endCursor } } }",
        {"f": first, "a": after},
        key,
    )


# --- orders ------------------------------------------------------------------------------------

ISSUE = """mutation($i: IssueTakedownInput!) { issueTakedown(input: $i) {
  id reference deadline targets { id platform kind value state } } }"""
ACK = "mutation($i: AcknowledgeTakedownInput!) { acknowledgeTakedown(input: $i) { id state } }"
TARGET = st.builds(
    build,
    platform=st.one_of(
        st.sampled_from(["shopee", "tokopedia", "nope"]), ANY_VALUE, st.just(_ABSENT)
    ),
    kind=st.one_of(
        st.sampled_from(["LISTING", "SHOP", "ACCOUNT", "URL", "listing", "PHONE"]), WRONG_TYPE
    ),
    value=st.one_of(
        st.sampled_from(
            ["L-1", "https://shopee.co.id/x-i.1.2", "javascript:alert(1)", "http://[::1", "ftp://x"]
        ),
        ANY_VALUE,
    ),
    sellerId=maybe(plausible(HOSTILE_TEXT)),
)


@HOSTILE
@given(
    data=st.builds(
        build,
        reference=st.one_of(st.sampled_from(["REF-1", "REF-2"]), ANY_VALUE, st.just(_ABSENT)),
        legalBasis=st.one_of(st.just("Permendag 40/2022"), ANY_VALUE),
        reason=st.one_of(st.just("used clothing imports"), ANY_VALUE),
        urgency=maybe(st.sampled_from(["STANDARD", "URGENT", "urgent", "NOW", 1])),
        targets=st.one_of(
            st.tuples(
                st.sampled_from([0, 1, 2, 100, 101, 500, 501]),
                st.lists(TARGET, min_size=1, max_size=2),
            ).map(lambda pair: [pair[1][n % len(pair[1])] for n in range(pair[0])]),
            WRONG_TYPE,
        ),
    ),
    key=st.sampled_from(["kemendag", "kemendag", "shopee"]),
)
def test_issue_takedown_with_hostile_input(api, data, key):
    api.mutate(ISSUE, {"i": data}, key)


@HOSTILE
@given(
    target=st.one_of(st.just("REAL"), st.just("OTHER_PLATFORM"), HOSTILE_TEXT, WRONG_TYPE),
    state=st.one_of(
        st.sampled_from(["REMOVED", "NOT_FOUND", "DISPUTED", "PENDING", "removed"]), WRONG_TYPE
    ),
    note=maybe(ANY_VALUE),
    key=st.sampled_from(["shopee", "shopee", "tokopedia", "kemendag"]),
)
def test_acknowledge_takedown_with_hostile_input(api, target, state, note, key):
    if not hasattr(api, "ack_targets"):  # one order for all examples (issuing is idempotent)
        order = api.call(
            ISSUE,
            {
                "i": {
                    "reference": "REF-ACK",
                    "legalBasis": "Permendag 40/2022",
                    "reason": "used clothing",
                    "targets": [
                        {
                            "platform": "shopee",
                            "kind": "LISTING",
                            "value": "L-9",
                            "sellerId": "s-9",
                        },
                        {"platform": "tokopedia", "kind": "LISTING", "value": "L-9"},
                    ],
                }
            },
            "kemendag",
        )["data"]["issueTakedown"]
        api.ack_targets = {t["platform"]: t["id"] for t in order["targets"]}
    ids = api.ack_targets
    target_id = (
        {"REAL": ids["shopee"], "OTHER_PLATFORM": ids["tokopedia"]}.get(target, target)
        if isinstance(target, str)
        else target
    )
    api.mutate(ACK, {"i": build(targetId=target_id, state=state, note=note)}, key)


# --- queries -----------------------------------------------------------------------------------


@HOSTILE
@given(
    platform=ANY_VALUE | st.sampled_from(["shopee", "tokopedia"]),
    seller=plausible(HOSTILE_TEXT) | WRONG_TYPE,
    first=HOSTILE_INT,
    after=st.one_of(
        st.none(),
        HOSTILE_TEXT,
        st.sampled_from(["eyJhIjoxfQ", "e30", "W10", "bnVsbA", "!!", "eyJzayI6IDF9"]),
    ),
    key=st.sampled_from(["shopee", "kemendag"]),
)
def test_seller_query_with_hostile_arguments(api, platform, seller, first, after, key):
    api.call(
        "query($p: String!, $s: ID!, $f: Int, $a: String) { seller(platform: $p, sellerId: $s) {"
        " standing activeStrikes strikes(first: $f, after: $a) { edges { cursor } pageInfo { hasNextPage } }"
        " auditTrail(first: $f, after: $a) { edges { cursor node { action } } } } }",
        {"p": platform, "s": seller, "f": first, "a": after},
        key,
    )


@HOSTILE
@given(
    order_id=ANY_VALUE,
    state=st.one_of(st.none(), st.sampled_from(["PENDING", "REMOVED", "pending"]), WRONG_TYPE),
    first=HOSTILE_INT,
    after=st.one_of(
        st.none(), HOSTILE_TEXT, st.sampled_from(["eyJhIjoxfQ==", "e30=", "W10=", "bnVsbA==", "!!"])
    ),
    platform=st.one_of(st.none(), st.sampled_from(["shopee", "tokopedia", "nope"]), HOSTILE_TEXT),
    since=DATETIMES,
    until=DATETIMES,
    key=st.sampled_from(["shopee", "kemendag"]),
)
def test_order_queries_with_hostile_arguments(
    api, order_id, state, first, after, platform, since, until, key
):
    api.call(
        "query($id: ID!) { takedownOrder(id: $id) { id targets { id } } }", {"id": order_id}, key
    )
    api.call(
        "query($s: TargetState, $f: Int, $a: String, $p: String) { takedownTargets(state: $s, first: $f,"
        " after: $a, platform: $p) { edges { cursor node { id } } pageInfo { endCursor } } }",
        {"s": state, "f": first, "a": after, "p": platform},
        key,
    )
    api.call(
        "query($p: String!, $a: DateTime!, $b: DateTime!) { compliance(platform: $p, since: $a, until: $b)"
        " { received onTimeRate } }",
        {"p": platform, "a": since, "b": until},
        "kemendag",
    )


# --- documents and bodies ----------------------------------------------------------------------


def nested_introspection(depth: int) -> str:
    inner = "name"
    for _ in range(depth):
        inner = f"ofType {{ {inner} }}"
    return f"{{ __schema {{ types {{ fields {{ type {{ {inner} }} }} }} }} }}"


DOCUMENTS = st.one_of(
    st.integers(0, 120).map(
        lambda n: "{ " + " ".join(f"a{i}: me {{ role }}" for i in range(n)) + " __typename }"
    ),
    st.integers(0, 20).map(nested_introspection),
    st.integers(1, 3000).map(lambda n: "{ me { " + "role " * n + "} }"),
    st.integers(1, 400).map(lambda n: "{" * n + "}" * n),
    st.integers(1, 200).map(lambda n: "query " + "($v: Int)" * n + " { me { role } }"),
    st.sampled_from(
        [
            "",
            " ",
            "{",
            "}",
            "query",
            "mutation { }",
            "subscription { me { role } }",
            "{ me }",
            "{ nope }",
            "query A { me { role } } query B { me { role } }",
            "{ me { role ...F } }",
            "fragment F on Principal { ...F } { me { ...F } }",
            "{ __typename @skip(if: $x) }",
            '{ verdict(listing: {listingId: "1", sellerId: "s", title: "t", priceIdr: 9999999999}) { score } }',
            "{ verdicts(listings: []) { score } }",
            "{ me { role } } # \u0000",
        ]
    ),
    HOSTILE_TEXT,
)


@HOSTILE
@given(
    query=DOCUMENTS,
    variables=st.one_of(
        st.none(), st.just({}), WRONG_TYPE, st.dictionaries(HOSTILE_TEXT, ANY_VALUE, max_size=3)
    ),
    operation=st.one_of(st.just(_ABSENT), st.none(), st.sampled_from(["A", "B", "C"]), ANY_VALUE),
)
def test_hostile_documents(api, query, variables, operation):
    payload = json.dumps(build(query=query, variables=variables, operationName=operation))
    event = api_gateway_event(payload, {"authorization": f"Bearer {api.keys['shopee']}"})
    response = api.module.handler(event, LambdaContext())
    clean(response["statusCode"], json.loads(response["body"]))


BODIES = st.one_of(
    st.sampled_from(
        [
            b"",
            b"null",
            b"[]",
            b"[{}]",
            b"{}",
            b"1",
            b'"q"',
            b"{",
            b'{"query": 1}',
            b'{"query": null}',
            b'{"query": "{ me { role } }", "variables": "x"}',
            b'{"query": "{ me { role } }", "variables": [1]}',
            b'{"query": "\\ud800"}',
            b'{"query": "{ me { role } }", "extensions": 5}',
            b"\xff\xfe\x00",
        ]
    ),
    st.binary(max_size=64),
)


@HOSTILE
@given(
    body=BODIES,
    content_type=st.sampled_from(["application/json", "text/plain", "application/graphql", ""]),
)
def test_hostile_bodies(api, body, content_type):
    event = api_gateway_event(
        body, {"authorization": f"Bearer {api.keys['shopee']}", "content-type": content_type}
    )
    response = api.module.handler(event, LambdaContext())
    assert response["statusCode"] < 500, response
    if response["statusCode"] >= 400:
        clean(response["statusCode"], json.loads(response["body"]))


@HOSTILE
@given(
    authorization=st.one_of(
        st.sampled_from(
            [
                "",
                "Bearer",
                "Bearer ",
                "Basic abc",
                "bearer srg_nope",
                "Bearer " + "x" * 10_000,
                "Bearer srg_\u00e9",
                "Bearer \x00",
                "Token srg_x",
            ]
        ),
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40).map(
            lambda t: "Bearer " + t
        ),
    ),
)
def test_hostile_authorization_headers(api, authorization):
    event = api_gateway_event(
        json.dumps({"query": "{ me { role } }"}), {"authorization": authorization}
    )
    response = api.module.handler(event, LambdaContext())
    assert response["statusCode"] == 401, response
    assert json.loads(response["body"])["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_batch_limits_exactly(api):
    listing = {"listingId": "1", "sellerId": "s", "title": "kemeja batik"}
    for size, accepted in ((0, False), (1, True), (100, True), (101, False)):
        body = api.call(VERDICTS, {"l": [dict(listing, listingId=str(n)) for n in range(size)]})
        if accepted:
            assert len(body["data"]["verdicts"]) == size
        else:
            assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# --- raw bytes: what no JSON encoder on the client side would produce ----------------------------

VALID_QUERY = b'"{ me { role } }"'
RAW_BODIES = {
    "variables nested 600 deep": b'{"query": ' + VALID_QUERY + b', "variables": {"x": '
    + b"[" * 600 + b"]" * 600 + b"}}",
    "variables nested 100,000 deep": b'{"query": ' + VALID_QUERY + b', "variables": {"x": '
    + b"[" * 100_000 + b"]" * 100_000 + b"}}",
    "objects nested 5,000 deep": b'{"query": ' + VALID_QUERY + b', "variables": '
    + b'{"a": ' * 5_000 + b"1" + b"}" * 5_000 + b"}",
    "a body nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "an integer of 4,301 digits": b'{"query": ' + VALID_QUERY + b', "variables": {"x": '
    + b"9" * 4_301 + b"}}",
    "an integer of 100,000 digits": b'{"query": ' + VALID_QUERY + b', "variables": {"x": '
    + b"1" * 100_000 + b"}}",
    "an invalid UTF-8 byte in a string": b'{"query": ' + VALID_QUERY
    + b', "variables": {"x": "\xff\xfe"}}',
    "invalid UTF-8 in the query": b'{"query": "{ me { role } } #\xc3\x28"}',
    "a truncated UTF-8 sequence": b'{"query": "{ me { role } }", "v": "\xe2\x82"}',
    "an encoded surrogate (CESU-8)": b'{"query": "{ me { role } }", "variables": {"x": "\xed\xa0\x80"}}',
    "only invalid bytes": b"\xff\xfe\x00\x80",
    "an Int literal of 5,000 digits in the document": b'{"query": "{ verdict(listing: '
    + b'{listingId: \\"1\\", sellerId: \\"s\\", title: \\"t\\", priceIdr: '
    + b"9" * 5_000 + b'}) { score } }"}',
}


def base64_event(raw: bytes, headers: dict[str, str]) -> dict:
    """API Gateway may hand any body to Lambda base64-encoded; this one always is."""
    import base64

    event = api_gateway_event(b"", headers)
    event["headers"]["content-length"] = str(len(raw))
    event["body"] = base64.b64encode(raw).decode("ascii")
    event["isBase64Encoded"] = True
    return event


@pytest.mark.parametrize("name", list(RAW_BODIES))
def test_raw_hostile_bodies_through_the_lambda_handler_are_coded_400s(api, name):
    headers = {
        "authorization": f"Bearer {api.keys['shopee']}",
        "content-type": "application/json",
        "accept": "application/graphql-response+json",  # request errors are 400 as well
    }
    response = api.module.handler(base64_event(RAW_BODIES[name], headers), LambdaContext())
    assert response["statusCode"] == 400, (name, response)
    text = response["body"]
    if response["isBase64Encoded"]:  # Mangum encodes media types it does not know as text
        import base64

        text = base64.b64decode(text).decode("utf-8")
    body = json.loads(text)
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    assert "Traceback" not in text


@pytest.mark.parametrize("name", list(RAW_BODIES))
def test_raw_hostile_bodies_over_http_are_coded_400s(services, demo_keys, name):
    # The ASGI app as uvicorn serves it: the bytes reach it exactly as sent.
    import asyncio

    import httpx

    from saring.api.app import create_app

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post(
                "/graphql",
                content=RAW_BODIES[name],
                headers={
                    "authorization": f"Bearer {demo_keys['shopee']}",
                    "content-type": "application/json",
                    "accept": "application/graphql-response+json",
                },
            )

    response = asyncio.run(post())
    assert response.status_code == 400, (name, response.text[:500])
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
