"""The verdict policy: model score, seller standing, identity and orders combined."""

from datetime import UTC, datetime

import pytest

from saring.domain.listings import Evidence
from saring.domain.standing import BlockedElsewhere, SellerStanding, Standing
from saring.domain.verdicts import Decision, ModelThresholds, VerdictFacts, decide

THRESHOLDS = ModelThresholds(review=0.5, takedown=0.9)


ELSEWHERE = BlockedElsewhere(2, datetime(2026, 2, 14, 8, 30, tzinfo=UTC))


def facts(standing=Standing.GOOD, strikes=0, elsewhere=False, orders=()):
    seller = SellerStanding("shopee", "s-1", standing, strikes, ELSEWHERE if elsewhere else None)
    return VerdictFacts(seller=seller, order_references=tuple(orders))


@pytest.mark.parametrize(
    ("score", "given", "decision", "codes"),
    [
        (0.10, facts(), Decision.ALLOW, []),
        (0.49, facts(), Decision.ALLOW, []),
        (0.50, facts(), Decision.REVIEW, ["MODEL_SCORE", "MODEL_EVIDENCE"]),
        (0.90, facts(), Decision.TAKEDOWN, ["MODEL_SCORE", "MODEL_EVIDENCE"]),
        # A warned seller's thresholds are 0.8 times the model's: 0.4 and 0.72.
        (0.45, facts(Standing.WARNED, 1), Decision.REVIEW,
         ["SELLER_STANDING", "MODEL_SCORE", "MODEL_EVIDENCE"]),
        (0.39, facts(Standing.WARNED, 1), Decision.ALLOW, []),
        (0.75, facts(Standing.WARNED, 1), Decision.TAKEDOWN,
         ["SELLER_STANDING", "MODEL_SCORE", "MODEL_EVIDENCE"]),
        # A restricted seller's: 0.3 and 0.54.
        (0.31, facts(Standing.RESTRICTED, 2), Decision.REVIEW,
         ["SELLER_STANDING", "MODEL_SCORE", "MODEL_EVIDENCE"]),
        (0.29, facts(Standing.RESTRICTED, 2), Decision.ALLOW, []),
        # Standing that does not change the decision is not given as a reason.
        (0.95, facts(Standing.WARNED, 1), Decision.TAKEDOWN, ["MODEL_SCORE", "MODEL_EVIDENCE"]),
        (0.01, facts(Standing.BLOCKED, 3), Decision.TAKEDOWN, ["SELLER_BLOCKED"]),
        (0.01, facts(elsewhere=True), Decision.REVIEW, ["IDENTITY_BLOCKED_ELSEWHERE"]),
        (0.95, facts(elsewhere=True), Decision.TAKEDOWN,
         ["IDENTITY_BLOCKED_ELSEWHERE", "MODEL_SCORE", "MODEL_EVIDENCE"]),
        (0.01, facts(orders=["KEMENDAG/2026/001"]), Decision.TAKEDOWN, ["ACTIVE_ORDER"]),
        (0.01, facts(Standing.BLOCKED, 4, True, ["R-1"]), Decision.TAKEDOWN,
         ["ACTIVE_ORDER", "SELLER_BLOCKED", "IDENTITY_BLOCKED_ELSEWHERE"]),
    ],
)
def test_policy(score, given, decision, codes):
    evidence = [Evidence(term="thrift", original="thr1ft", weight=2.0)]
    got, reasons = decide(score, THRESHOLDS, given, evidence)
    assert got is decision
    assert [reason.code for reason in reasons] == codes


def test_active_order_names_its_references():
    _, reasons = decide(0.0, THRESHOLDS, facts(orders=["A/1", "B/2"]))
    assert "A/1" in reasons[0].message and "B/2" in reasons[0].message


def test_evidence_shows_the_original_spelling():
    evidence = [Evidence(term="thrift", original="thr1ft", weight=2.0)]
    _, reasons = decide(0.95, THRESHOLDS, facts(), evidence)
    assert reasons[-1].message.startswith('"thr1ft" read as "thrift"')


def test_the_identity_reason_says_how_many_platforms_and_since_when_never_which():
    _, reasons = decide(0.01, THRESHOLDS, facts(elsewhere=True))
    assert reasons[0].message == (
        "the seller shares a phone or NIK with a seller blocked on 2 other platforms since 2026-02-14"
    )
