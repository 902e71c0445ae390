"""Every operation documented in graphql/operations/ runs, in a story order, on the real schema.

Variables may name a value from an earlier operation's result as "{{Operation.path.to.value}}".
"""

from __future__ import annotations

import re

import pytest

from saring.api.context import RequestContext
from saring.api.schema import build_schema
from tests.graphql_operations import documented_operations

STORY = [
    ("regulator", "Me"),
    ("regulator", "IssueTakedown"),
    ("platform", "Me"),
    ("platform", "ModelInfo"),
    ("platform", "Verdict"),
    ("platform", "Verdicts"),
    ("platform", "ReportReviewOutcome"),
    ("platform", "RecordViolation"),
    ("platform", "LinkSellerIdentity"),
    ("platform", "UnlinkSellerIdentity"),
    ("platform", "PendingTargets"),
    ("platform", "TakedownOrder"),
    ("platform", "AcknowledgeTakedown"),
    ("platform", "Seller"),
    ("regulator", "AllTargets"),
    ("regulator", "Compliance"),
    ("regulator", "RevokeStrike"),
    ("regulator", "SellerWithAudit"),
    ("regulator", "IdentitySignals"),
]
_PLACEHOLDER = re.compile(r"^\{\{(\w+)\.([\w.]+)\}\}$")


def _resolve(value, results):
    if isinstance(value, dict):
        return {name: _resolve(item, results) for name, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, results) for item in value]
    match = _PLACEHOLDER.match(value) if isinstance(value, str) else None
    if not match:
        return value
    found = results[match[1]]
    for step in match[2].split("."):
        found = found[int(step)] if isinstance(found, list) else found[step]
    return found


def test_the_story_covers_every_documented_operation():
    documented = {
        (role, operation.name)
        for role in ("platform", "regulator")
        for operation in documented_operations(f"{role}.graphql")
    }
    assert documented == set(STORY)


def test_every_documented_operation_runs(services):
    from saring.service.keys import principal_for

    schema = build_schema(services.settings)
    callers = {
        "platform": principal_for("platform", "shopee", None),
        "regulator": principal_for("regulator", None, "kemendag"),
    }
    operations = {
        (role, operation.name): operation
        for role in callers
        for operation in documented_operations(f"{role}.graphql")
    }
    results: dict[str, dict] = {}
    for role, name in STORY:
        services.clock.advance(minutes=1)  # one step at a time: newest-first lists are ordered
        operation = operations[(role, name)]
        result = schema.execute_sync(
            operation.document,
            variable_values=_resolve(operation.variables, results),
            context_value=RequestContext(services=services, principal=callers[role]),
            operation_name=name,
        )
        assert result.errors is None, (name, result.errors)
        results[name] = result.data

    assert results["Verdict"]["verdict"]["decision"] != "ALLOW"
    assert results["AcknowledgeTakedown"]["acknowledgeTakedown"]["state"] == "REMOVED"
    assert results["RevokeStrike"]["revokeStrike"]["activeStrikes"] == 1  # the order's strike
    trail = results["SellerWithAudit"]["seller"]["auditTrail"]["edges"]
    actions = [edge["node"]["action"] for edge in trail]
    # The story's clock moves a minute per operation, so the revocation, the last change, comes
    # first (tests/functional/test_ledger_dynamodb.py pages through a longer trail).
    assert "STRIKE_REVOKED" in actions
    assert actions[0] == "STRIKE_REVOKED"
    assert len(actions) >= 3


@pytest.mark.parametrize("role", ["platform", "regulator"])
def test_documented_files_parse(role):
    assert documented_operations(f"{role}.graphql")
