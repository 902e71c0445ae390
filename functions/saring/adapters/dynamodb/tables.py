"""Creates tables from template.yaml's own definitions, so local and test tables cannot drift."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_CREATE_TABLE_KEYS = (
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "BillingMode",
    "StreamSpecification",
)


# libyaml's loader when PyYAML has it: parsing the template is most of a local table's set-up.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CloudFormationLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """Reads CloudFormation short-form tags (!Ref, !GetAtt, ...) as plain values."""


def _any_tag(loader: Any, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


_CloudFormationLoader.add_multi_constructor("!", _any_tag)


def default_template_path() -> Path:
    return Path(__file__).resolve().parents[4] / "template.yaml"


def table_properties(template: Path | None = None, logical_id: str = "Table") -> dict[str, Any]:
    document = yaml.load((template or default_template_path()).read_text(), _CloudFormationLoader)
    return document["Resources"][logical_id]["Properties"]


def create_table_from_template(
    client: Any, table_name: str, template: Path | None = None, logical_id: str = "Table"
) -> dict[str, Any]:
    properties = table_properties(template, logical_id)
    request = {key: properties[key] for key in _CREATE_TABLE_KEYS if key in properties}
    if "StreamSpecification" in request:
        request["StreamSpecification"] = {"StreamEnabled": True, **request["StreamSpecification"]}
    client.create_table(TableName=table_name, **request)
    client.get_waiter("table_exists").wait(TableName=table_name)
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)
    return client.describe_table(TableName=table_name)["Table"]


def create_tables_from_template(client: Any, settings: Any) -> None:
    """Every table the service uses, named as `settings` names them (the local stack, tests)."""
    create_table_from_template(client, settings.table_name)
    create_table_from_template(client, settings.label_table_name, logical_id="LabelTable")
