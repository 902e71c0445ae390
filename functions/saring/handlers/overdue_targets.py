"""Lambda entry point, every 15 minutes: the TargetsOverdue metric of each known platform, and
the sweep that completes takedown orders whose issue was interrupted and never retried, and the
one that settles the targets of withdrawals interrupted and never retried."""

from saring.bootstrap import build_order_service
from saring.observability import logger

orders = build_order_service()


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    swept = orders.sweep_interrupted_orders()
    if swept:
        logger.info("completed interrupted orders", extra={"orders": swept})
    settled = orders.sweep_interrupted_withdrawals()
    if settled:
        logger.info("settled interrupted withdrawals", extra={"orders": settled})
    return {"overdue": orders.count_overdue_targets(), "swept": swept, "withdrawals": settled}
