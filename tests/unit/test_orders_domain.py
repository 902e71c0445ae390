"""Takedown orders, pure: validation, deadlines, acknowledgement, compliance."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from saring.domain.errors import BadUserInputError, ConflictError
from saring.domain.orders import (
    MAX_TARGETS,
    OrderRequest,
    TakedownTarget,
    TargetKind,
    TargetRequest,
    TargetState,
    Urgency,
    acknowledged,
    check_acknowledgement,
    compliance_report,
    content_hash,
    for_platform,
    new_order,
    overdue,
    parse_target_id,
    percentile,
    validate_order,
)
from saring.settings import Settings

SETTINGS = Settings()
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ORDER_ID = "0" * 31 + "1"


def request(*targets: TargetRequest, **fields) -> OrderRequest:
    base = dict(reference="KOMDIGI/TD/2026/001", legal_basis="Permendag 40/2022",
                reason="Imported used clothing (HS 6309)", urgency="STANDARD",
                targets=targets or (TargetRequest("shopee", "LISTING", "123"),))
    base.update(fields)
    return OrderRequest(**base)


def target(**fields) -> TakedownTarget:
    base = dict(id=f"{ORDER_ID}-000", order_id=ORDER_ID, platform="shopee", kind=TargetKind.LISTING,
                value="123", seller_id="s-1", state=TargetState.PENDING, note=None,
                resolved_at=None, late=False, reference="R-1", issued_at=T0,
                deadline=T0 + timedelta(hours=24))
    base.update(fields)
    return TakedownTarget(**base)


@pytest.mark.parametrize(
    ("urgency", "hours"),
    [("STANDARD", 24), ("URGENT", 4), (Urgency.URGENT, 4)],
)
def test_deadline_follows_urgency(urgency, hours):
    order = new_order(validate_order(request(urgency=urgency), SETTINGS), order_id=ORDER_ID,
                      agency="kemendag", issued_at=T0, settings=SETTINGS)
    assert order.deadline == T0 + timedelta(hours=hours)
    assert all(t.deadline == order.deadline and t.state is TargetState.PENDING for t in order.targets)
    assert order.targets[0].id == f"{ORDER_ID}-000"
    assert parse_target_id(order.targets[0].id) == (ORDER_ID, 0)


def test_deadline_comes_from_settings():
    settings = Settings(standard_deadline=timedelta(hours=48))
    order = new_order(validate_order(request(), settings), order_id=ORDER_ID, agency="a",
                      issued_at=T0, settings=settings)
    assert order.deadline == T0 + timedelta(hours=48)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reference": "  "}, "reference"),
        ({"reference": "x" * 201}, "reference"),
        ({"reference": "a\nb"}, "reference"),
        ({"legal_basis": ""}, "legalBasis"),
        ({"reason": "x" * 5001}, "reason"),
        ({"urgency": "LOW"}, "urgency"),
        ({"targets": ()}, "targets"),
        ({"targets": tuple(TargetRequest("shopee", "LISTING", str(i)) for i in range(MAX_TARGETS + 1))}, "targets"),
        ({"targets": (TargetRequest("ebay", "LISTING", "1"),)}, "targets[0].platform"),
        ({"targets": (TargetRequest("shopee", "POST", "1"),)}, "targets[0].kind"),
        ({"targets": (TargetRequest("shopee", "LISTING", " "),)}, "targets[0].value"),
        ({"targets": (TargetRequest("shopee", "URL", "ftp://x.id/1"),)}, "targets[0].value"),
        ({"targets": (TargetRequest("shopee", "URL", "not a url"),)}, "targets[0].value"),
        ({"targets": (TargetRequest("shopee", "SHOP", "s-1", "s-2"),)}, "targets[0].sellerId"),
        ({"targets": (TargetRequest("shopee", "LISTING", "1"), TargetRequest("shopee", "LISTING", "1"))}, "targets[1]"),
        ({"targets": (TargetRequest("shopee", "URL", "https://a.id/p?utm_source=x"),
                      TargetRequest("shopee", "URL", "HTTPS://A.ID/p"))}, "targets[1]"),
    ],
)
def test_invalid_orders_are_bad_input(change, field):
    with pytest.raises(BadUserInputError) as raised:
        validate_order(request(**change), SETTINGS)
    assert raised.value.field == field


def test_valid_order_normalises_values():
    validated = validate_order(
        request(
            TargetRequest(" shopee ", "URL", "HTTPS://Shopee.co.id/p/1?utm_medium=x#top"),
            TargetRequest("tokopedia", "SHOP", "toko-1"),
            TargetRequest("tokopedia", "ACCOUNT", "toko-1", "toko-1"),
            TargetRequest("lazada", "LISTING", "L-9", "   "),
            reference="  R-1  ",
        ),
        SETTINGS,
    )
    assert validated.reference == "R-1"
    assert [(t.platform, t.kind, t.value, t.seller_id) for t in validated.targets] == [
        ("shopee", TargetKind.URL, "https://shopee.co.id/p/1", None),
        ("tokopedia", TargetKind.SHOP, "toko-1", "toko-1"),
        ("tokopedia", TargetKind.ACCOUNT, "toko-1", "toko-1"),
        ("lazada", TargetKind.LISTING, "L-9", None),
    ]


def test_exactly_max_targets_is_valid():
    targets = tuple(TargetRequest("shopee", "LISTING", str(i)) for i in range(MAX_TARGETS))
    assert len(validate_order(request(*targets), SETTINGS).targets) == MAX_TARGETS


def test_content_hash_ignores_spelling_but_not_content():
    a = validate_order(request(TargetRequest("shopee", "URL", "https://a.id/p?utm_source=1")), SETTINGS)
    b = validate_order(request(TargetRequest("shopee", "URL", "HTTPS://a.id:443/p")), SETTINGS)
    c = validate_order(request(TargetRequest("shopee", "URL", "https://a.id/q")), SETTINGS)
    assert content_hash(a) == content_hash(b) != content_hash(c)


def test_platform_view_keeps_only_own_targets():
    order = new_order(
        validate_order(request(TargetRequest("shopee", "LISTING", "1"),
                               TargetRequest("lazada", "LISTING", "2")), SETTINGS),
        order_id=ORDER_ID, agency="a", issued_at=T0, settings=SETTINGS)
    assert [t.platform for t in for_platform(order, "lazada").targets] == ["lazada"]
    assert for_platform(order, "blibli") is None


@pytest.mark.parametrize(
    ("state", "now", "expected"),
    [
        (TargetState.PENDING, T0 + timedelta(hours=24), False),  # at the deadline: not yet
        (TargetState.PENDING, T0 + timedelta(hours=24, seconds=1), True),
        (TargetState.REMOVED, T0 + timedelta(hours=30), False),
    ],
)
def test_overdue(state, now, expected):
    assert overdue(target(state=state), now) is expected


@pytest.mark.parametrize(
    ("state", "note", "error"),
    [
        ("PENDING", None, BadUserInputError),
        ("GONE", None, BadUserInputError),
        ("DISPUTED", None, BadUserInputError),
        ("DISPUTED", "   ", BadUserInputError),
        ("REMOVED", "x" * 2001, BadUserInputError),
    ],
)
def test_bad_acknowledgements(state, note, error):
    with pytest.raises(error):
        check_acknowledgement(state, note)


@pytest.mark.parametrize(
    ("at", "late"),
    [(T0 + timedelta(hours=1), False), (T0 + timedelta(hours=24), False),
     (T0 + timedelta(hours=25), True)],
)
def test_acknowledge_pending_records_time_and_lateness(at, late):
    state, note = check_acknowledgement("REMOVED", "  gone  ")
    updated, changed = acknowledged(target(), state, note, at)
    assert changed and updated.state is TargetState.REMOVED and updated.note == "gone"
    assert updated.resolved_at == at and updated.late is late


def test_same_acknowledgement_again_is_unchanged_other_is_conflict():
    first, _ = acknowledged(target(), TargetState.DISPUTED, "not ours", T0 + timedelta(hours=1))
    again, changed = acknowledged(first, TargetState.DISPUTED, "not ours", T0 + timedelta(hours=5))
    assert again == first and not changed
    for state, note in [(TargetState.REMOVED, None), (TargetState.DISPUTED, "other note")]:
        with pytest.raises(ConflictError):
            acknowledged(first, state, note, T0 + timedelta(hours=2))


def resolved(state, hours, deadline_hours=24, **fields):
    return target(state=state, resolved_at=T0 + timedelta(hours=hours),
                  deadline=T0 + timedelta(hours=deadline_hours), **fields)


def test_compliance_figures():
    targets = [
        resolved(TargetState.REMOVED, 1),
        resolved(TargetState.REMOVED, 2),
        resolved(TargetState.REMOVED, 3),
        resolved(TargetState.REMOVED, 30),  # late
        resolved(TargetState.NOT_FOUND, 5),
        resolved(TargetState.DISPUTED, 26),  # late
        target(),  # pending, overdue at T0+48h
        target(deadline=T0 + timedelta(hours=72)),  # pending, not overdue
    ]
    report = compliance_report(targets, now=T0 + timedelta(hours=48))
    assert (report.received, report.removed, report.not_found, report.disputed, report.pending,
            report.overdue) == (8, 4, 1, 1, 2, 1)
    assert report.on_time_rate == pytest.approx(4 / 6)
    assert report.median_hours_to_removal == pytest.approx(2.5)
    assert report.p90_hours_to_removal == pytest.approx(3 + 0.7 * 27)


def test_compliance_without_data():
    report = compliance_report([], now=T0)
    assert report.received == 0 and report.on_time_rate is None
    assert report.median_hours_to_removal is None and report.p90_hours_to_removal is None
    only_pending = compliance_report([target()], now=T0)
    assert only_pending.on_time_rate is None and only_pending.pending == 1


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [([], 0.9, None), ([5.0], 0.9, 5.0), ([1.0, 2.0], 0.5, 1.5), ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9.1)],
)
def test_percentile(values, fraction, expected):
    result = percentile(values, fraction)
    assert result == (None if expected is None else pytest.approx(expected))


def test_parse_target_id_rejects_foreign_ids():
    for value in ["", "abc", f"{ORDER_ID}-1", f"{'ab' * 16}".upper() + "-001", f"{ORDER_ID}-001x", f"{ORDER_ID}-001\n", 5]:
        assert parse_target_id(value) is None
    assert replace(target(), late=True).late
