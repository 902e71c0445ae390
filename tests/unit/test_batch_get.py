"""batch_get's waves of retries for unprocessed keys."""

from __future__ import annotations

import pytest


class UnprocessedTimes:
    """A BatchGetItem that leaves every key unprocessed `times` times, then returns them."""

    def __init__(self, times: int) -> None:
        self.times = times
        self.calls = 0

    def batch_get_item(self, RequestItems):  # noqa: N803 (botocore's name)
        self.calls += 1
        (table,) = RequestItems
        keys = RequestItems[table]["Keys"]
        if self.calls <= self.times:
            return {"UnprocessedKeys": {table: {"Keys": keys}}}
        return {"Responses": {table: keys}}


def test_keys_answered_by_the_last_wave_are_returned(monkeypatch):
    from saring.adapters.dynamodb import batch

    monkeypatch.setattr(batch.time, "sleep", lambda seconds: None)
    client = UnprocessedTimes(batch.MAX_WAVES - 1)
    found = batch.batch_get(client, "t", [{"pk": "a", "sk": "b"}])
    assert client.calls == batch.MAX_WAVES
    assert list(found) == [("a", "b")]


def test_keys_still_unprocessed_after_every_wave_are_an_error(monkeypatch):
    from saring.adapters.dynamodb import batch
    from saring.domain.errors import SaringError

    monkeypatch.setattr(batch.time, "sleep", lambda seconds: None)
    with pytest.raises(SaringError, match="1 keys unprocessed"):
        batch.batch_get(UnprocessedTimes(batch.MAX_WAVES), "t", [{"pk": "a", "sk": "b"}])
