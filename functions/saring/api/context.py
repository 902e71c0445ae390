"""The per-request context every resolver receives as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from saring.domain.errors import UnauthenticatedError
from saring.domain.principals import Principal

if TYPE_CHECKING:
    from saring.bootstrap import Services


@dataclass
class RequestContext:
    services: Services
    principal: Principal | None  # None only while GraphiQL's page is served

    @property
    def caller(self) -> Principal:
        if self.principal is None:
            raise UnauthenticatedError("missing Authorization header")
        return self.principal
