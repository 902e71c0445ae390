"""Who is calling: a platform bound to one platform id, or a regulator bound to an agency."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from saring.domain.errors import ForbiddenError


class Role(StrEnum):
    PLATFORM = "PLATFORM"
    REGULATOR = "REGULATOR"


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    name: str
    platform: str | None = None
    agency: str | None = None

    def require_platform(self) -> str:
        if self.role is not Role.PLATFORM or self.platform is None:
            raise ForbiddenError("only a platform key may do this")
        return self.platform

    def require_regulator(self) -> str:
        if self.role is not Role.REGULATOR or self.agency is None:
            raise ForbiddenError("only a regulator key may do this")
        return self.agency

    def require_access_to_platform(self, platform: str) -> None:
        """Regulators see every platform; a platform sees only its own data."""
        if self.role is Role.REGULATOR:
            return
        if self.platform != platform:
            raise ForbiddenError("a platform may only see its own data")
