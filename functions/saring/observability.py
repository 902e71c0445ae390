"""The process's logger, and tracing only when it is switched on.

Importing the X-Ray SDK costs ~400 ms of cold start, so `Tracer` is imported only when
POWERTOOLS_TRACE_DISABLED is false.
"""

from __future__ import annotations

import os

from aws_lambda_powertools.logging import Logger

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "saring"))


def tracing_enabled() -> bool:
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "true").strip().lower() not in {"1", "true"}
