"""The per-request context every resolver receives as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from saring.domain.errors import UnauthenticatedError
from saring.domain.principals import Principal
from saring.domain.strikes import StrikePage

if TYPE_CHECKING:
    from saring.bootstrap import Services


class StrikesLoader:
    """Sellers' strike pages for one request, batched and deduplicated (a DataLoader).

    graphql-core resolves a list's items one after another; a `verdicts` of 100 listings that
    selects `seller { strikes }` would read 100 partitions one by one. The `verdicts` resolver
    announces the sellers it returns (`expect`); the first `strikes` field resolved then loads
    the page of every announced seller at once, one read per distinct seller, all in flight
    together, and the other 99 are answered from what was loaded.
    """

    def __init__(self, context: RequestContext) -> None:
        self._context = context
        self._expected: dict[str, set[str]] = {}
        self._pages: dict[tuple[str, str, int, str | None], StrikePage] = {}

    def expect(self, platform: str, seller_ids: list[str]) -> None:
        self._expected.setdefault(platform, set()).update(seller_ids)

    def load(self, platform: str, seller_id: str, first: int, after: str | None) -> StrikePage:
        key = (platform, seller_id, first, after)
        if key not in self._pages:
            wanted = {seller_id} | self._expected.get(platform, set())
            batch = sorted(s for s in wanted if (platform, s, first, after) not in self._pages)
            context = self._context
            pages = context.services.ledger.strikes_of_sellers(
                context.caller, platform, batch, first, after
            )
            for seller, page in pages.items():
                self._pages[(platform, seller, first, after)] = page
        return self._pages[key]


@dataclass
class RequestContext:
    services: Services
    principal: Principal | None  # None only while GraphiQL's page is served
    strikes_loader: StrikesLoader = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.strikes_loader = StrikesLoader(self)

    @property
    def caller(self) -> Principal:
        if self.principal is None:
            raise UnauthenticatedError("missing Authorization header")
        return self.principal
