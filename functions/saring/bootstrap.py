"""The composition root: builds every service from settings, once per process."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from typing import Any

from saring.adapters.secrets import identity_secret
from saring.domain.listings import ListingLimits
from saring.domain.strikes import StrikePolicy
from saring.ports import (
    AppealBook,
    Classifier,
    Clock,
    KeyStore,
    LabelStore,
    Ledger,
    Metrics,
    OrderBook,
    StrikeRecorder,
    SystemClock,
    VerdictFactsReader,
)
from saring.service.appeals import AppealService
from saring.service.keys import Authenticator
from saring.service.labels import LabelService
from saring.service.ledger import LedgerService
from saring.service.orders import OrderService, agency_of_target
from saring.service.shadow import ShadowModel
from saring.service.verdicts import AuditSampler, VerdictService
from saring.settings import Settings


@dataclass
class Services:
    settings: Settings
    clock: Clock
    classifier: Classifier
    keys: KeyStore
    authenticator: Authenticator
    verdicts: VerdictService
    ledger: LedgerService
    orders: OrderService
    appeals: AppealService
    labels: LabelService


class LedgerStrikeRecorder(StrikeRecorder):
    """The orders module's view of the ledger: one strike per removed target."""

    def __init__(self, ledger: LedgerService) -> None:
        self._ledger = ledger

    def record_order_strike(
        self,
        platform: str,
        seller_id: str,
        target_id: str,
        order_reference: str,
        listing_id: str | None,
    ) -> None:
        self._ledger.record_order_strike(
            platform, seller_id, target_id, order_reference, listing_id
        )

    def revoke_order_strike(
        self,
        platform: str,
        seller_id: str,
        target_id: str,
        order_reference: str,
        listing_id: str | None,
        *,
        reason: str,
        revoked_by: str,
    ) -> None:
        self._ledger.revoke_order_strike(
            platform,
            seller_id,
            target_id,
            order_reference,
            listing_id,
            reason=reason,
            revoked_by=revoked_by,
        )


def default_metrics() -> Metrics:
    """CloudWatch metrics in Lambda; nothing elsewhere (tests, `saring serve`, `saring scan`),
    where EMF lines on stdout would only be noise."""
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        from saring.adapters.cloudwatch_metrics import CloudWatchMetrics

        return CloudWatchMetrics()
    from saring.ports import NO_METRICS

    return NO_METRICS


def listing_limits(settings: Settings) -> ListingLimits:
    return ListingLimits(
        max_batch=settings.max_batch,
        max_title_chars=settings.max_title_chars,
        max_description_chars=settings.max_description_chars,
    )


def load_classifier(settings: Settings) -> Classifier:
    from saring.adapters.onnx_classifier import OnnxClassifier

    return OnnxClassifier.from_dir(settings.model_dir)


def load_shadow(settings: Settings, live: Classifier, metrics: Metrics) -> ShadowModel | None:
    """The candidate of SARING_SHADOW_MODEL_DIR, loaded once per container as the live one."""
    if not settings.shadow_model_dir:
        return None
    from saring.adapters.onnx_classifier import OnnxClassifier

    candidate = OnnxClassifier.from_dir(settings.shadow_model_dir)
    return ShadowModel(candidate, live.version, metrics)


def ledger_service_for(
    settings: Settings,
    ledger: Ledger,
    clock: Clock,
    order_book: OrderBook | None = None,
    metrics: Metrics | None = None,
) -> LedgerService:
    """`order_book`: where an agency's appeal finds which agency issued a strike's order;
    without it (the order-events function records strikes, never revokes) none can."""
    return LedgerService(
        ledger=ledger,
        clock=clock,
        identity_secret=lambda: identity_secret(settings),
        known_platforms=settings.known_platforms,
        order_agency=None if order_book is None else partial(agency_of_target, order_book),
        metrics=metrics or default_metrics(),
    )


def build_verdict_service(
    settings: Settings,
    classifier: Classifier,
    facts_reader: VerdictFactsReader,
    clock: Clock,
    metrics: Metrics | None = None,
) -> VerdictService:
    """Verdicts alone (the catalog scan): no ledger writes, so no identity secret."""
    return VerdictService(
        classifier, facts_reader, clock, listing_limits(settings), metrics or default_metrics()
    )


def dynamo_ledger(dynamodb: Any, settings: Settings) -> Ledger:
    from saring.adapters.dynamodb.ledger import DynamoLedger

    return DynamoLedger(
        dynamodb,
        settings.table_name,
        StrikePolicy.from_settings(settings),
        platforms=settings.known_platforms,
        links_per_hour=settings.links_per_hour,
    )


def build_ledger_service(settings: Settings | None = None) -> LedgerService:
    """The ledger alone, for functions that need nothing else (no model, no schema)."""
    from saring.adapters.dynamodb.client import dynamodb_client

    settings = settings or Settings.from_env()
    ledger = dynamo_ledger(dynamodb_client(), settings)
    return ledger_service_for(settings, ledger, SystemClock())


def build_label_store(settings: Settings | None = None) -> LabelStore:
    """The review outcomes alone (`saring labels export`): no model, no schema."""
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.adapters.dynamodb.labels import DynamoLabelStore

    settings = settings or Settings.from_env()
    return DynamoLabelStore(dynamodb_client(), settings.label_table_name, settings.label_retention)


def build_order_service(settings: Settings | None = None) -> OrderService:
    """The orders alone (for the scheduled overdue count): no model, no schema."""
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.adapters.dynamodb.orders import DynamoDBOrderBook

    settings = settings or Settings.from_env()
    book = DynamoDBOrderBook(dynamodb_client(), settings.table_name, settings)
    recorder = LedgerStrikeRecorder(build_ledger_service(settings))
    return OrderService(book, recorder, SystemClock(), settings, metrics=default_metrics())


def build_drift_job(settings: Settings | None = None):
    """The drift job alone (DriftFunction, `saring drift run`): CloudWatch, nothing else."""
    from saring.adapters.aws import aws_client
    from saring.adapters.cloudwatch_drift import CloudWatchDriftMetrics
    from saring.service.drift import DriftJob

    settings = settings or Settings.from_env()
    return DriftJob(
        CloudWatchDriftMetrics(aws_client("cloudwatch")),
        SystemClock(),
        settings.drift_platforms,
        settings.drift_minimum_verdicts,
    )


def build_transparency_service(
    settings: Settings | None = None, *, dynamodb: Any = None, clock: Clock | None = None
):
    """The transparency exports' reader (CLI only): no model, no schema, no identity secret."""
    from saring.adapters.dynamodb.appeals import DynamoAppeals
    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.adapters.dynamodb.enforcement import DynamoEnforcementLog
    from saring.service.transparency import TransparencyService

    settings = settings or Settings.from_env()
    dynamodb = dynamodb or dynamodb_client()
    ledger = dynamo_ledger(dynamodb, settings)
    return TransparencyService(
        DynamoEnforcementLog(dynamodb, settings.table_name, settings),
        DynamoAppeals(dynamodb, settings.table_name, ledger),  # type: ignore[arg-type]
        clock or SystemClock(),
        settings,
    )


def build_services(
    settings: Settings | None = None,
    *,
    dynamodb: Any = None,
    clock: Clock | None = None,
    classifier: Classifier | None = None,
    keys: KeyStore | None = None,
    facts_reader: VerdictFactsReader | None = None,
    ledger: Ledger | None = None,
    order_book: OrderBook | None = None,
    metrics: Metrics | None = None,
    labels: LabelStore | None = None,
    shadow: ShadowModel | None = None,
    appeal_book: AppealBook | None = None,
) -> Services:
    """Real adapters unless a test hands in its own; nothing is built per request.

    The identity secret is read and checked here, at start: a container that could not link
    identities must not start answering (IdentitySecretError says what to set).
    """
    settings = settings or Settings.from_env()
    identity_secret(settings)
    clock = clock or SystemClock()
    metrics = metrics or default_metrics()
    classifier = classifier or load_classifier(settings)
    policy = StrikePolicy.from_settings(settings)
    if dynamodb is None and None in (keys, facts_reader, ledger, order_book, labels, appeal_book):
        from saring.adapters.dynamodb.client import dynamodb_client

        dynamodb = dynamodb_client()
    if keys is None:
        from saring.adapters.dynamodb.keystore import DynamoKeyStore

        keys = DynamoKeyStore(dynamodb, settings.table_name)
    if facts_reader is None:
        from saring.adapters.dynamodb.verdict_facts import DynamoVerdictFacts

        facts_reader = DynamoVerdictFacts(
            dynamodb, settings.table_name, policy, settings.known_platforms
        )
    if ledger is None:
        ledger = dynamo_ledger(dynamodb, settings)
    if order_book is None:
        from saring.adapters.dynamodb.orders import DynamoDBOrderBook

        order_book = DynamoDBOrderBook(dynamodb, settings.table_name, settings)
    if labels is None:
        from saring.adapters.dynamodb.labels import DynamoLabelStore

        labels = DynamoLabelStore(dynamodb, settings.label_table_name, settings.label_retention)
    ledger_service = ledger_service_for(settings, ledger, clock, order_book, metrics)
    if appeal_book is None:
        from saring.adapters.dynamodb.appeals import DynamoAppeals

        # Deciding REVOKED writes through the DynamoDB ledger's revocation transaction.
        appeal_book = DynamoAppeals(dynamodb, settings.table_name, ledger)  # type: ignore[arg-type]
    verdicts = VerdictService(
        classifier,
        facts_reader,
        clock,
        listing_limits(settings),
        metrics,
        sampler=AuditSampler(lambda: identity_secret(settings), settings.audit_sample_rate),
        shadow=shadow or load_shadow(settings, classifier, metrics),
    )
    return Services(
        settings=settings,
        clock=clock,
        classifier=classifier,
        keys=keys,
        authenticator=Authenticator(keys, settings.key_cache_seconds, clock),
        verdicts=verdicts,
        ledger=ledger_service,
        orders=OrderService(
            order_book, LedgerStrikeRecorder(ledger_service), clock, settings, metrics=metrics
        ),
        labels=LabelService(labels, verdicts, clock, listing_limits(settings), metrics),
        appeals=AppealService(
            appeal_book,
            clock,
            settings.appeal_overdue,
            settings.known_platforms,
            partial(agency_of_target, order_book),
        ),
    )
