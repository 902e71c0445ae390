"""Lambda entry point, every 15 minutes (EventBridge Scheduler): the warning ladder. Issues every
ST1/ST2/ST3 notice due to a pending target past its deadline; each notice reaches the platform
as a `TakedownNoticeIssued` event through the order events function (the notice item's INSERT).
Locally: `saring notices run`."""

from saring.bootstrap import build_order_service
from saring.observability import logger

orders = build_order_service()


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    issued = orders.issue_notices()
    counts: dict[str, int] = {}
    for _, notice in issued:
        counts[notice.level.value] = counts.get(notice.level.value, 0) + 1
    if issued:
        logger.info("issued compliance notices", extra={"notices": counts})
    return {"issued": counts}
