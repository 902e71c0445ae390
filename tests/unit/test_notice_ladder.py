"""The warning ladder (ST1, ST2, ST3) and the order workflow rules, pure: no boto3."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from saring.domain.errors import BadUserInputError, ConflictError
from saring.domain.notices import (
    ComplianceNotice,
    NoticeLadder,
    NoticeLevel,
    count_by_level,
    next_level,
    next_notice,
    notice_due,
)
from saring.domain.orders import (
    ActiveOrderIndex,
    DisputeResolution,
    TakedownTarget,
    TargetKind,
    TargetState,
    acknowledged,
    check_acknowledgement,
    check_reason,
    compliance_report,
    dispute_resolved,
    overdue,
    withdrawn_target,
)
from saring.settings import Settings

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DEADLINE = T0 + timedelta(hours=24)
ORDER_ID = "0" * 31 + "1"
LADDER = NoticeLadder(st2_after=timedelta(hours=24), st3_after=timedelta(hours=48))
ST1, ST2, ST3 = NoticeLevel.ST1, NoticeLevel.ST2, NoticeLevel.ST3
TICK = timedelta(microseconds=1)


def target(*notices: tuple[NoticeLevel, datetime], **fields) -> TakedownTarget:
    base = dict(id=f"{ORDER_ID}-000", order_id=ORDER_ID, platform="shopee", kind=TargetKind.LISTING,
                value="L-1", seller_id="s-1", state=TargetState.PENDING, note=None,
                resolved_at=None, late=False, reference="R-1", issued_at=T0, deadline=DEADLINE,
                notices=tuple(ComplianceNotice(level, at) for level, at in notices))
    base.update(fields)
    return TakedownTarget(**base)


# --- the ladder ---------------------------------------------------------------------------------


def test_nothing_is_due_at_the_deadline_itself():
    assert notice_due(target(), DEADLINE, LADDER) is None
    assert notice_due(target(), DEADLINE - timedelta(hours=1), LADDER) is None


def test_st1_is_due_the_moment_a_target_is_overdue():
    t = target()
    for now in (DEADLINE + TICK, DEADLINE + timedelta(hours=1), DEADLINE + timedelta(days=30)):
        assert overdue(t, now)
        assert notice_due(t, now, LADDER) is ST1


def test_st2_follows_st1_after_its_period():
    st1_at = DEADLINE + timedelta(minutes=10)
    t = target((ST1, st1_at))
    assert notice_due(t, st1_at + timedelta(hours=24), LADDER) is None
    assert notice_due(t, st1_at + timedelta(hours=24) + TICK, LADDER) is ST2


def test_st3_follows_st2_after_its_own_period():
    st1_at = DEADLINE + TICK
    st2_at = st1_at + timedelta(hours=30)
    t = target((ST1, st1_at), (ST2, st2_at))
    assert notice_due(t, st2_at + timedelta(hours=47), LADDER) is None
    assert notice_due(t, st2_at + timedelta(hours=48) + TICK, LADDER) is ST3


def test_nothing_after_st3():
    t = target((ST1, DEADLINE), (ST2, DEADLINE), (ST3, DEADLINE))
    assert next_notice(t, LADDER) is None
    assert notice_due(t, DEADLINE + timedelta(days=365), LADDER) is None


@pytest.mark.parametrize(
    "state", [TargetState.REMOVED, TargetState.NOT_FOUND, TargetState.DISPUTED, TargetState.WITHDRAWN]
)
def test_only_a_pending_target_climbs(state):
    late = DEADLINE + timedelta(days=10)
    assert notice_due(target(state=state), late, LADDER) is None
    assert notice_due(target((ST1, DEADLINE + TICK), state=state), late, LADDER) is None


def test_a_withdrawn_orders_target_earns_nothing():
    assert notice_due(target(order_withdrawn=True), DEADLINE + timedelta(days=3), LADDER) is None


def test_one_level_per_step_after_a_long_pause():
    """The schedule did not run for a week: ST1 now, ST2 only a full period after it."""
    now = DEADLINE + timedelta(days=7)
    t = target()
    assert notice_due(t, now, LADDER) is ST1
    t = target((ST1, now))
    assert notice_due(t, now + timedelta(hours=1), LADDER) is None
    assert next_notice(t, LADDER) == (ST2, now + timedelta(hours=24))


def test_an_upheld_dispute_moves_the_next_notice_past_the_new_deadline():
    st1_at = DEADLINE + timedelta(hours=1)
    new_deadline = st1_at + timedelta(hours=72)  # upheld two days later, 24 h more
    t = target((ST1, st1_at), deadline=new_deadline)
    assert next_notice(t, LADDER) == (ST2, new_deadline)
    assert notice_due(t, st1_at + timedelta(hours=30), LADDER) is None
    assert notice_due(t, new_deadline + TICK, LADDER) is ST2


def test_next_level_reads_the_highest_notice_whatever_the_order():
    assert next_level(()) is ST1
    assert next_level([ComplianceNotice(ST2, T0), ComplianceNotice(ST1, T0)]) is ST3
    assert next_level([ComplianceNotice(ST3, T0)]) is None


@pytest.mark.parametrize("hours", [0, -1])
def test_ladder_periods_must_be_positive(hours):
    with pytest.raises(BadUserInputError):
        NoticeLadder(st2_after=timedelta(hours=hours))
    with pytest.raises(BadUserInputError):
        NoticeLadder(st3_after=timedelta(hours=hours))


def test_ladder_from_settings_and_environment():
    settings = Settings.from_env({"SARING_NOTICE_ST2_AFTER_HOURS": "72", "SARING_NOTICE_ST3_AFTER_HOURS": "6"})
    ladder = NoticeLadder.from_settings(settings)
    assert (ladder.st2_after, ladder.st3_after) == (timedelta(hours=72), timedelta(hours=6))
    assert NoticeLadder.from_settings(Settings()) == NoticeLadder()
    with pytest.raises(BadUserInputError):
        Settings.from_env({"SARING_NOTICE_ST2_AFTER_HOURS": "two days"})


def test_count_by_level():
    targets = [target(), target((ST1, T0)), target((ST1, T0), (ST2, T0)), target((ST1, T0), (ST2, T0), (ST3, T0))]
    assert count_by_level(targets) == {ST1: 3, ST2: 2, ST3: 1}
    assert count_by_level([]) == {ST1: 0, ST2: 0, ST3: 0}


def test_a_simulated_life_climbs_once_per_level_on_a_15_minute_schedule():
    t = target()
    now = T0
    issued = []
    while now < DEADLINE + timedelta(days=10):
        now += timedelta(minutes=15)
        level = notice_due(t, now, LADDER)
        if level:
            issued.append((level, now))
            t = replace(t, notices=(*t.notices, ComplianceNotice(level, now)))
    assert [level for level, _ in issued] == [ST1, ST2, ST3]
    (_, st1), (_, st2), (_, st3) = issued
    assert DEADLINE < st1 <= DEADLINE + timedelta(minutes=15)
    assert timedelta(hours=24) < st2 - st1 <= timedelta(hours=24, minutes=15)
    assert timedelta(hours=48) < st3 - st2 <= timedelta(hours=48, minutes=15)


def test_an_acknowledgement_stops_the_climb():
    t = target((ST1, DEADLINE + TICK))
    removed, _ = acknowledged(t, TargetState.REMOVED, None, DEADLINE + timedelta(hours=2))
    assert removed.notices == t.notices  # notices already issued stay
    assert notice_due(removed, DEADLINE + timedelta(days=5), LADDER) is None


# --- disputes -----------------------------------------------------------------------------------


def disputed(**fields) -> TakedownTarget:
    return target(state=TargetState.DISPUTED, note="not used clothing",
                  resolved_at=T0 + timedelta(hours=2), **fields)


def test_upheld_reopens_with_a_new_deadline():
    at = T0 + timedelta(hours=30)
    t, changed = dispute_resolved(disputed(late=True), DisputeResolution.UPHELD, "photos show HS 6309", at, timedelta(hours=4))
    assert changed
    assert (t.state, t.deadline, t.resolved_at, t.late) == (TargetState.PENDING, at + timedelta(hours=4), None, False)
    assert (t.resolution, t.resolution_note, t.note) == (DisputeResolution.UPHELD, "photos show HS 6309", "not used clothing")
    assert t.applies


def test_withdrawn_closes_the_target():
    at = T0 + timedelta(hours=30)
    t, changed = dispute_resolved(disputed(), DisputeResolution.WITHDRAWN, "agreed", at, timedelta(hours=24))
    assert changed and (t.state, t.resolved_at) == (TargetState.WITHDRAWN, at)
    assert not t.applies


@pytest.mark.parametrize("resolution", list(DisputeResolution))
def test_the_same_resolution_again_changes_nothing(resolution):
    at = T0 + timedelta(hours=30)
    first, _ = dispute_resolved(disputed(), resolution, "n", at, timedelta(hours=24))
    again, changed = dispute_resolved(first, resolution, "n", at + timedelta(minutes=5), timedelta(hours=24))
    assert not changed and again == first


@pytest.mark.parametrize(
    "state", [TargetState.PENDING, TargetState.REMOVED, TargetState.NOT_FOUND, TargetState.WITHDRAWN]
)
def test_only_a_disputed_target_is_resolved(state):
    with pytest.raises(ConflictError) as error:
        dispute_resolved(target(state=state), DisputeResolution.UPHELD, "n", T0, timedelta(hours=24))
    assert error.value.field == "targetId" and "DISPUTED" in error.value.message


def test_another_resolution_after_one_is_a_conflict():
    first, _ = dispute_resolved(disputed(), DisputeResolution.WITHDRAWN, "n", T0, timedelta(hours=24))
    with pytest.raises(ConflictError):
        dispute_resolved(first, DisputeResolution.UPHELD, "n", T0, timedelta(hours=24))
    with pytest.raises(ConflictError):
        dispute_resolved(first, DisputeResolution.WITHDRAWN, "another note", T0, timedelta(hours=24))


def test_a_withdrawn_orders_dispute_cannot_be_resolved():
    with pytest.raises(ConflictError):
        dispute_resolved(disputed(order_withdrawn=True), DisputeResolution.UPHELD, "n", T0, timedelta(hours=24))


@pytest.mark.parametrize("bad", ["", "   ", None, 5, "x" * 2_001])
def test_reasons_and_notes_are_required_text(bad):
    with pytest.raises(BadUserInputError) as error:
        check_reason(bad, "note")
    assert error.value.field == "note"


def test_a_platform_cannot_acknowledge_as_withdrawn():
    with pytest.raises(BadUserInputError) as error:
        check_acknowledgement("WITHDRAWN", None)
    assert error.value.field == "state"


def test_acknowledging_a_withdrawn_target_says_so():
    with pytest.raises(ConflictError) as error:
        acknowledged(target(state=TargetState.WITHDRAWN), TargetState.REMOVED, None, T0)
    assert "withdrawn" in error.value.message


# --- withdrawal ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "after"),
    [
        (TargetState.PENDING, TargetState.WITHDRAWN),
        (TargetState.DISPUTED, TargetState.WITHDRAWN),
        (TargetState.REMOVED, TargetState.REMOVED),
        (TargetState.NOT_FOUND, TargetState.NOT_FOUND),
        (TargetState.WITHDRAWN, TargetState.WITHDRAWN),
    ],
)
def test_withdrawal_settles_each_state(state, after):
    at = T0 + timedelta(hours=3)
    settled = withdrawn_target(target(state=state, resolved_at=None if state is TargetState.PENDING else T0), at)
    assert settled.state is after and settled.order_withdrawn and not settled.applies
    if state is not after:
        assert settled.resolved_at == at


def test_a_withdrawn_orders_removed_target_matches_no_listing():
    live = target(state=TargetState.REMOVED)
    index = ActiveOrderIndex.of([live, replace(live, id=f"{ORDER_ID}-001", value="L-2", order_withdrawn=True)])
    assert index.references("L-1", "x", None) == ("R-1",)
    assert index.references("L-2", "x", None) == ()


def test_compliance_keeps_withdrawn_targets_out_of_the_on_time_rate_and_counts_notices():
    now = T0 + timedelta(days=5)
    targets = [
        target(state=TargetState.REMOVED, resolved_at=T0 + timedelta(hours=2)),
        target(state=TargetState.WITHDRAWN, resolved_at=T0 + timedelta(days=3), order_withdrawn=True),
        target((ST1, DEADLINE + TICK), (ST2, DEADLINE + timedelta(days=1, hours=1))),
        target((ST1, DEADLINE + TICK), state=TargetState.REMOVED, resolved_at=DEADLINE + timedelta(hours=3)),
    ]
    report = compliance_report(targets, now)
    assert (report.received, report.removed, report.withdrawn, report.pending, report.overdue) == (4, 2, 1, 1, 1)
    assert report.on_time_rate == 0.5  # of the two the platform resolved
    assert (report.notices_st1, report.notices_st2, report.notices_st3) == (2, 1, 0)


def test_the_ladder_module_imports_no_aws_library():
    source = Path(__import__("saring.domain.notices").domain.notices.__file__).read_text()
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])
    }
    assert not imported & {"boto3", "botocore", "onnxruntime"}
