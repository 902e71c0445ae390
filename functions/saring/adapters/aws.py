"""AWS clients, built with botocore alone.

boto3's `client()` is botocore's with boto3's resource layer and s3transfer imported first:
about 60 ms of an API cold start on the development machine, for nothing these adapters use.
Each client gets a session of its own, as boto3's module-level `client()` shares one: a
session is cheap next to the client, and one made before moto is imported in a test would not
see moto's hooks. The sessions share one data loader, though: it keeps the endpoint and service
data it has parsed, which a fresh session would otherwise read and parse again for each client.

`AWS_SERVICES` is every service Saring calls. The Lambda build (functions/lambda_build.py) keeps
botocore's data for these alone, so a client for any other service is refused here, on every
machine, rather than failing only once deployed.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import botocore.loaders
import botocore.session
from botocore.config import Config

AWS_SERVICES = frozenset({"cloudwatch", "dynamodb", "events", "s3", "sqs", "ssm"})

# Every client retries in botocore's standard mode unless its adapter says otherwise: the legacy
# default does not retry every transient error, and adaptive mode is experimental (AWS's own
# word) with a client-side rate limiter that suits no client shared by a whole process.
RETRY_MODE = "standard"
_DEFAULTS = Config(retries={"mode": RETRY_MODE})


def aws_client(service: str, config: Config | None = None) -> Any:
    """Region, credentials and endpoint (AWS_ENDPOINT_URL for moto) come from the environment."""
    if service not in AWS_SERVICES:
        raise ValueError(
            f"{service!r} is not in AWS_SERVICES; add it there so the Lambda build keeps its data"
        )
    session = botocore.session.get_session()
    session.register_component(
        "data_loader", _data_loader(session.get_config_variable("data_path"))
    )
    return session.create_client(
        service, config=_DEFAULTS.merge(config) if config is not None else _DEFAULTS
    )


@lru_cache(maxsize=4)
def _data_loader(data_path: str | None) -> botocore.loaders.Loader:
    return botocore.loaders.create_loader(data_path)
