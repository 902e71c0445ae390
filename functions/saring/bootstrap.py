"""The composition root: builds every service from settings, once per process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from saring.domain.listings import ListingLimits
from saring.ports import Classifier, Clock, KeyStore, SystemClock, VerdictFactsReader
from saring.service.keys import Authenticator
from saring.service.verdicts import VerdictService
from saring.settings import Settings


@dataclass
class Services:
    settings: Settings
    clock: Clock
    classifier: Classifier
    keys: KeyStore
    authenticator: Authenticator
    verdicts: VerdictService


def listing_limits(settings: Settings) -> ListingLimits:
    return ListingLimits(
        max_batch=settings.max_batch,
        max_title_chars=settings.max_title_chars,
        max_description_chars=settings.max_description_chars,
    )


def load_classifier(settings: Settings) -> Classifier:
    from saring.adapters.onnx_classifier import OnnxClassifier, default_model_dir

    return OnnxClassifier.load(settings.model_dir or default_model_dir())


def build_services(
    settings: Settings | None = None,
    *,
    dynamodb: Any = None,
    clock: Clock | None = None,
    classifier: Classifier | None = None,
    keys: KeyStore | None = None,
    facts_reader: VerdictFactsReader | None = None,
) -> Services:
    """Real adapters unless a test hands in its own; nothing is built per request."""
    settings = settings or Settings.from_env()
    clock = clock or SystemClock()
    classifier = classifier or load_classifier(settings)
    if dynamodb is None and (keys is None or facts_reader is None):
        from saring.adapters.dynamodb.client import dynamodb_client

        dynamodb = dynamodb_client()
    if keys is None:
        from saring.adapters.dynamodb.keystore import DynamoKeyStore

        keys = DynamoKeyStore(dynamodb, settings.table_name)
    if facts_reader is None:
        from saring.adapters.dynamodb.verdict_facts import DynamoVerdictFacts

        facts_reader = DynamoVerdictFacts(dynamodb, settings.table_name)
    return Services(
        settings=settings,
        clock=clock,
        classifier=classifier,
        keys=keys,
        authenticator=Authenticator(keys, settings.key_cache_seconds),
        verdicts=VerdictService(classifier, facts_reader, clock, listing_limits(settings)),
    )
