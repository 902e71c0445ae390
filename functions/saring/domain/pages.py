"""A page of a listing read by cursor (strikes, audit events, appeals)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CursorPage(Generic[T]):
    items: list[T]
    has_next: bool
    cursors: list[str]  # one opaque cursor per item: where a page after it starts

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None
