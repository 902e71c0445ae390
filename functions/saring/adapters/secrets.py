"""The identity HMAC secret: from settings, or fetched once per process from SSM."""

from __future__ import annotations

import threading
from typing import Any

from saring.domain.identity import IdentitySecretError, check_identity_secret
from saring.settings import Settings

_cache: dict[str, bytes] = {}
_lock = threading.Lock()


def identity_secret(settings: Settings, ssm_client: Any | None = None) -> bytes:
    """``identity_secret`` when set; otherwise the SecureString named by
    ``identity_secret_parameter``, read once per process (cached by parameter name).

    Either must be at least 32 bytes: IdentitySecretError otherwise, with what to set."""
    if settings.identity_secret:
        return check_identity_secret(settings.identity_secret.encode(), "SARING_IDENTITY_SECRET")
    name = settings.identity_secret_parameter
    if not name:
        raise IdentitySecretError(
            "no identity secret is configured: set SARING_IDENTITY_SECRET_PARAMETER to the name "
            "of an SSM SecureString, or SARING_IDENTITY_SECRET, to at least 32 bytes"
        )
    with _lock:
        if name not in _cache:
            if ssm_client is None:
                from saring.adapters.aws import aws_client

                ssm_client = aws_client("ssm")
            response = ssm_client.get_parameter(Name=name, WithDecryption=True)
            value = response["Parameter"]["Value"].encode()
            _cache[name] = check_identity_secret(value, f"the SSM parameter {name}")
        return _cache[name]


def clear_cache() -> None:
    """For tests."""
    with _lock:
        _cache.clear()
