"""The scan bucket on S3: ranged, version-pinned reads and small whole-object writes."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, BinaryIO, cast

from botocore.config import Config
from botocore.exceptions import ClientError

from saring.adapters.aws import aws_client
from saring.domain.scan import SourceChangedError
from saring.ports import ObjectStore, StoredObject

# Standard retries back off on S3's 503 SlowDown; the pool serves the parallel summary reads.
_CONFIG = Config(
    retries={"max_attempts": 5, "mode": "standard"},
    max_pool_connections=32,
    tcp_keepalive=True,
)
_MISSING = {"404", "NoSuchKey", "NotFound"}


@lru_cache(maxsize=1)
def s3_client() -> Any:
    return aws_client("s3", _CONFIG)


class S3ObjectStore(ObjectStore):
    def __init__(self, client: Any) -> None:
        self._client = client

    def head(self, bucket: str, key: str) -> StoredObject | None:
        try:
            response = self._client.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if _code(error) in _MISSING:
                return None
            raise
        return StoredObject(size=response["ContentLength"], etag=response["ETag"])

    def open(
        self, bucket: str, key: str, etag: str, start: int = 0, end: int | None = None
    ) -> BinaryIO:
        request: dict[str, Any] = {"Bucket": bucket, "Key": key, "IfMatch": etag}
        if start or end is not None:
            request["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
        try:
            response = self._client.get_object(**request)
        except ClientError as error:
            if _code(error) in _MISSING | {"PreconditionFailed", "412"}:
                raise SourceChangedError(f"s3://{bucket}/{key} changed or is gone") from error
            raise
        return cast(BinaryIO, response["Body"])

    def get(self, bucket: str, key: str) -> bytes | None:
        try:
            response = self._client.get_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if _code(error) in _MISSING:
                return None
            raise
        return response["Body"].read()

    def put(self, bucket: str, key: str, body: bytes, content_type: str) -> None:
        self._client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)

    def list_keys(self, bucket: str, prefix: str) -> list[str]:
        # Pages followed by their continuation token: what the paginator does, without loading
        # the paginator model into each new client.
        keys: list[str] = []
        request: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
        while True:
            page = self._client.list_objects_v2(**request)
            keys.extend(item["Key"] for item in page.get("Contents", ()))
            if not page.get("IsTruncated"):
                return keys
            request["ContinuationToken"] = page["NextContinuationToken"]


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
