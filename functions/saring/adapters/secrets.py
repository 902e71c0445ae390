"""The identity HMAC secret: from settings, or fetched once per process from SSM."""

from __future__ import annotations

import threading
from typing import Any

from saring.domain.errors import SaringError
from saring.settings import Settings

_cache: dict[str, bytes] = {}
_lock = threading.Lock()


def identity_secret(settings: Settings, ssm_client: Any | None = None) -> bytes:
    """``identity_secret`` when set; otherwise the SecureString named by
    ``identity_secret_parameter``, read once per process (cached by parameter name)."""
    if settings.identity_secret:
        return settings.identity_secret.encode()
    name = settings.identity_secret_parameter
    if not name:
        raise SaringError("no identity secret is configured")
    with _lock:
        if name not in _cache:
            if ssm_client is None:
                from saring.adapters.aws import aws_client

                ssm_client = aws_client("ssm")
            response = ssm_client.get_parameter(Name=name, WithDecryption=True)
            value = response["Parameter"]["Value"]
            if not value:
                raise SaringError("the identity secret parameter is empty")
            _cache[name] = value.encode()
        return _cache[name]


def clear_cache() -> None:
    """For tests."""
    with _lock:
        _cache.clear()
