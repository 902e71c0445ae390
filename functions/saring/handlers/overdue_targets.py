"""Lambda entry point, every 15 minutes: the TargetsOverdue metric of each known platform."""

from saring.bootstrap import build_order_service
from saring.observability import logger

orders = build_order_service()


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    return {"overdue": orders.count_overdue_targets()}
