"""Lambda entry point of the GraphQL API: Mangum around the same ASGI app that runs locally."""

import gc
from typing import Any


def _build() -> tuple[Any, Any]:
    from aws_lambda_powertools.logging import correlation_paths
    from mangum import Mangum

    from saring.adapters.backoff import reseed_random_after_restore
    from saring.api.app import create_app
    from saring.bootstrap import build_services
    from saring.observability import logger, tracing_enabled

    reseed_random_after_restore()
    app = create_app(build_services())
    handler = logger.inject_lambda_context(
        correlation_id_path=correlation_paths.API_GATEWAY_HTTP
    )(Mangum(app, lifespan="off"))
    if tracing_enabled():
        from aws_lambda_powertools import Tracer

        handler = Tracer().capture_lambda_handler(handler)
    return app, handler


# A cold start allocates some 150,000 objects that live as long as the container, and the
# cyclic collector would walk them again and again while they are made: without it the start is
# about a tenth shorter (`make bench`). Frozen, they stay out of every later collection too, so
# no warm request pays for walking them; the little init garbage frozen with them is kept.
gc.disable()
try:
    app, handler = _build()
finally:
    gc.freeze()
    gc.enable()
