"""Domain errors. Each carries the stable error code the API reports in `extensions.code`."""

from __future__ import annotations


class SaringError(Exception):
    code = "INTERNAL"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadUserInputError(SaringError):
    code = "BAD_USER_INPUT"


class NotFoundError(SaringError):
    code = "NOT_FOUND"


class ConflictError(SaringError):
    code = "CONFLICT"


class ForbiddenError(SaringError):
    code = "FORBIDDEN"


class UnauthenticatedError(SaringError):
    code = "UNAUTHENTICATED"



class RateLimitedError(SaringError):
    code = "RATE_LIMITED"
