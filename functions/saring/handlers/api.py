"""Lambda entry point of the GraphQL API: Mangum around the same ASGI app that runs locally."""

from aws_lambda_powertools.logging import correlation_paths
from mangum import Mangum

from saring.api.app import create_app
from saring.bootstrap import build_services
from saring.observability import logger, tracing_enabled

app = create_app(build_services())
handler = logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)(
    Mangum(app, lifespan="off")
)

if tracing_enabled():
    from aws_lambda_powertools import Tracer

    handler = Tracer().capture_lambda_handler(handler)
