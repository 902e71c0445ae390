"""The audit sample: a keyed, deterministic share of ALLOW verdicts, never of flagged ones, and
the decision unchanged."""

from __future__ import annotations

import math

import pytest

from saring.domain.labels import audit_draw, in_audit_sample
from saring.domain.listings import Listing, ListingLimits
from saring.domain.principals import Principal, Role
from saring.domain.verdicts import Decision
from saring.service.verdicts import AuditSampler, VerdictService
from saring.settings import Settings
from tests.fakes import FixedFacts, KeywordClassifier

SECRET = b"an-audit-secret-of-at-least-32-bytes!!"
SHOPEE = Principal(Role.PLATFORM, "platform:shopee", platform="shopee")


def service(clock, rate: float, secret: bytes = SECRET) -> VerdictService:
    return VerdictService(
        KeywordClassifier(), FixedFacts(), clock, ListingLimits(), sampler=AuditSampler(lambda: secret, rate)
    )


def clean(n: int) -> Listing:
    return Listing(f"L-{n}", f"s-{n % 50}", "Kaos polos katun")


@pytest.mark.parametrize("rate", [0.01, 0.05, 0.3])
def test_the_share_of_sampled_allow_verdicts_is_the_rate(clock, rate):
    """40,000 ids: the count is binomial; 4.5 standard deviations either side (a false failure
    about once in 150,000 runs; the hash is fixed, so a pass is a pass for good)."""
    verdicts = service(clock, rate)
    n, sampled = 40_000, 0
    for start in range(0, n, 100):
        results = verdicts.verdicts(SHOPEE, [clean(i) for i in range(start, start + 100)])
        assert {r.decision for r in results} == {Decision.ALLOW}
        sampled += sum(r.audit_sample for r in results)
    sd = math.sqrt(n * rate * (1 - rate))
    assert abs(sampled - n * rate) < 4.5 * sd, (sampled, n * rate)


def test_a_retry_gets_the_same_answer_and_another_secret_another_sample(clock):
    listings = [clean(i) for i in range(2_000)]
    first = [r.audit_sample for r in service(clock, 0.05).verdicts(SHOPEE, listings[:100])]
    again = [r.audit_sample for r in service(clock, 0.05).verdicts(SHOPEE, listings[:100])]
    assert first == again
    ids = [listing.listing_id for listing in listings]
    mine = {i for i in ids if in_audit_sample(SECRET, "shopee", i, 0.05)}
    other = {i for i in ids if in_audit_sample(b"x" * 40, "shopee", i, 0.05)}
    elsewhere = {i for i in ids if in_audit_sample(SECRET, "tokopedia", i, 0.05)}
    assert mine and mine != other and mine != elsewhere  # keyed, and per platform
    assert all(0.0 <= audit_draw(SECRET, "shopee", i) < 1.0 for i in ids[:100])


def test_a_lower_rate_samples_a_subset_of_a_higher_one(clock):
    ids = [f"L-{n}" for n in range(5_000)]
    small = {i for i in ids if in_audit_sample(SECRET, "shopee", i, 0.01)}
    large = {i for i in ids if in_audit_sample(SECRET, "shopee", i, 0.1)}
    assert small < large  # raising the rate keeps every listing already being audited


def test_flagged_verdicts_are_never_samples_and_no_decision_changes(clock):
    everything = service(clock, 1.0)
    nothing = service(clock, 0.0)
    listings = [Listing(f"L-{n}", "s-1", "thrift bal" if n % 3 else "kaos polos") for n in range(99)]
    sampled = everything.verdicts(SHOPEE, listings)
    plain = nothing.verdicts(SHOPEE, listings)
    assert [r.decision for r in sampled] == [r.decision for r in plain]
    assert [r.score for r in sampled] == [r.score for r in plain]
    for result in sampled:
        assert result.audit_sample == (result.decision is Decision.ALLOW)
    assert not any(r.audit_sample for r in plain)
    assert {r.decision for r in sampled} == {Decision.ALLOW, Decision.TAKEDOWN}


def test_without_a_sampler_nothing_is_sampled(clock):
    plain = VerdictService(KeywordClassifier(), FixedFacts(), clock, ListingLimits())
    assert not any(r.audit_sample for r in plain.verdicts(SHOPEE, [clean(i) for i in range(50)]))


def test_was_audit_sample_agrees_with_the_verdict(clock):
    verdicts = service(clock, 0.5)
    listings = [clean(i) for i in range(40)] + [
        Listing(f"F-{n}", "s-1", "thrift bal") for n in range(40)
    ]
    answered = {r.listing_id: r.audit_sample for r in verdicts.verdicts(SHOPEE, listings)}
    assert any(answered.values()) and not all(answered.values())
    for listing in listings:
        assert verdicts.was_audit_sample(SHOPEE, listing) == answered[listing.listing_id]


@pytest.mark.parametrize(("raw", "rate"), [(None, 0.01), ("0", 0.0), ("1", 1.0), ("0.25", 0.25)])
def test_the_rate_setting(raw, rate):
    env = {} if raw is None else {"SARING_AUDIT_SAMPLE_RATE": raw}
    assert Settings.from_env(env).audit_sample_rate == rate


@pytest.mark.parametrize("raw", ["-0.1", "1.5", "nan", "often"])
def test_a_bad_rate_setting_is_refused(raw):
    from saring.domain.errors import BadUserInputError

    with pytest.raises(BadUserInputError, match="SARING_AUDIT_SAMPLE_RATE"):
        Settings.from_env({"SARING_AUDIT_SAMPLE_RATE": raw})
