"""The appeal rules alone: who decides, decisions and their retries, overdue, outcomes, ids."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saring.domain.appeals import (
    Appeal,
    AppealDecision,
    AppealStatus,
    check_decision,
    check_draft,
    count_overdue,
    decided,
    decider_of,
    decode_appeal_id,
    encode_appeal_id,
    new_sequence,
    outcomes,
)
from saring.domain.errors import BadUserInputError, ConflictError
from saring.domain.strikes import Strike, StrikeSource

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PERIOD = timedelta(days=14)


def strike(source=StrikeSource.PLATFORM_REVIEW, **extra) -> Strike:
    fields = dict(
        id="0" * 28,
        platform="shopee",
        seller_id="s-1",
        source=source,
        idempotency_key="k",
        recorded_by="platform:shopee" if source is StrikeSource.PLATFORM_REVIEW else "order:REF-1",
        created_at=T0,
        expires_at=T0 + timedelta(days=365),
        target_id=None if source is StrikeSource.PLATFORM_REVIEW else "a" * 32 + "-000",
        order_reference=None if source is StrikeSource.PLATFORM_REVIEW else "REF-1",
    )
    return Strike(**{**fields, **extra})


def appeal(**extra) -> Appeal:
    draft = check_draft("shopee", "s-1", "0" * 28, "bought new", "key-1", "platform:shopee")
    made = draft.to_appeal(encode_appeal_id("shopee", "s-1", new_sequence(T0)), T0, strike(), "platform:shopee")
    return replace(made, **extra)


# --- who decides -------------------------------------------------------------------------------


def test_the_platform_decides_its_own_review_strikes():
    assert decider_of(strike(), None) == "platform:shopee"


def test_the_issuing_agency_decides_its_orders_strikes():
    source = StrikeSource.REGULATOR_ORDER
    assert decider_of(strike(source), lambda target: "kemendag") == "regulator:kemendag"


def test_no_one_decides_when_the_order_is_gone():
    source = StrikeSource.REGULATOR_ORDER
    assert decider_of(strike(source), lambda target: None) is None
    assert decider_of(strike(source), None) is None
    assert decider_of(strike(source, target_id=None), lambda target: "kemendag") is None


def test_the_agency_is_asked_about_the_strikes_target():
    asked = []
    decider_of(strike(StrikeSource.REGULATOR_ORDER), lambda target: asked.append(target) or "x")
    assert asked == ["a" * 32 + "-000"]


# --- filing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("platform", ("", "s", "x", "st", "k")),
        ("sellerId", ("p", " ", "x", "st", "k")),
        ("strikeId", ("p", "s", "x" * 129, "st", "k")),
        ("statement", ("p", "s", "x", "   ", "k")),
        ("statement", ("p", "s", "x", "y" * 5_001, "k")),
        ("statement", ("p", "s", "x", "bell\x07", "k")),
        ("idempotencyKey", ("p", "s", "x", "st", "")),
        ("idempotencyKey", ("p", "s", "x", "st", "tab\tkey")),
        ("sellerId", ("p", 7, "x", "st", "k")),
    ],
)
def test_a_filing_names_its_first_bad_field(field, args):
    with pytest.raises(BadUserInputError) as raised:
        check_draft(*args, "platform:p")
    assert raised.value.field == field


def test_a_statement_may_have_several_lines_and_is_trimmed():
    draft = check_draft("p", "s", "x", "  line one\nline two\n", "k", "platform:p")
    assert draft.statement == "line one\nline two"


def test_a_retry_is_the_same_request_and_other_content_is_not():
    draft = check_draft("shopee", "s-1", "0" * 28, "bought new", "key-1", "platform:shopee")
    first = appeal()
    assert draft.same_request(first)
    assert not replace(draft, statement="other").same_request(first)
    assert not replace(draft, strike_id="1" * 28).same_request(first)
    assert not replace(draft, seller_id="s-2").same_request(first)


def test_a_new_appeal_is_open_with_the_strikes_facts():
    order_strike = strike(StrikeSource.REGULATOR_ORDER)
    draft = check_draft("shopee", "s-1", "0" * 28, "bought new", "key-1", "platform:shopee")
    made = draft.to_appeal("apl_x", T0, order_strike, "regulator:kemendag")
    assert made.status is AppealStatus.OPEN and made.decided_at is None
    assert made.strike_source is StrikeSource.REGULATOR_ORDER and made.order_reference == "REF-1"


# --- deciding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("decision", list(AppealDecision))
def test_an_open_appeal_is_decided_once(decision):
    after, changed = decided(appeal(), decision, "note", T0 + timedelta(hours=1), "platform:shopee")
    assert changed
    assert after.status.value == decision.value
    assert (after.decided_at, after.decided_by, after.decision_note) == (
        T0 + timedelta(hours=1), "platform:shopee", "note"
    )


def test_the_same_decision_again_changes_nothing():
    first, _ = decided(appeal(), AppealDecision.REVOKED, "note", T0, "platform:shopee")
    again, changed = decided(first, AppealDecision.REVOKED, "note", T0 + timedelta(days=1), "platform:shopee")
    assert again == first and not changed


@pytest.mark.parametrize(
    ("decision", "note"), [(AppealDecision.UPHELD, "note"), (AppealDecision.REVOKED, "other note")]
)
def test_another_decision_is_a_conflict_naming_the_appeal(decision, note):
    first, _ = decided(appeal(), AppealDecision.REVOKED, "note", T0, "platform:shopee")
    with pytest.raises(ConflictError) as raised:
        decided(first, decision, note, T0, "platform:shopee")
    assert raised.value.field == "appealId" and raised.value.extensions == {"appealId": first.id}


@pytest.mark.parametrize("bad", ["", "MAYBE", "upheld", None])
def test_a_decision_must_be_upheld_or_revoked(bad):
    with pytest.raises(BadUserInputError) as raised:
        check_decision(bad, "note")
    assert raised.value.field == "decision"


@pytest.mark.parametrize("note", ["", "   ", "x" * 2_001, None])
def test_a_decision_needs_a_note(note):
    with pytest.raises(BadUserInputError) as raised:
        check_decision("UPHELD", note)
    assert raised.value.field == "note"


# --- overdue and outcomes ----------------------------------------------------------------------


def test_overdue_from_the_exact_instant_the_period_ends():
    open_appeal = appeal()
    assert open_appeal.due_at(PERIOD) == T0 + PERIOD
    assert not open_appeal.overdue(T0 + PERIOD - timedelta(microseconds=1), PERIOD)
    assert open_appeal.overdue(T0 + PERIOD, PERIOD)


def test_a_decided_appeal_is_never_overdue():
    done, _ = decided(appeal(), AppealDecision.UPHELD, "n", T0 + PERIOD * 3, "platform:shopee")
    assert not done.overdue(T0 + PERIOD * 10, PERIOD)


def test_overdue_counts_only_the_deciders_appeals_when_asked():
    mine = appeal()
    theirs = appeal(decider="regulator:kemendag")
    late = T0 + PERIOD
    assert count_overdue([mine, theirs], late, PERIOD) == 2
    assert count_overdue([mine, theirs], late, PERIOD, decider="platform:shopee") == 1
    assert count_overdue([mine, theirs], late - timedelta(seconds=1), PERIOD) == 0


def test_outcomes_count_each_state_and_the_median_time_to_decision():
    upheld, _ = decided(appeal(), AppealDecision.UPHELD, "n", T0 + timedelta(days=1), "a")
    revoked, _ = decided(appeal(), AppealDecision.REVOKED, "n", T0 + timedelta(days=3), "a")
    stale = appeal()
    result = outcomes([upheld, revoked, stale], T0 + PERIOD, PERIOD)
    assert (result.filed, result.open, result.overdue, result.upheld, result.revoked) == (3, 1, 1, 1, 1)
    assert result.median_days_to_decision == 2.0
    assert outcomes([], T0, PERIOD).median_days_to_decision is None


# --- ids ---------------------------------------------------------------------------------------


@given(platform=st.text(min_size=1, max_size=40), seller=st.text(min_size=1, max_size=128))
def test_an_appeal_id_round_trips(platform, seller):
    sequence = new_sequence(T0)
    assert decode_appeal_id(encode_appeal_id(platform, seller, sequence)) == (platform, seller, sequence)


@pytest.mark.parametrize(
    "bad", [None, 7, "", "apl_", "apl_!!!", "x" + encode_appeal_id("p", "s", "0" * 28), "apl_" + "A" * 700,
            encode_appeal_id("p", "s", "short"), encode_appeal_id("p", "", "0" * 28),
            encode_appeal_id("p", "s", "G" * 28)]
)
def test_anything_else_is_not_an_appeal_id(bad):
    assert decode_appeal_id(bad) is None


def test_sequences_sort_by_filing_time():
    earlier, later = new_sequence(T0), new_sequence(T0 + timedelta(milliseconds=1))
    assert earlier < later and len(earlier) == 28
