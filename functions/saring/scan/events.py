"""Lambda events in, service calls out: the translation both scan handlers and the local run
share (the handler modules only build the services and wrap these)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from saring.domain.scan import ScanTask
from saring.observability import logger
from saring.service.scan import ScanSplitter, ScanWorker

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def s3_upload_handler(splitter: ScanSplitter) -> Handler:
    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        scans = []
        for record in S3Event(event).records:
            bucket, key = record.s3.bucket.name, unquote_plus(record.s3.get_object.key)
            state = splitter.split(bucket, key)
            if state is None:
                logger.info("not a catalog upload", extra={"bucket": bucket, "key": key})
                continue
            summary = {
                "scan_id": state.scan_id,
                "key": key,
                "parts": state.parts,
                "lines": state.total_lines,
            }
            logger.info("scan planned", extra=summary)
            scans.append(summary)
        return {"scans": scans}

    return handle


def sqs_parts_handler(worker: ScanWorker) -> Handler:
    processor = BatchProcessor(event_type=EventType.SQS)

    def record_handler(record: SQSRecord) -> None:
        task = ScanTask.from_json(record.body)
        outcome = worker.process(task)
        if outcome is None:
            logger.warning(
                "upload replaced; part skipped", extra={"key": task.key, "part": task.part}
            )
        elif outcome.manifest is not None:
            logger.info("scan complete", extra={"scan_id": task.scan_id, "key": task.key})

    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return handle
