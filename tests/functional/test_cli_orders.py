"""`saring orders sweep`: completes the orders whose issue was interrupted, prints their ids."""

from __future__ import annotations

import pytest

from saring.adapters.dynamodb.client import dynamodb_client
from saring.cli import main
from saring.domain.orders import OrderStatus
from saring.settings import Settings
from tests.fakes import RecordingStrikeRecorder
from tests.functional.test_orders_dynamodb import REGULATOR, SHOPEE, throttled_issue


@pytest.fixture
def cli_table(dynamodb, table_name, monkeypatch):
    monkeypatch.setenv("SARING_TABLE", table_name)
    dynamodb_client.cache_clear()
    yield
    dynamodb_client.cache_clear()


def test_sweep_completes_an_interrupted_order_and_prints_it(cli_table, dynamodb, table_name, clock, capsys):
    settings = Settings(table_name=table_name)
    # issued at the manual clock's time, long before now
    service, order_id = throttled_issue(dynamodb, table_name, settings, RecordingStrikeRecorder(), clock)
    assert service.takedown_order(REGULATOR, order_id).status is OrderStatus.ISSUING
    assert main(["orders", "sweep"]) == 0
    assert capsys.readouterr().out.split() == [order_id]
    assert service.takedown_order(REGULATOR, order_id).status is OrderStatus.ISSUED
    assert len(service.takedown_targets(SHOPEE, first=100).edges) == 100
    assert main(["orders", "sweep"]) == 0
    assert capsys.readouterr().out == ""
