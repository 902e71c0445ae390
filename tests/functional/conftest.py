"""Functional fixtures: real adapters on moto, the shipped ONNX model, the real Lambda handler."""

from __future__ import annotations

import base64
import copy
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

API_EVENT = json.loads((REPO_ROOT / "infra" / "events" / "api-graphql-post.json").read_text())


@pytest.fixture(scope="session")
def classifier():
    """The shipped model, loaded once for the whole session as Lambda loads it once per container."""
    from saring.bootstrap import load_classifier
    from saring.settings import Settings

    return load_classifier(Settings.from_env({}))


@pytest.fixture
def services(dynamodb, table_name, classifier, clock):
    from saring.bootstrap import build_services
    from saring.settings import Settings

    settings = Settings.from_env({"SARING_TABLE": table_name, "SARING_IDENTITY_SECRET": "test-identity-secret-0123456789abcdef"})
    return build_services(settings, dynamodb=dynamodb, clock=clock, classifier=classifier)


@pytest.fixture
def demo_keys(services) -> dict[str, str]:
    from saring.local_stack import create_demo_keys

    return {entry["name"]: entry["key"] for entry in create_demo_keys(services)}


def api_gateway_event(body: str | bytes, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event, as Lambda receives it."""
    event = copy.deepcopy(API_EVENT)
    event["headers"] = {
        name: value for name, value in event["headers"].items() if name != "authorization"
    }
    event["headers"].update({name.lower(): value for name, value in (headers or {}).items()})
    raw = body.encode() if isinstance(body, str) else body
    event["headers"]["content-length"] = str(len(raw))
    try:
        event["body"] = raw.decode("utf-8")
    except UnicodeDecodeError:
        # API Gateway hands Lambda a body that is not text base64-encoded: the handler must
        # see the very bytes sent, not a repaired copy.
        event["body"] = base64.b64encode(raw).decode("ascii")
        event["isBase64Encoded"] = True
    return event


class LambdaContext:
    function_name = "saring-api"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:ap-southeast-3:123456789012:function:saring-api"
    aws_request_id = "6f1d3c2e-0000-4000-8000-000000000001"


@pytest.fixture
def lambda_handler(dynamodb, table_name, monkeypatch) -> Iterator[Any]:
    """The module `saring.handlers.api` itself, imported afresh as a new container would."""
    import importlib
    import sys

    from saring.adapters.dynamodb.client import dynamodb_client

    monkeypatch.setenv("SARING_TABLE", table_name)
    monkeypatch.setenv("SARING_IDENTITY_SECRET", "test-identity-secret-0123456789abcdef")
    dynamodb_client.cache_clear()
    sys.modules.pop("saring.handlers.api", None)
    module = importlib.import_module("saring.handlers.api")
    yield module
    sys.modules.pop("saring.handlers.api", None)
    dynamodb_client.cache_clear()


@pytest.fixture
def handler_keys(lambda_handler) -> dict[str, str]:
    from saring.local_stack import create_demo_keys

    services = lambda_handler.app.services
    return {entry["name"]: entry["key"] for entry in create_demo_keys(services)}


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """What the service logs, formatted exactly as Lambda would ship it to CloudWatch."""
    from saring.observability import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def invoke(module: Any, query: str, key: str | None, variables: dict | None = None, **headers):
    payload = json.dumps({"query": query, "variables": variables or {}})
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    response = module.handler(api_gateway_event(payload, headers), LambdaContext())
    body = response["body"]
    return response["statusCode"], (json.loads(body) if body else None), response


