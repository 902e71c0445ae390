"""API keys in DynamoDB, one item per key hash."""

from __future__ import annotations

import hmac
from typing import Any

from botocore.exceptions import ClientError

from saring.adapters.dynamodb import keys
from saring.domain.errors import ConflictError
from saring.domain.principals import Principal, Role
from saring.ports import KeyStore, StoredKey


class DynamoKeyStore(KeyStore):
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def put(self, stored: StoredKey) -> None:
        principal = stored.principal
        item = {
            **keys.typed(keys.api_key(stored.key_hash)),
            "key_hash": {"S": stored.key_hash},
            "role": {"S": principal.role.value},
            "name": {"S": principal.name},
            "created_at": {"S": stored.created_at.isoformat()},
        }
        if principal.platform is not None:
            item["platform"] = {"S": principal.platform}
        if principal.agency is not None:
            item["agency"] = {"S": principal.agency}
        try:
            self._client.put_item(
                TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConflictError("that key already exists") from None
            raise

    def find(self, key_hash: str) -> Principal | None:
        item = self._client.get_item(TableName=self._table, Key=keys.typed(keys.api_key(key_hash))).get(
            "Item"
        )
        # The lookup is by hash; comparing the stored hash in constant time as well keeps a
        # timing difference from ever telling a caller how much of a guess matched.
        if item is None or not hmac.compare_digest(item["key_hash"]["S"], key_hash):
            return None
        return Principal(
            role=Role(item["role"]["S"]),
            name=item["name"]["S"],
            platform=item.get("platform", {}).get("S"),
            agency=item.get("agency", {}).get("S"),
        )

