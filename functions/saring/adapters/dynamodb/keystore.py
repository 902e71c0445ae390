"""API keys in DynamoDB, one item per key hash, listed on gsi1 by key id."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from saring.adapters.dynamodb import keys
from saring.domain.errors import ConflictError, NotFoundError
from saring.domain.principals import Principal, Role
from saring.ports import KeyStore, StoredKey


class DynamoKeyStore(KeyStore):
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def put(self, stored: StoredKey) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=_item(stored),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConflictError("that key already exists") from None
            raise

    def find(self, key_hash: str) -> StoredKey | None:
        item = self._client.get_item(
            TableName=self._table, Key=keys.typed(keys.api_key(key_hash))
        ).get("Item")
        # The lookup is by hash; comparing the stored hash in constant time as well keeps a
        # timing difference from ever telling a caller how much of a guess matched.
        if item is None or not hmac.compare_digest(item["key_hash"]["S"], key_hash):
            return None
        return _stored(item)

    def by_id(self, key_id: str) -> StoredKey | None:
        items = self._client.query(
            TableName=self._table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :p AND gsi1sk = :id",
            ExpressionAttributeValues={
                ":p": {"S": keys.API_KEYS_PARTITION},
                ":id": {"S": key_id},
            },
        )["Items"]
        return _stored(items[0]) if items else None

    def all_keys(self) -> list[StoredKey]:
        found: list[StoredKey] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": {":p": {"S": keys.API_KEYS_PARTITION}},
        }
        while True:
            response = self._client.query(**request)
            found.extend(_stored(item) for item in response["Items"])
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def revoke(self, key_id: str, at: datetime) -> StoredKey:
        stored = self._existing(key_id)
        item = self._client.update_item(
            TableName=self._table,
            Key=keys.typed(keys.api_key(stored.key_hash)),
            UpdateExpression="SET revoked_at = if_not_exists(revoked_at, :at)",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":at": {"S": at.isoformat()}},
            ReturnValues="ALL_NEW",
        )["Attributes"]
        return _stored(item)

    def replace(self, old_key_id: str, new: StoredKey, at: datetime) -> None:
        old = self._existing(old_key_id)
        if old.revoked_at is not None:
            raise ConflictError(f"API key {old_key_id} is already revoked")
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": _item(new),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": keys.typed(keys.api_key(old.key_hash)),
                            "UpdateExpression": "SET revoked_at = :at",
                            "ConditionExpression": "attribute_exists(pk) AND "
                            "attribute_not_exists(revoked_at)",
                            "ExpressionAttributeValues": {":at": {"S": at.isoformat()}},
                        }
                    },
                ]
            )
        except self._client.exceptions.TransactionCanceledException:
            # Someone revoked or rotated the old key meanwhile (a clash of the new random
            # key's hash is not worth telling apart).
            raise ConflictError(f"API key {old_key_id} is already revoked") from None

    def _existing(self, key_id: str) -> StoredKey:
        stored = self.by_id(key_id)
        if stored is None:
            raise NotFoundError(f"no API key with id {key_id}")
        return stored


def _item(stored: StoredKey) -> dict[str, Any]:
    principal = stored.principal
    item = {
        **keys.typed(keys.api_key(stored.key_hash)),
        **keys.typed(keys.api_key_index(stored.key_id)),
        "key_hash": {"S": stored.key_hash},
        "key_id": {"S": stored.key_id},
        "role": {"S": principal.role.value},
        "name": {"S": principal.name},
        "created_at": {"S": stored.created_at.isoformat()},
    }
    if principal.platform is not None:
        item["platform"] = {"S": principal.platform}
    if principal.agency is not None:
        item["agency"] = {"S": principal.agency}
    if stored.expires_at is not None:
        item["expires_at"] = {"S": stored.expires_at.isoformat()}
    return item


def _stored(item: dict[str, Any]) -> StoredKey:
    def moment(name: str) -> datetime | None:
        return datetime.fromisoformat(item[name]["S"]) if name in item else None

    return StoredKey(
        key_hash=item["key_hash"]["S"],
        principal=Principal(
            role=Role(item["role"]["S"]),
            name=item["name"]["S"],
            platform=item.get("platform", {}).get("S"),
            agency=item.get("agency", {}).get("S"),
        ),
        created_at=datetime.fromisoformat(item["created_at"]["S"]),
        # Keys made before ids existed have none: they are found by hash, never listed.
        key_id=item.get("key_id", {}).get("S", ""),
        expires_at=moment("expires_at"),
        revoked_at=moment("revoked_at"),
    )
