"""The ledger use cases against the in-memory fake: permissions and idempotency, no I/O."""

import pytest

from saring.domain.errors import ConflictError, ForbiddenError
from saring.domain.principals import Principal, Role
from saring.domain.strikes import Standing
from saring.service.ledger import LedgerService
from tests.fakes import MemoryLedger

SHOPEE = Principal(Role.PLATFORM, "k1", platform="shopee")
TOKOPEDIA = Principal(Role.PLATFORM, "k2", platform="tokopedia")
REGULATOR = Principal(Role.REGULATOR, "k3", agency="kemendag")


@pytest.fixture
def service(clock):
    return LedgerService(MemoryLedger(), clock, lambda: b"secret")


def test_escalation_retry_and_revocation(service):
    assert service.record_violation(SHOPEE, "s-1", "L-1", None, "k1").standing is Standing.WARNED
    assert service.record_violation(SHOPEE, "s-1", "L-1", None, "k1").active_strikes == 1
    with pytest.raises(ConflictError):
        service.record_violation(SHOPEE, "s-1", "L-2", None, "k1")
    service.record_violation(SHOPEE, "s-1", "L-2", None, "k2")
    assert service.record_violation(SHOPEE, "s-1", "L-3", None, "k3").standing is Standing.BLOCKED
    newest = service.strikes(REGULATOR, "shopee", "s-1", first=1).items[0]
    with pytest.raises(ForbiddenError):  # a platform's own strike is appealed to the platform
        service.revoke_strike(REGULATOR, "shopee", "s-1", newest.id, "appeal")
    assert service.revoke_strike(SHOPEE, "shopee", "s-1", newest.id, "appeal").standing is (
        Standing.RESTRICTED
    )


def test_platforms_stay_on_their_own_sellers(service):
    service.record_violation(SHOPEE, "s-1", None, None, "k1")
    for call in (
        lambda: service.seller(TOKOPEDIA, "shopee", "s-1"),
        lambda: service.audit_trail(SHOPEE, "shopee", "s-1"),
        lambda: service.record_violation(REGULATOR, "s-1", None, None, "k2"),
    ):
        with pytest.raises(ForbiddenError):
            call()


def test_identity_block_elsewhere(service):
    for n in range(3):
        service.record_violation(SHOPEE, "bad", None, None, f"k{n}")
    service.link_seller_identity(SHOPEE, "bad", "081234567890", None)
    linked = service.link_seller_identity(TOKOPEDIA, "t-1", "+62 812 3456 7890", None)
    assert linked.identity_blocked_elsewhere and linked.standing is Standing.GOOD


def test_a_replay_after_a_revocation_reports_the_current_standing(service):
    assert service.record_violation(SHOPEE, "s-1", "L-1", None, "k1").standing is Standing.WARNED
    strike = service.strikes(REGULATOR, "shopee", "s-1", first=1).items[0]
    service.revoke_strike(SHOPEE, "shopee", "s-1", strike.id, "appeal")  # its own strike
    replayed = service.record_violation(SHOPEE, "s-1", "L-1", None, "k1")
    assert (replayed.standing, replayed.active_strikes) == (Standing.GOOD, 0)
