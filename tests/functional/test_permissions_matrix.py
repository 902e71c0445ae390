"""Who may do what: every query and mutation against every role, through the Lambda handler.

Roles: platform A (shopee), platform B (tokopedia), the regulator that issued the orders
(kemendag), another regulator (kominfo), no key, a bad key. Each cell is the expected outcome:
DATA, an error code, or HTTP 401. An agency reads and changes only its own orders (their
targets, their compliance, their strikes); every agency reads the ledger. Also: keys compared in
constant time, nothing secret or personal in the logs, introspection switchable, and the HTTP
API's CORS and throttling settings present in template.yaml.
"""

from __future__ import annotations

import json
from itertools import count

import pytest

from tests.conftest import REPO_ROOT
from tests.functional.conftest import invoke

DATA, HTTP_401 = "DATA", "HTTP 401"
F, NF = "FORBIDDEN", "NOT_FOUND"
ROLES = ("shopee", "tokopedia", "kemendag", "kominfo", "none", "bad")
_ids = count()


def fresh(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


class World:
    """Sets up what an operation needs (an order, a strike), fresh for every cell."""

    def __init__(self, module, keys):
        self.module, self.keys = module, keys

    def call(self, query, key, variables=None):
        status, body, _ = invoke(self.module, query, key, variables)
        return status, body

    def ok(self, query, role, variables=None):
        status, body = self.call(query, self.keys[role], variables)
        assert status == 200 and not body.get("errors"), body
        return body["data"]

    def order(self) -> dict:
        return self.ok(
            """mutation($r: String!) { issueTakedown(input: {reference: $r, legalBasis: "Permendag 40/2022",
            reason: "used clothing", targets: [{platform: "shopee", kind: LISTING, value: "L-1", sellerId: "s-1"}]})
            { id targets { id } } }""",
            "kemendag",
            {"r": fresh("REF")},
        )["issueTakedown"]

    def order_strike(self) -> tuple[str, str]:
        """A strike recorded by a kemendag order that shopee acknowledged REMOVED."""
        seller = fresh("s")
        order = self.ok(
            """mutation($r: String!, $s: ID!) { issueTakedown(input: {reference: $r,
            legalBasis: "Permendag 40/2022", reason: "used clothing",
            targets: [{platform: "shopee", kind: LISTING, value: "L-3", sellerId: $s}]})
            { targets { id } } }""",
            "kemendag",
            {"r": fresh("REF"), "s": seller},
        )["issueTakedown"]
        self.ok(
            "mutation($t: ID!) { acknowledgeTakedown(input: {targetId: $t, state: REMOVED}) { state } }",
            "shopee",
            {"t": order["targets"][0]["id"]},
        )
        edges = self.ok(
            'query($s: ID!) { seller(platform: "shopee", sellerId: $s) { strikes { edges { node { id } } } } }',
            "shopee",
            {"s": seller},
        )["seller"]["strikes"]["edges"]
        return seller, edges[0]["node"]["id"]

    def strike(self) -> tuple[str, str]:
        seller = fresh("s")
        self.ok(
            "mutation($s: ID!, $k: String!) { recordViolation(input: {sellerId: $s, idempotencyKey: $k}) { standing } }",
            "shopee",
            {"s": seller, "k": fresh("k")},
        )
        edges = self.ok(
            'query($s: ID!) { seller(platform: "shopee", sellerId: $s) { strikes { edges { node { id } } } } }',
            "shopee",
            {"s": seller},
        )["seller"]["strikes"]["edges"]
        return seller, edges[0]["node"]["id"]


LISTING = '{listingId: "L-1", sellerId: "s-1", title: "bal thrift korea isi 100"}'
SINCE = 'since: "2026-01-01T00:00:00Z", until: "2027-01-01T00:00:00Z"'

# (name, build(world) -> (query, variables), expected per role in ROLES order)
MATRIX = [
    ("me", lambda w: ("{ me { role name } }", None), (DATA, DATA, DATA, DATA, HTTP_401, HTTP_401)),
    (
        "modelInfo",
        lambda w: ("{ modelInfo { version } }", None),
        (DATA, DATA, DATA, DATA, HTTP_401, HTTP_401),
    ),
    (
        "verdict",
        lambda w: (f"{{ verdict(listing: {LISTING}) {{ decision }} }}", None),
        (DATA, DATA, F, F, HTTP_401, HTTP_401),
    ),
    (
        "verdicts",
        lambda w: (f"{{ verdicts(listings: [{LISTING}]) {{ decision }} }}", None),
        (DATA, DATA, F, F, HTTP_401, HTTP_401),
    ),
    (
        "seller(shopee)",
        lambda w: ('{ seller(platform: "shopee", sellerId: "s-1") { standing } }', None),
        (DATA, F, DATA, DATA, HTTP_401, HTTP_401),
    ),
    (
        "seller(shopee).strikes",
        lambda w: (
            '{ seller(platform: "shopee", sellerId: "s-1") { strikes { edges { cursor } } } }',
            None,
        ),
        (DATA, F, DATA, DATA, HTTP_401, HTTP_401),
    ),
    (
        "seller(shopee).auditTrail",
        lambda w: (
            '{ seller(platform: "shopee", sellerId: "s-1") { auditTrail { edges { node { action } } } } }',
            None,
        ),
        (F, F, DATA, DATA, HTTP_401, HTTP_401),
    ),
    (
        "takedownOrder(targets shopee)",
        lambda w: ("query($id: ID!) { takedownOrder(id: $id) { id } }", {"id": w.order()["id"]}),
        (DATA, NF, DATA, NF, HTTP_401, HTTP_401),
    ),
    (
        "takedownTargets",
        lambda w: ("{ takedownTargets { edges { node { id } } } }", None),
        (DATA, DATA, DATA, DATA, HTTP_401, HTTP_401),
    ),
    (
        "takedownTargets(platform: tokopedia)",
        lambda w: ('{ takedownTargets(platform: "tokopedia") { edges { node { id } } } }', None),
        (F, DATA, DATA, DATA, HTTP_401, HTTP_401),
    ),
    (
        "compliance",
        lambda w: (f'{{ compliance(platform: "shopee", {SINCE}) {{ received }} }}', None),
        (F, F, DATA, DATA, HTTP_401, HTTP_401),
    ),
    (
        "issueTakedown",
        lambda w: (
            """mutation($r: String!) { issueTakedown(input: {reference: $r, legalBasis: "x", reason: "y",
        targets: [{platform: "shopee", kind: LISTING, value: "L-2"}]}) { id } }""",
            {"r": fresh("REF")},
        ),
        (F, F, DATA, DATA, HTTP_401, HTTP_401),
    ),
    (
        "acknowledgeTakedown(shopee target)",
        lambda w: (
            "mutation($t: ID!) { acknowledgeTakedown(input: {targetId: $t, state: REMOVED}) { state } }",
            {"t": w.order()["targets"][0]["id"]},
        ),
        (DATA, NF, F, F, HTTP_401, HTTP_401),
    ),
    (
        "recordViolation",
        lambda w: (
            'mutation($k: String!) { recordViolation(input: {sellerId: "s-9", idempotencyKey: $k}) { standing } }',
            {"k": fresh("k")},
        ),
        (DATA, DATA, F, F, HTTP_401, HTTP_401),
    ),
    (
        "revokeStrike(shopee's strike)",
        lambda w: (
            """mutation($s: ID!, $id: ID!) { revokeStrike(input: {platform: "shopee", sellerId: $s, strikeId: $id,
        reason: "appeal upheld"}) { activeStrikes } }""",
            dict(zip(("s", "id"), w.strike(), strict=True)),
        ),
        (DATA, F, F, F, HTTP_401, HTTP_401),
    ),
    (
        "revokeStrike(kemendag order's strike)",
        lambda w: (
            """mutation($s: ID!, $id: ID!) { revokeStrike(input: {platform: "shopee", sellerId: $s, strikeId: $id,
        reason: "appeal upheld"}) { activeStrikes } }""",
            dict(zip(("s", "id"), w.order_strike(), strict=True)),
        ),
        (F, F, DATA, F, HTTP_401, HTTP_401),
    ),
    (
        "linkSellerIdentity",
        lambda w: (
            'mutation { linkSellerIdentity(input: {sellerId: "s-7", phone: "0812-3456-7890"}) { standing } }',
            None,
        ),
        (DATA, DATA, F, F, HTTP_401, HTTP_401),
    ),
    (
        "unlinkSellerIdentity",
        lambda w: (
            'mutation { unlinkSellerIdentity(input: {sellerId: "s-7", phone: "0812-3456-7890"}) { standing } }',
            None,
        ),
        (DATA, DATA, F, F, HTTP_401, HTTP_401),
    ),
    (
        "reportReviewOutcome",
        lambda w: (
            f"""mutation($k: String!) {{ reportReviewOutcome(input: {{listing: {LISTING}, outcome: VIOLATION,
        idempotencyKey: $k}}) {{ id }} }}""",
            {"k": fresh("k")},
        ),
        (DATA, DATA, F, F, HTTP_401, HTTP_401),
    ),
    (
        "identitySignals",
        lambda w: ("{ identitySignals { edges { node { fingerprint } } } }", None),
        (F, F, DATA, DATA, HTTP_401, HTTP_401),
    ),
]


def outcome(status: int, body: dict) -> str:
    if status == 401:
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        return HTTP_401
    assert status == 200, (status, body)
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    return DATA


def test_every_operation_against_every_role(lambda_handler, handler_keys):
    from saring.service.keys import create_key, principal_for

    services = lambda_handler.app.services
    kominfo = create_key(services.keys, services.clock, principal_for("regulator", None, "kominfo"))
    world = World(lambda_handler, handler_keys)
    keys = {**handler_keys, "kominfo": kominfo.key, "none": None, "bad": "srg_" + "A" * 43}
    assert {"shopee", "tokopedia", "kemendag"} <= set(handler_keys)
    mismatches = []
    for name, build, expected in MATRIX:
        for role, want in zip(ROLES, expected, strict=True):
            query, variables = build(world)
            got = outcome(*world.call(query, keys[role], variables))
            if got != want:
                mismatches.append(f"{name} as {role}: expected {want}, got {got}")
    assert mismatches == []


def test_the_matrix_covers_every_root_field():
    from saring.api.schema import Mutation, Query

    covered = {name.split("(")[0].split(".")[0] for name, _, _ in MATRIX}
    fields = {f.name for f in Query.__strawberry_definition__.fields} | {
        f.name for f in Mutation.__strawberry_definition__.fields
    }
    from strawberry.utils.str_converters import to_camel_case

    assert {to_camel_case(name) for name in fields} <= covered


# --- keys compared in constant time ------------------------------------------------------------


def test_key_lookup_compares_hashes_in_constant_time(lambda_handler, handler_keys, monkeypatch):
    import hmac

    import saring.adapters.dynamodb.keystore as keystore

    compared: list[tuple[str, str]] = []
    constant_time = hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return constant_time(a, b)

    monkeypatch.setattr(keystore.hmac, "compare_digest", spy)
    services = lambda_handler.app.services
    services.authenticator._cache.clear()
    from saring.service.keys import hash_key

    principal = services.authenticator.authenticate(f"Bearer {handler_keys['shopee']}")
    assert principal.platform == "shopee"
    assert compared == [(hash_key(handler_keys["shopee"]), hash_key(handler_keys["shopee"]))]
    # The key is looked up by its SHA-256 hash: what DynamoDB compares is never the secret itself.
    assert len(compared[0][0]) == 64 and handler_keys["shopee"] not in compared[0]


# --- nothing secret or personal in the logs ----------------------------------------------------


def test_logs_carry_no_identifiers_keys_or_listing_text(lambda_handler, handler_keys, json_logs):
    phone, nik = "0812-9876-5432", "3174019876543210"
    title, note = "karung thrift rahasia ZQX-TITLE", "catatan internal ZQX-NOTE"
    bad_key = "srg_" + "B" * 43
    for query, key in [
        (
            f'mutation {{ linkSellerIdentity(input: {{sellerId: "s-1", phone: "{phone}", nationalId: "{nik}"}}) {{ standing }} }}',
            "shopee",
        ),
        (
            f'mutation {{ recordViolation(input: {{sellerId: "s-1", idempotencyKey: "k-log", note: "{note}"}}) {{ standing }} }}',
            "shopee",
        ),
        (
            f'{{ verdicts(listings: [{{listingId: "L-1", sellerId: "s-1", title: "{title}", description: "{note}"}}]) {{ decision }} }}',
            "shopee",
        ),
        (
            f'mutation {{ linkSellerIdentity(input: {{sellerId: "s-1", phone: "{phone}x"}}) {{ standing }} }}',
            "shopee",
        ),
        (
            f'{{ verdict(listing: {{listingId: "L-1", sellerId: "s-1", title: "{title}"}}) {{ decision }} }}',
            "kemendag",
        ),
    ]:
        invoke(lambda_handler, query, handler_keys[key])
    invoke(lambda_handler, "{ me { role } }", bad_key)
    logged = json_logs.getvalue()
    assert logged.count('"message":"request"') >= 6  # the logs were captured
    for secret in (
        phone,
        "08129876543",
        "628129876543",
        nik,
        title,
        note,
        bad_key,
        *handler_keys.values(),
    ):
        assert secret not in logged, secret


# --- introspection -----------------------------------------------------------------------------

INTROSPECT = "{ __schema { queryType { name } } }"


def test_introspection_is_on_by_default(lambda_handler, handler_keys):
    status, body, _ = invoke(lambda_handler, INTROSPECT, handler_keys["shopee"])
    assert status == 200 and body["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.fixture
def introspection_off(monkeypatch):
    monkeypatch.setenv("SARING_INTROSPECTION", "false")


def test_introspection_off_when_configured(introspection_off, lambda_handler, handler_keys):
    status, body, _ = invoke(lambda_handler, INTROSPECT, handler_keys["shopee"])
    assert status == 200 and "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "introspection" in body["errors"][0]["message"].lower()
    status, body, _ = invoke(lambda_handler, "{ me { role } }", handler_keys["shopee"])
    assert body == {"data": {"me": {"role": "PLATFORM"}}}


# --- CORS and throttling in template.yaml ------------------------------------------------------


def test_template_sets_cors_and_throttling_on_the_http_api():
    import yaml

    from saring.adapters.dynamodb.tables import _CloudFormationLoader

    template = yaml.load((REPO_ROOT / "template.yaml").read_text(), _CloudFormationLoader)
    parameters = template["Parameters"]
    api = template["Resources"]["HttpApi"]
    assert api["Type"] == "AWS::Serverless::HttpApi"
    properties = api["Properties"]
    cors = properties["CorsConfiguration"]
    origins = cors["AllowOrigins"]
    assert origins and "*" not in origins  # one named origin, never everyone
    assert origins == ["CorsAllowOrigin"]  # !Ref, read as its name
    assert parameters["CorsAllowOrigin"]["Default"].startswith("https://")
    assert {"authorization", "content-type"} <= {h.lower() for h in cors["AllowHeaders"]}
    assert set(cors["AllowMethods"]) <= {"GET", "POST", "OPTIONS"}
    route = properties["DefaultRouteSettings"]
    assert route["ThrottlingBurstLimit"] == "ThrottlingBurstLimit"
    assert route["ThrottlingRateLimit"] == "ThrottlingRateLimit"
    for name in ("ThrottlingBurstLimit", "ThrottlingRateLimit"):
        assert parameters[name]["Type"] == "Number" and int(parameters[name]["Default"]) > 0
    assert json.dumps(properties)  # plain data, nothing left unparsed


# --- revoked and expired keys, against every operation ------------------------------------------


@pytest.fixture
def no_key_cache(monkeypatch):
    monkeypatch.setenv("SARING_KEY_CACHE_SECONDS", "0")


def test_revoked_and_expired_keys_are_401_for_every_operation(
    no_key_cache, lambda_handler, handler_keys
):
    """Keys are managed by operators (`saring keys`), not over GraphQL; what the API must show
    is that a revoked or expired key of each role opens no operation."""
    from datetime import timedelta

    from saring.ports import StoredKey
    from saring.service.keys import create_key, hash_key, new_key_id, principal_for, revoke_key

    services = lambda_handler.app.services
    world = World(lambda_handler, handler_keys)
    now = services.clock.now()
    dead = {}
    for role, platform, agency in (
        ("platform", "shopee", None),
        ("regulator", None, "kemendag"),
    ):
        principal = principal_for(role, platform, agency)
        revoked = create_key(services.keys, services.clock, principal)
        revoke_key(services.keys, services.clock, revoked.stored.key_id)
        dead[f"revoked {role}"] = revoked.key
        expired = f"srg_expired-{role}-key-for-the-permission-matrix"
        services.keys.put(
            StoredKey(
                hash_key(expired),
                principal,
                now - timedelta(days=2),
                new_key_id(),
                expires_at=now - timedelta(days=1),
            )
        )
        dead[f"expired {role}"] = expired
    mismatches = []
    for name, build, _ in MATRIX:
        for label, key in dead.items():
            query, variables = build(world)
            got = outcome(*world.call(query, key, variables))
            if got != HTTP_401:
                mismatches.append(f"{name} with a {label} key: got {got}")
    assert mismatches == []
