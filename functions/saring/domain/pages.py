"""A page of a listing read by cursor (strikes, audit events, appeals)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from saring.domain.errors import BadUserInputError

T = TypeVar("T")


def page_size(first: object, maximum: int) -> int:
    """A connection's `first`: 1 to `maximum` items; BadUserInputError (field first) otherwise."""
    if not isinstance(first, int) or not 1 <= first <= maximum:
        raise BadUserInputError(f"first must be between 1 and {maximum}", field="first")
    return first


@dataclass(frozen=True, slots=True)
class CursorPage(Generic[T]):
    items: list[T]
    has_next: bool
    cursors: list[str]  # one opaque cursor per item: where a page after it starts

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None
