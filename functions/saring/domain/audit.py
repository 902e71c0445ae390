"""The audit trail: every change appends one event saying who did what, when, before and after."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import uuid4

from saring.domain.pages import CursorPage
from saring.domain.principals import Principal


@dataclass(frozen=True, slots=True)
class AuditEvent:
    subject: str  # what changed, e.g. "seller:shopee:s-1" or "order:<id>"
    action: str  # e.g. "STRIKE_RECORDED", "TAKEDOWN_ACKNOWLEDGED"
    actor: str  # e.g. "platform:shopee" or "regulator:kemendag"
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    event_id: str = field(default_factory=lambda: uuid4().hex)


@dataclass(frozen=True, slots=True)
class AuditPage(CursorPage[AuditEvent]):
    """A page of a subject's audit events, newest first."""


def actor_of(principal: Principal) -> str:
    if principal.platform is not None:
        return f"platform:{principal.platform}"
    return f"regulator:{principal.agency}"
