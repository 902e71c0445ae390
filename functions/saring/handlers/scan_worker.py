"""Lambda entry point of the scan worker: powertools BatchProcessor, partial batch failures."""

from saring.observability import logger
from saring.scan.bootstrap import build_worker
from saring.scan.events import sqs_parts_handler

handler = logger.inject_lambda_context(sqs_parts_handler(build_worker()))
