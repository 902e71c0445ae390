"""Domain errors. Each carries the stable error code the API reports in `extensions.code`."""

from __future__ import annotations


class SaringError(Exception):
    code = "INTERNAL"
    # True when the same request may succeed if sent again (the API says `retryable: true`).
    retryable = False

    def __init__(
        self, message: str, *, field: str | None = None, extensions: dict | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # More for the caller, in the error's `extensions` (e.g. the existing order's id).
        self.extensions = dict(extensions or {})


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


class ContentionError(SaringError):
    """Concurrent writers kept changing what this write depends on (one seller's strikes) and
    it gave up: nothing was written, and the same request, sent again, succeeds. Not CONFLICT,
    which says the request itself can never succeed (a reused idempotency key)."""

    code = "INTERNAL"
    retryable = True


class RateLimitedError(SaringError):
    code = "RATE_LIMITED"
