"""Every operation documented in graphql/operations/ runs, in the order its README gives, on the
real schema.

Variables may name a value from an earlier operation's result as "{{Operation.path.to.value}}".
"""

from __future__ import annotations

import pytest

from saring.api.context import RequestContext
from saring.api.schema import build_schema
from tests.graphql_operations import documented_operations, documented_order, resolve

STORY = documented_order()  # graphql/operations/README.md
_resolve = resolve  # test_iam_policies.py replays the story with it
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
            variable_values=resolve(operation.variables, results),
            context_value=RequestContext(services=services, principal=callers[role]),
            operation_name=name,
        )
        assert result.errors is None, (name, result.errors)
        results[name] = result.data

    assert results["Verdict"]["verdict"]["decision"] != "ALLOW"
    assert results["AcknowledgeTakedown"]["acknowledgeTakedown"]["state"] == "REMOVED"
    assert results["RevokeStrike"]["revokeStrike"]["activeStrikes"] == 1  # the order's strike
    assert results["DisputeTakedown"]["acknowledgeTakedown"]["state"] == "DISPUTED"
    assert results["ResolveDispute"]["resolveDispute"]["state"] == "PENDING"
    mine = results["MyTakedownOrders"]["takedownOrders"]["edges"][0]["node"]
    assert {t["disputeResolution"] for t in mine["targets"]} == {None, "UPHELD"}
    assert results["MyCompliance"]["compliance"]["received"] == 2
    withdrawn = results["WithdrawTakedown"]["withdrawTakedown"]
    assert withdrawn["status"] == "WITHDRAWN"
    # The SHOP target was removed after the dispute was upheld (AcknowledgeShopTarget): only the
    # tokopedia URL target was still pending.
    assert [t["state"] for t in withdrawn["targets"]] == ["REMOVED", "WITHDRAWN", "REMOVED"]
    trail = results["SellerWithAudit"]["seller"]["auditTrail"]["edges"]
    actions = [edge["node"]["action"] for edge in trail]
    # The story's clock moves a minute per operation, so the revocation, the last change, comes
    # first (tests/functional/test_ledger_dynamodb.py pages through a longer trail).
    assert "STRIKE_REVOKED" in actions
    assert actions[0] == "STRIKE_REVOKED"
    assert len(actions) >= 3
    assert results["DecideAppeal"]["decideAppeal"]["status"] == "REVOKED"
    assert results["FileOrderAppeal"]["fileAppeal"]["decider"] == "regulator:kemendag"
    assert results["DecideOrderAppeal"]["decideAppeal"]["status"] == "UPHELD"


@pytest.mark.parametrize("role", ["platform", "regulator"])
def test_documented_files_parse(role):
    assert documented_operations(f"{role}.graphql")
