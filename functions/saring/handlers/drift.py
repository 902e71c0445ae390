"""Lambda entry point, hourly (EventBridge Scheduler): FlaggedShareDrift of each platform of
SARING_DRIFT_PLATFORMS for the last complete WIB day (saring.service.drift), which the
DriftAlarm<platform> alarms watch. Locally: `saring drift run`."""

from saring.bootstrap import build_drift_job
from saring.observability import logger
from saring.service.drift import drift_line

job = build_drift_job()


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    lines = [drift_line(figures) for figures in job.run()]
    # Counts and shares only: no listing, seller or key is in them.
    logger.info("flagged share drift", extra={"platforms": lines})
    return {"platforms": lines}
