"""Lambda entry point of the scan split: S3 uploads under incoming/ -> one message per part."""

from saring.observability import logger
from saring.scan.bootstrap import build_splitter
from saring.scan.events import s3_upload_handler

handler = logger.inject_lambda_context(s3_upload_handler(build_splitter()))
