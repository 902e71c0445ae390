"""The shadow model's deploy path in template.yaml (moto deploys no template): with the
ShadowModelLayerArn parameter set, the API function gets that layer and SARING_SHADOW_MODEL_DIR
at the folder the layer unpacks to; without it, neither. The template is evaluated as
CloudFormation would for each parameter value: conditions, Fn::If and AWS::NoValue."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import REPO_ROOT
from tests.iam import load_template

TEMPLATE = load_template(REPO_ROOT / "template.yaml")
PARAMETERS = TEMPLATE["Parameters"]
LAYER = "arn:aws:lambda:ap-southeast-3:123456789012:layer:saring-shadow-model:4"
NO_VALUE = object()


def condition(name: str, parameters: dict[str, str]) -> bool:
    return evaluate(TEMPLATE["Conditions"][name], parameters)


def evaluate(value: Any, parameters: dict[str, str]) -> Any:
    """Conditions and Fn::If as CloudFormation resolves them; other values stay as written."""
    if isinstance(value, list):
        items = [evaluate(item, parameters) for item in value]
        return [item for item in items if item is not NO_VALUE]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((name, argument),) = value.items()
        if name == "Ref" and argument == "AWS::NoValue":
            return NO_VALUE
        if name == "Ref" and argument in PARAMETERS:
            return parameters.get(argument, str(PARAMETERS[argument]["Default"]))
        if name == "Condition":
            return condition(argument, parameters)
        if name == "Fn::Equals":
            left, right = (evaluate(item, parameters) for item in argument)
            return left == right
        if name == "Fn::Not":
            (inner,) = argument
            return not evaluate(inner, parameters)
        if name == "Fn::If":
            test, if_true, if_false = argument
            return evaluate(if_true if condition(test, parameters) else if_false, parameters)
    items = {key: evaluate(item, parameters) for key, item in value.items()}
    return {key: item for key, item in items.items() if item is not NO_VALUE}


def api_function(parameters: dict[str, str]) -> tuple[list, dict[str, str]]:
    """The API function's layers and its whole environment (Globals merged, as SAM does)."""
    properties = evaluate(TEMPLATE["Resources"]["ApiFunction"]["Properties"], parameters)
    globals_env = evaluate(TEMPLATE["Globals"]["Function"]["Environment"]["Variables"], parameters)
    return properties["Layers"], {**globals_env, **properties["Environment"]["Variables"]}


def test_without_the_parameter_there_is_no_shadow():
    assert PARAMETERS["ShadowModelLayerArn"]["Default"] == ""
    layers, env = api_function({})
    assert layers == [{"Ref": "ModelLayer"}]
    assert "SARING_SHADOW_MODEL_DIR" not in env
    assert env["SARING_MODEL_DIR"] == "/opt/model"


def test_the_parameter_adds_the_layer_and_the_variable():
    layers, env = api_function({"ShadowModelLayerArn": LAYER})
    assert layers == [{"Ref": "ModelLayer"}, LAYER]
    # `make shadow-layer` zips the candidate under shadow-model/; Lambda unpacks layers in /opt.
    assert env["SARING_SHADOW_MODEL_DIR"] == "/opt/shadow-model"
    assert env["SARING_MODEL_DIR"] == "/opt/model"


def test_only_the_api_function_scores_in_shadow():
    for name, resource in TEMPLATE["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function" or name == "ApiFunction":
            continue
        properties = evaluate(resource["Properties"], {"ShadowModelLayerArn": LAYER})
        assert LAYER not in properties.get("Layers", []), name
        assert "SARING_SHADOW_MODEL_DIR" not in str(properties), name


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("", True),
        (LAYER, True),
        ("arn:aws-cn:lambda:cn-north-1:123456789012:layer:candidate_2:12", True),
        ("arn:aws:lambda:ap-southeast-3:123456789012:layer:saring-shadow-model", False),  # no version
        ("/opt/shadow-model", False),
    ],
)
def test_the_parameter_takes_a_layer_version_arn_or_nothing(value, valid):
    assert bool(re.fullmatch(PARAMETERS["ShadowModelLayerArn"]["AllowedPattern"], value)) is valid
