"""Statements of reasons from enforcement actions, checked against the schema written from the
EU DSA transparency database's rules; and bad statements that the schema must refuse."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from saring.domain.appeals import AppealOutcomes
from saring.domain.orders import TakedownTarget, TargetKind, TargetState
from saring.domain.statements import (
    LEGAL_GROUND,
    ActionKind,
    ActionSource,
    RecordedStrike,
    RemovedTarget,
    enforcement_actions,
    statement_of_reasons,
)
from saring.domain.strikes import Strike, StrikeSource
from saring.domain.transparency import transparency_report
from saring.transparency.export import problems

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ORDER_ID = "a" * 32


def target(index=0, kind=TargetKind.LISTING, value="L-1", hours=3, late=False) -> TakedownTarget:
    return TakedownTarget(
        id=f"{ORDER_ID}-{index:03d}",
        order_id=ORDER_ID,
        platform="shopee",
        kind=kind,
        value=value,
        seller_id="s-1",
        state=TargetState.REMOVED,
        note=None,
        resolved_at=T0 + timedelta(hours=hours),
        late=late,
        reference="KEMENDAG/2026/1",
        issued_at=T0,
        deadline=T0 + timedelta(hours=24),
    )


def strike(n=0, source=StrikeSource.PLATFORM_REVIEW, revoked=False) -> Strike:
    at = T0 + timedelta(hours=n)
    return Strike(
        id=f"{n:028x}",
        platform="shopee",
        seller_id="s-secret-seller",
        source=source,
        idempotency_key=f"k-{n}",
        recorded_by="platform:shopee",
        created_at=at,
        expires_at=at + timedelta(days=365),
        listing_id="L-7",
        order_reference="KEMENDAG/2026/1" if source is StrikeSource.REGULATOR_ORDER else None,
        target_id=f"{ORDER_ID}-000" if source is StrikeSource.REGULATOR_ORDER else None,
        note="reviewer Budi, phone 0812",
        revoked_at=at + timedelta(days=2) if revoked else None,
    )


def all_actions():
    return enforcement_actions(
        [
            RemovedTarget(target(0), "kemendag", "Permendag 40/2022"),
            RemovedTarget(target(1, TargetKind.URL, "https://shopee.co.id/x-i.1.2", hours=30, late=True), "kemendag", "x"),
            RemovedTarget(target(2, TargetKind.SHOP, "s-1"), "kemendag", "x"),
        ],
        [
            RecordedStrike(strike(1), False),
            RecordedStrike(strike(2, revoked=True), False),
            RecordedStrike(strike(3), True),
            RecordedStrike(strike(4, StrikeSource.REGULATOR_ORDER), True, "kemendag"),
        ],
    )


def test_every_kind_of_action_makes_a_valid_statement():
    actions = all_actions()
    kinds = [a.kind for a in actions]
    assert kinds.count(ActionKind.TARGET_REMOVED) == 3
    assert kinds.count(ActionKind.STRIKE_RECORDED) == 4
    assert kinds.count(ActionKind.SELLER_BLOCKED) == 2
    for action in actions:
        statement = statement_of_reasons(action)
        assert problems(statement) == [], (action, statement)
        assert statement["illegal_content_legal_ground"] == LEGAL_GROUND
        assert statement["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"


def test_actions_come_in_the_order_they_took_effect_with_unique_puids():
    actions = all_actions()
    assert [a.at for a in actions] == sorted(a.at for a in actions)
    assert len({a.puid for a in actions}) == len(actions)


def removal_of_listing():
    return next(a for a in all_actions() if a.puid == f"saring-removal-{ORDER_ID}-000")


def test_a_removed_listing_is_content_removed_by_an_order():
    statement = statement_of_reasons(removal_of_listing())
    assert statement["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert statement["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION"
    assert statement["source_identity"] == "kemendag, takedown order KEMENDAG/2026/1"
    assert statement["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert (statement["content_date"], statement["application_date"]) == ("2026-03-01", "2026-03-01")
    assert "listing L-1" in statement["decision_facts"]


def test_a_removed_shop_is_an_account_decision():
    shop = next(a for a in all_actions() if a.target_kind is TargetKind.SHOP)
    statement = statement_of_reasons(shop)
    assert statement["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    assert "decision_visibility" not in statement


def test_a_platform_review_strike_is_voluntary_without_a_source_identity():
    action = next(a for a in all_actions() if a.kind is ActionKind.STRIKE_RECORDED and a.source is ActionSource.PLATFORM_REVIEW)
    statement = statement_of_reasons(action)
    assert statement["source_type"] == "SOURCE_VOLUNTARY" and "source_identity" not in statement
    assert statement["decision_visibility"] == ["DECISION_VISIBILITY_OTHER"]
    assert statement["end_date_visibility_restriction"] == "2027-03-01"


def test_a_block_is_an_automated_account_suspension():
    blocks = [a for a in all_actions() if a.kind is ActionKind.SELLER_BLOCKED]
    assert {a.source for a in blocks} == {ActionSource.PLATFORM_REVIEW, ActionSource.REGULATOR_ORDER}
    for block in blocks:
        statement = statement_of_reasons(block)
        assert statement["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
        assert statement["automated_decision"] == "AUTOMATED_DECISION_FULLY"


def test_a_revoked_strike_says_so_in_its_facts():
    revoked = next(a for a in all_actions() if a.puid == f"saring-strike-{2:028x}")
    assert "revoked at" in revoked.facts


def test_statements_carry_no_seller_id_or_note():
    text = repr([statement_of_reasons(a) for a in all_actions()])
    assert "s-secret-seller" not in text and "Budi" not in text and "0812" not in text


def test_dates_past_2038_are_held_at_the_last_date_the_database_accepts():
    late = strike(0)
    late = Strike(**{**{f: getattr(late, f) for f in late.__slots__}, "expires_at": datetime(2040, 1, 1, tzinfo=UTC)})
    (action,) = enforcement_actions([], [RecordedStrike(late, False)])
    statement = statement_of_reasons(action)
    assert statement["end_date_visibility_restriction"] == "2038-01-01"
    assert problems(statement) == []


# --- the schema refuses what the database refuses ------------------------------------------------


def valid() -> dict:
    return statement_of_reasons(removal_of_listing())


def without(name):
    def change(s):
        del s[name]
    return change


def setter(name, value):
    def change(s):
        s[name] = value
    return change


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (without("puid"), "(statement)"),
        (without("decision_ground"), "(statement)"),
        (without("content_type"), "(statement)"),
        (without("category"), "(statement)"),
        (without("content_date"), "(statement)"),
        (without("application_date"), "(statement)"),
        (without("decision_facts"), "(statement)"),
        (without("source_type"), "(statement)"),
        (without("automated_detection"), "(statement)"),
        (without("automated_decision"), "(statement)"),
        (without("illegal_content_explanation"), "(statement)"),
        (without("decision_visibility"), "(statement)"),  # no decision of any kind
        (setter("decision_visibility", None), "(statement)"),
        (setter("puid", "has spaces/and slashes"), "puid"),
        (setter("puid", "x" * 501), "puid"),
        (setter("decision_visibility", ["DECISION_VISIBILITY_GONE"]), "decision_visibility/0"),
        (setter("decision_visibility", ["DECISION_VISIBILITY_OTHER"]), "(statement)"),
        (setter("decision_visibility_other", "only with OTHER"), "(statement)"),
        (setter("category", "Unsafe, non-compliant or prohibited products"), "category"),
        (setter("content_type", []), "content_type"),
        (setter("content_type", ["CONTENT_TYPE_OTHER"]), "(statement)"),
        (setter("content_date", "1999-12-31"), "content_date"),
        (setter("application_date", "2019-06-01"), "application_date"),
        (setter("application_date", "2038-01-02"), "application_date"),
        (setter("application_date", "2026-02-30"), "application_date"),
        (setter("application_date", "01-03-2026"), "application_date"),
        (setter("decision_facts", "x" * 5_001), "decision_facts"),
        (setter("illegal_content_explanation", "x" * 2_001), "illegal_content_explanation"),
        (setter("illegal_content_legal_ground", "x" * 501), "illegal_content_legal_ground"),
        (setter("source_type", "SOURCE_VOLUNTARY"), "(statement)"),  # keeps source_identity
        (setter("automated_detection", "AUTOMATED_DETECTION_YES"), "automated_detection"),
        (setter("automated_decision", "Fully automated"), "automated_decision"),
        (setter("incompatible_content_ground", "terms 4.2"), "(statement)"),
        (setter("decision_ground", "DECISION_GROUND_INCOMPATIBLE_CONTENT"), "(statement)"),
        (setter("account_type", "ACCOUNT_TYPE_SHOP"), "account_type"),
        (setter("seller_id", "s-1"), "(statement)"),  # no field outside the database's
    ],
)
def test_a_bad_statement_fails_validation(change, where):
    statement = copy.deepcopy(valid())
    change(statement)
    found = problems(statement)
    assert found, statement
    assert any(problem.startswith(f"{where}:") for problem in found), found


def test_the_report_counts_actions_by_source_and_removal_times():
    report = transparency_report(
        "shopee", T0, T0 + timedelta(days=30), T0 + timedelta(days=31), all_actions(), {"ST1": 2},
        AppealOutcomes(3, 1, 0, 1, 1, 0.5),
    )
    assert report.actions_by_source == {"MODEL": 0, "PLATFORM_REVIEW": 4, "REGULATOR_ORDER": 5}
    assert report.actions_by_kind == {"TARGET_REMOVED": 3, "STRIKE_RECORDED": 4, "SELLER_BLOCKED": 2}
    times = report.removal_times
    assert (times.count, times.late, times.median_hours, times.max_hours) == (3, 1, 3.0, 30.0)
    assert times.buckets == {"0-1h": 0, "1-4h": 2, "4-24h": 0, "24-72h": 1, "72h+": 0}
    assert report.notices_by_level == {"ST1": 2, "ST2": 0, "ST3": 0} and report.notices_recorded
    rows = report.rows()
    assert ("actions_by_source", "REGULATOR_ORDER", "5") in rows
    assert ("removal_times", "median_hours", "3.00") in rows
    assert ("appeals", "revoked", "1") in rows


def test_a_report_without_notices_says_none_were_recorded():
    report = transparency_report(
        "shopee", T0, T0 + timedelta(days=1), T0, [], {}, AppealOutcomes(0, 0, 0, 0, 0, None)
    )
    assert not report.notices_recorded and report.removal_times.median_hours is None
    assert report.as_json()["notes"]["notices_by_level"].endswith("No notices recorded.")
