"""The escalation policy: active strikes (not revoked, not expired) to a standing."""

from datetime import UTC, datetime, timedelta

import pytest

from saring.domain.errors import BadUserInputError
from saring.domain.strikes import (
    Standing,
    Strike,
    StrikePolicy,
    StrikeSource,
    active_strikes,
    blocked_since,
    count_unexpired,
    is_expired,
    standing_of,
)
from saring.settings import Settings

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
YEAR = timedelta(days=365)
TICK = timedelta(microseconds=1)


def strike(n: int, *, at: datetime = T0, revoked: bool = False, expiry: timedelta = YEAR) -> Strike:
    return Strike(
        id=f"s{n}",
        platform="shopee",
        seller_id="s-1",
        source=StrikeSource.PLATFORM_REVIEW,
        idempotency_key=f"k{n}",
        recorded_by="platform:shopee",
        created_at=at,
        expires_at=at + expiry,
        revoked_at=at if revoked else None,
    )


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, Standing.GOOD),
        (1, Standing.WARNED),
        (2, Standing.RESTRICTED),
        (3, Standing.BLOCKED),
        (4, Standing.BLOCKED),
        (50, Standing.BLOCKED),
    ],
)
def test_default_thresholds(count, expected):
    assert StrikePolicy().standing_for(count) is expected


@pytest.mark.parametrize(
    ("strikes", "now", "expected"),
    [
        pytest.param([], T0, Standing.GOOD, id="none"),
        pytest.param([strike(1)], T0, Standing.WARNED, id="active from the instant recorded"),
        pytest.param([strike(1), strike(2)], T0, Standing.RESTRICTED, id="two"),
        pytest.param([strike(i) for i in range(3)], T0, Standing.BLOCKED, id="three"),
        pytest.param([strike(1, revoked=True)], T0, Standing.GOOD, id="revoked never counts"),
        pytest.param(
            [strike(1), strike(2), strike(3, revoked=True)],
            T0,
            Standing.RESTRICTED,
            id="revoked one of three",
        ),
        pytest.param(
            [strike(1)], T0 + YEAR - TICK, Standing.WARNED, id="one microsecond before expiry"
        ),
        pytest.param([strike(1)], T0 + YEAR, Standing.GOOD, id="expired exactly at expires_at"),
        pytest.param([strike(1)], T0 + YEAR + TICK, Standing.GOOD, id="after expiry"),
        pytest.param(
            [
                strike(1),
                strike(2, at=T0 + timedelta(days=100)),
                strike(3, at=T0 + timedelta(days=200)),
            ],
            T0 + YEAR,
            Standing.RESTRICTED,
            id="the oldest of three lapses first",
        ),
        pytest.param(
            [
                strike(1),
                strike(2, at=T0 + timedelta(days=100)),
                strike(3, at=T0 + timedelta(days=200)),
            ],
            T0 + timedelta(days=200) + YEAR,
            Standing.GOOD,
            id="all lapsed",
        ),
    ],
)
def test_standing_over_time(strikes, now, expected):
    assert standing_of(strikes, now, StrikePolicy()) is expected


def test_expiry_boundary_is_half_open():
    assert not is_expired(T0, T0 - TICK)
    assert is_expired(T0, T0)
    assert active_strikes([strike(1)], T0 + YEAR) == []
    assert count_unexpired([T0 + YEAR], T0 + YEAR - TICK) == 1
    assert count_unexpired([T0 + YEAR], T0 + YEAR) == 0


@pytest.mark.parametrize(
    ("env", "count", "expected"),
    [
        (
            {"SARING_WARNED_AT": "2", "SARING_RESTRICTED_AT": "3", "SARING_BLOCKED_AT": "5"},
            1,
            Standing.GOOD,
        ),
        (
            {"SARING_WARNED_AT": "2", "SARING_RESTRICTED_AT": "3", "SARING_BLOCKED_AT": "5"},
            4,
            Standing.RESTRICTED,
        ),
        (
            {"SARING_WARNED_AT": "2", "SARING_RESTRICTED_AT": "3", "SARING_BLOCKED_AT": "5"},
            5,
            Standing.BLOCKED,
        ),
        ({"SARING_BLOCKED_AT": "2", "SARING_RESTRICTED_AT": "2"}, 2, Standing.BLOCKED),
    ],
)
def test_thresholds_come_from_settings(env, count, expected):
    assert StrikePolicy.from_settings(Settings.from_env(env)).standing_for(count) is expected


def test_expiry_comes_from_settings():
    policy = StrikePolicy.from_settings(Settings.from_env({"SARING_STRIKE_EXPIRY_DAYS": "30"}))
    assert policy.expiry == timedelta(days=30)
    short = strike(1, expiry=policy.expiry)
    assert standing_of([short], T0 + timedelta(days=30) - TICK, policy) is Standing.WARNED
    assert standing_of([short], T0 + timedelta(days=30), policy) is Standing.GOOD
    assert StrikePolicy.from_settings(Settings()).expiry == YEAR


@pytest.mark.parametrize(("warned", "restricted", "blocked"), [(0, 1, 2), (2, 1, 3), (1, 3, 2)])
def test_inconsistent_thresholds_are_refused(warned, restricted, blocked):
    with pytest.raises(BadUserInputError):
        StrikePolicy(warned_at=warned, restricted_at=restricted, blocked_at=blocked)


def test_blocked_since_is_when_the_blocking_strike_of_the_active_ones_was_recorded():
    policy = StrikePolicy()
    day = timedelta(days=1)
    three = [(T0, T0 + YEAR), (T0 + day, T0 + YEAR + day), (T0 + 2 * day, T0 + YEAR + 2 * day)]
    assert blocked_since(three, T0 + 2 * day, policy) == T0 + 2 * day
    assert blocked_since(three, T0 + YEAR, policy) is None  # the first lapsed: RESTRICTED
    four = [*three, (T0 + 3 * day, T0 + YEAR + 3 * day)]
    assert blocked_since(four, T0 + YEAR, policy) == T0 + 3 * day  # blocked again by the fourth
    assert blocked_since(three[:2], T0 + 2 * day, policy) is None
    assert blocked_since([], T0, policy) is None
