"""The loop demo's audit-sample rate fills the reviewers' budget: every REVIEW verdict is
reviewed, TAKEDOWN verdicts never are, so the ALLOW verdicts get what the budget leaves."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("httpx")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models" / "loop"))
from demo import MAX_OUTCOMES, audit_sample_rate  # noqa: E402


def test_the_rate_is_what_the_review_verdicts_leave_of_the_budget_over_the_allow_verdicts() -> None:
    # 326 ALLOW and 13 REVIEW verdicts (and TAKEDOWNs, which take nothing): 287 / 326 = 0.8804
    assert audit_sample_rate(326, 13, budget=300) == 0.88


@pytest.mark.parametrize("allow, review", [(326, 13), (321, 13), (383, 0), (5000, 120), (301, 2)])
def test_the_rate_is_the_largest_hundredth_the_budget_holds(allow, review) -> None:
    rate = audit_sample_rate(allow, review, budget=300)
    assert review + rate * allow <= 300  # rounded down: the budget is never planned over
    assert review + (rate + 0.01) * allow > 300  # and a hundredth more would be


@pytest.mark.parametrize("allow, review, rate", [
    (100, 0, 1.0),  # fewer ALLOW verdicts than the budget: review them all
    (1000, MAX_OUTCOMES, 0.0),  # REVIEW verdicts alone fill the budget
    (1000, MAX_OUTCOMES + 50, 0.0),
    (0, 0, 1.0),
])
def test_the_rate_stays_a_share(allow, review, rate) -> None:
    assert audit_sample_rate(allow, review) == rate
