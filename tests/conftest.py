"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from saring.ports import Clock

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SARING_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))

# Tests never reach AWS: fake credentials and a fixed region, set before boto3 is imported.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_SECURITY_TOKEN", "testing")
os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
os.environ["AWS_DEFAULT_REGION"] = "ap-southeast-3"
os.environ.pop("AWS_PROFILE", None)
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "saring")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")


class ManualClock(Clock):
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def aws() -> Iterator[None]:
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture
def dynamodb(aws: None):
    import boto3

    from saring.adapters.dynamodb.tables import create_table_from_template

    client = boto3.client("dynamodb", region_name="ap-southeast-3")
    create_table_from_template(client, "saring-test")
    # Review outcomes (issue 15): Settings names it "<table>-labels" unless told otherwise.
    create_table_from_template(client, "saring-test-labels", logical_id="LabelTable")
    return client


@pytest.fixture
def table_name(dynamodb) -> str:
    return "saring-test"


def pytest_sessionstart(session: pytest.Session) -> None:
    # The suite runs moto as `saring serve` does, so the tuned transaction path is what every
    # ledger and order test exercises; tests/functional/test_local_moto.py holds it to moto's own.
    from saring.local_moto import tune_for_local_stack

    tune_for_local_stack()
