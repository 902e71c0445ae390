"""The local stack's moto (saring.local_moto) against moto as shipped: the same table and the
same stream after every kind of transaction, committed or cancelled."""

from __future__ import annotations

import copy
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from saring.adapters.dynamodb.tables import create_table_from_template

TABLE = "saring-moto"


@pytest.fixture
def moto_as_shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    import moto.dynamodb.models as dynamodb_models

    backend = dynamodb_models.DynamoDBBackend
    monkeypatch.setattr(backend, "transact_write_items", backend.transact_write_items.__wrapped__)
    monkeypatch.setattr(dynamodb_models, "copy", copy)


def _key(pk: str, sk: str = "A") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _put(pk: str, sk: str = "A", **attributes: int) -> dict[str, Any]:
    item = {**_key(pk, sk), **{name: {"N": str(value)} for name, value in attributes.items()}}
    return {"Put": {"TableName": TABLE, "Item": item}}


def _increment(pk: str, sk: str = "A") -> dict[str, Any]:
    return {
        "Update": {
            "TableName": TABLE,
            "Key": _key(pk, sk),
            "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }


def _delete(pk: str, sk: str = "A") -> dict[str, Any]:
    return {"Delete": {"TableName": TABLE, "Key": _key(pk, sk)}}


def _must_be_absent(pk: str, sk: str = "A") -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "TableName": TABLE,
            "Key": _key(pk, sk),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


TRANSACTIONS = [
    [_put("seller#1", n=1), _put("seller#2", n=5), _put("seller#2", "B", n=7)],
    # cancelled by the last item, after a put, an update, a delete and an upsert went through
    [
        _put("seller#3", n=3),
        _increment("seller#1"),
        _delete("seller#2"),
        _increment("seller#9"),
        _must_be_absent("seller#2", "B"),
    ],
    [_increment("seller#1"), _delete("seller#2", "B"), _must_be_absent("seller#4")],
    # cancelled: the same item twice
    [_increment("seller#1"), _delete("seller#1")],
    # cancelled: an update that cannot apply (ADD to a number with a string)
    [
        _put("seller#5", n=1),
        {
            "Update": {
                "TableName": TABLE,
                "Key": _key("seller#1"),
                "UpdateExpression": "ADD n :text",
                "ExpressionAttributeValues": {":text": {"S": "x"}},
            }
        },
    ],
]


def _stream_records() -> list[dict]:
    # moto's DynamoDB Streams API is not routed for this region; its backend holds the records.
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-3"].tables[TABLE]
    return [record.to_json() for record in table.stream_shard.items]


def _run_story() -> tuple[list[str], list[dict], list[tuple]]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="ap-southeast-3")
        create_table_from_template(client, TABLE)
        outcomes = []
        for transaction in TRANSACTIONS:
            try:
                client.transact_write_items(TransactItems=transaction)
                outcomes.append("committed")
            except ClientError as error:
                reasons = error.response.get("CancellationReasons", [])
                outcomes.append(
                    f"{error.response['Error']['Code']}:{[r.get('Code') for r in reasons]}"
                )
        items = sorted(
            client.scan(TableName=TABLE)["Items"],
            key=lambda item: (item["pk"]["S"], item["sk"]["S"]),
        )
        records = [
            (
                record["eventName"],
                record["dynamodb"]["SequenceNumber"],
                str(record["dynamodb"]["Keys"]),
                str(record["dynamodb"].get("NewImage")),
            )
            for record in _stream_records()
        ]
        return outcomes, items, records


def test_the_story_sees_commits_and_cancellations() -> None:
    outcomes, items, records = _run_story()
    assert outcomes[0] == outcomes[2] == "committed"
    assert outcomes[1].startswith("TransactionCanceledException")
    assert "ConditionalCheckFailed" in outcomes[1]
    assert all(outcome != "committed" for outcome in outcomes[3:])
    assert [item["pk"]["S"] for item in items] == ["seller#1", "seller#2"]
    assert items[0]["n"] == {"N": "2"}
    assert len(records) == 5  # three inserts, one update, one delete: nothing from cancellations


def test_local_moto_leaves_what_moto_as_shipped_leaves(request: pytest.FixtureRequest) -> None:
    tuned = _run_story()
    request.getfixturevalue("moto_as_shipped")
    assert _run_story() == tuned


def test_local_moto_keeps_no_registry_of_items() -> None:
    from moto.dynamodb.models.dynamo_type import Item

    from saring.local_moto import tune_for_local_stack

    with mock_aws():
        # As `saring serve` runs moto: tuned once and never reset (each mock_aws exit resets
        # moto's registries to plain lists, so earlier tests may have undone the tuning).
        tune_for_local_stack()
        client = boto3.client("dynamodb", region_name="ap-southeast-3")
        create_table_from_template(client, TABLE)
        for n in range(50):
            client.transact_write_items(TransactItems=[_put(f"seller#{n}", n=n)])
        assert len(Item.instances_tracked) == 0  # inside the mock: leaving it resets anyway


def test_looking_up_absent_keys_leaves_no_entries_behind() -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    with mock_aws():
        client = boto3.client("dynamodb", region_name="ap-southeast-3")
        create_table_from_template(client, TABLE)
        client.transact_write_items(TransactItems=[_put("seller#1", n=1)])
        absent = [_key(f"listing#{n}") for n in range(100)]
        client.batch_get_item(RequestItems={TABLE: {"Keys": absent}})
        client.get_item(TableName=TABLE, Key=_key("listing#x"))
        client.delete_item(TableName=TABLE, Key=_key("listing#y"))
        client.transact_write_items(TransactItems=[_must_be_absent("listing#z")])
        table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-3"].tables[TABLE]
        assert len(table.items) == 1
