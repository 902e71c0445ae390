"""Composition of the catalog scan: the split and the worker, built once per process."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

from saring.domain.errors import BadUserInputError
from saring.domain.scan import LINES_PER_PART, VERDICTS_PER_CALL, ScanLimits
from saring.ports import Clock, ObjectStore, PartQueue, SystemClock
from saring.service.scan import ScanSplitter, ScanWorker
from saring.service.verdicts import VerdictService


def _positive(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name) or str(default)
    if not raw.isdigit() or int(raw) < 1:
        raise BadUserInputError(f"{name} must be a whole number, got {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class ScanSettings:
    queue_url: str | None = None
    lines_per_part: int = LINES_PER_PART
    limits: ScanLimits = ScanLimits()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> ScanSettings:
        env = dict(os.environ if env is None else env)
        defaults = ScanLimits()
        return cls(
            queue_url=env.get("SARING_SCAN_QUEUE_URL") or None,
            lines_per_part=_positive(env, "SARING_SCAN_LINES_PER_PART", LINES_PER_PART),
            limits=ScanLimits(
                **{
                    cap: _positive(env, setting, getattr(defaults, cap))
                    for cap, setting in ScanLimits.SETTINGS.items()
                }
            ),
        )


def build_splitter(
    settings: ScanSettings | None = None,
    *,
    store: ObjectStore | None = None,
    queue: PartQueue | None = None,
    clock: Clock | None = None,
) -> ScanSplitter:
    settings = settings or ScanSettings.from_env()
    if store is None:
        from saring.adapters.s3_objects import S3ObjectStore, s3_client

        store = S3ObjectStore(s3_client())
    if queue is None:
        from saring.adapters.sqs_parts import SqsPartQueue, sqs_client

        if not settings.queue_url:
            raise BadUserInputError("SARING_SCAN_QUEUE_URL is not set")
        queue = SqsPartQueue(sqs_client(), settings.queue_url)
    return ScanSplitter(
        store, queue, clock or SystemClock(), settings.lines_per_part, settings.limits
    )


def build_worker(
    *,
    store: ObjectStore | None = None,
    verdicts: VerdictService | None = None,
    clock: Clock | None = None,
    dynamodb: Any = None,
) -> ScanWorker:
    """The worker scores through the same VerdictService as the API, so the ledger and the
    takedown orders apply to every scanned listing."""
    from saring.settings import Settings

    settings = scan_service_settings(Settings.from_env())
    if verdicts is None:
        verdicts = scan_verdicts(settings, dynamodb=dynamodb, clock=clock)
    if store is None:
        from saring.adapters.s3_objects import S3ObjectStore, s3_client

        store = S3ObjectStore(s3_client())
    from saring.bootstrap import default_metrics

    # The worker sizes its batches by the limits of the service it calls.
    return ScanWorker(store, verdicts, verdicts.limits, clock or SystemClock(), default_metrics())


def scan_service_settings(settings: Any) -> Any:
    """The API's settings, with the scan's larger batches."""
    return dataclasses.replace(settings, max_batch=VERDICTS_PER_CALL)


def scan_verdicts(settings: Any, *, dynamodb: Any = None, clock: Clock | None = None) -> VerdictService:
    """The API's VerdictService, reading its facts the catalog way (ScanVerdictFacts): the
    platform's active orders once, in memory, instead of a match read per listing."""
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.adapters.dynamodb.orders import DynamoDBOrderBook
    from saring.adapters.dynamodb.verdict_facts import ScanVerdictFacts
    from saring.bootstrap import build_verdict_service, load_classifier
    from saring.domain.strikes import StrikePolicy

    settings = scan_service_settings(settings)
    dynamodb = dynamodb or dynamodb_client()
    facts = ScanVerdictFacts(
        dynamodb,
        settings.table_name,
        StrikePolicy.from_settings(settings),
        DynamoDBOrderBook(dynamodb, settings.table_name, settings),
        platforms=settings.known_platforms,
    )
    return build_verdict_service(settings, load_classifier(settings), facts, clock or SystemClock())
