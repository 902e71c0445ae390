"""Retry jitter after SnapStart.

Lambda restores every SnapStart container from one snapshot of the initialised process, the
state of Python's `random` included: jitter drawn from it is the same in every restored
container, so their retries after a throttle arrive together again. Saring's jitter must not
depend on that state, and the `random` module (botocore's retries use it) is reseeded after a
restore.
"""

from __future__ import annotations

import ast
import importlib
import random
import sys
import types
from pathlib import Path

import pytest

from tests.unit.test_batch_get import UnprocessedTimes

ADAPTERS = Path(__file__).resolve().parents[2] / "functions" / "saring" / "adapters"


def _sleeps_of_one_batch_get(monkeypatch) -> list[float]:
    from saring.adapters.dynamodb import batch

    slept: list[float] = []
    monkeypatch.setattr(batch.time, "sleep", slept.append)
    batch.batch_get(UnprocessedTimes(3), "t", [{"pk": "a", "sk": "b"}])
    return slept


def test_containers_restored_from_one_snapshot_do_not_retry_in_step(monkeypatch):
    snapshot = random.getstate()  # what every restored container starts from
    first_container = _sleeps_of_one_batch_get(monkeypatch)
    random.setstate(snapshot)
    second_container = _sleeps_of_one_batch_get(monkeypatch)
    assert len(first_container) == len(second_container) == 3
    assert first_container != second_container


def test_no_adapter_draws_jitter_from_the_shared_random_state():
    """Every backoff in the adapters (DynamoDB batches, ledger and order transactions, SQS)."""
    offenders = []
    for path in sorted(ADAPTERS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "random"
                and node.attr not in {"SystemRandom", "seed"}
            ):
                offenders.append(f"{path.name}:{node.lineno} random.{node.attr}")
    assert offenders == []


def test_the_api_handler_reseeds_random_after_a_snapstart_restore(monkeypatch):
    hooks = []
    runtime = types.ModuleType("snapshot_restore_py")  # what Lambda's Python runtime provides
    runtime.register_after_restore = lambda hook, *a, **k: hooks.append((hook, a, k))
    runtime.register_before_snapshot = lambda hook, *a, **k: None
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    monkeypatch.setenv("SARING_IDENTITY_SECRET", "test-identity-secret-0123456789abcdef")
    monkeypatch.setattr("saring.bootstrap.build_services", lambda *a, **k: _FakeServices())
    sys.modules.pop("saring.handlers.api", None)
    try:
        importlib.import_module("saring.handlers.api")
    finally:
        sys.modules.pop("saring.handlers.api", None)
    assert hooks, "no after-restore hook registered"
    snapshot = random.getstate()
    for hook, args, kwargs in hooks:
        hook(*args, **kwargs)
    after_first_restore = random.random()
    random.setstate(snapshot)
    for hook, args, kwargs in hooks:
        hook(*args, **kwargs)
    assert random.random() != after_first_restore


class _FakeServices:
    def __init__(self) -> None:
        from saring.settings import Settings

        self.settings = Settings()


@pytest.fixture(autouse=True)
def _keep_random_state():
    state = random.getstate()
    yield
    random.setstate(state)
