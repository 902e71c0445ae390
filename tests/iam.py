"""IAM as AWS would apply it, for tests on moto (which checks no permission at all).

- `CallRecorder` records every AWS call any botocore client makes while it is on (service,
  operation, the caller's parameters, the HTTP status), through botocore's event hooks.
- `iam_requests` turns one recorded call into the IAM requests AWS authorises for it (action,
  resource ARN, condition keys): a TransactWriteItems is one request per item, a BatchGetItem
  one per table, a ListObjectsV2 carries `s3:prefix`.
- `function_policy` reads a function's policy statements from template.yaml (inline statements
  and the SAM policy templates it uses, with !Sub, !GetAtt and !Ref resolved against the names
  the test gave its resources), and `is_allowed` evaluates a request against them: an explicit
  Deny wins, otherwise some Allow must match.

Anything this module does not know (an operation, a policy template, a condition operator)
raises instead of passing, so a new kind of call cannot slip through unchecked.
"""

from __future__ import annotations

import fnmatch
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PARTITION = "aws"
REGION = "ap-southeast-3"
ACCOUNT = "123456789012"  # moto's account


# --- Recording ---------------------------------------------------------------------------------


@dataclass
class RecordedCall:
    service: str
    operation: str
    params: dict[str, Any]
    status: int | None = None


@dataclass
class CallRecorder:
    """Records calls while `active` names a function; calls made outside (test set-up) are not
    recorded. Hooks go into botocore's built-in handlers, so every client created while the
    recorder is installed has them, whoever creates it (boto3, saring.adapters.aws)."""

    active: str | None = None
    calls: dict[str, list[RecordedCall]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> None:
        import botocore.handlers

        botocore.handlers.BUILTIN_HANDLERS.append(("provide-client-params", self._before))
        botocore.handlers.BUILTIN_HANDLERS.append(("after-call", self._after))

    def uninstall(self) -> None:
        import botocore.handlers

        for entry in [("provide-client-params", self._before), ("after-call", self._after)]:
            botocore.handlers.BUILTIN_HANDLERS.remove(entry)

    def _before(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        function = self.active
        if function is None:
            return
        call = RecordedCall(model.service_model.service_name, model.name, dict(params))
        context["recorded_call"] = call
        with self._lock:
            self.calls.setdefault(function, []).append(call)

    def _after(self, http_response: Any, context: dict[str, Any], **_: Any) -> None:
        call = context.get("recorded_call")
        if call is not None:
            call.status = http_response.status_code


# --- Calls -> IAM requests ---------------------------------------------------------------------


@dataclass(frozen=True)
class IamRequest:
    action: str
    resource: str
    context: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def condition_values(self, key: str) -> tuple[str, ...] | None:
        for name, values in self.context:
            if name.lower() == key.lower():
                return values
        return None

    def __str__(self) -> str:
        extra = ", ".join(f"{name}={list(values)}" for name, values in self.context)
        return f"{self.action} on {self.resource}" + (f" ({extra})" if extra else "")


def _table_arn(name: str) -> str:
    return f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def _leading_keys(*pks: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return (("dynamodb:LeadingKeys", tuple(sorted(set(pks)))),)


_ITEM_OPERATIONS = {"GetItem": "Key", "PutItem": "Item", "UpdateItem": "Key", "DeleteItem": "Key"}
_TRANSACT_ACTIONS = {
    "Put": ("PutItem", "Item"),
    "Update": ("UpdateItem", "Key"),
    "Delete": ("DeleteItem", "Key"),
    "ConditionCheck": ("ConditionCheckItem", "Key"),
}


def _dynamodb(operation: str, params: dict[str, Any]) -> list[IamRequest]:
    if operation in _ITEM_OPERATIONS:
        pk = params[_ITEM_OPERATIONS[operation]]["pk"]["S"]
        return [IamRequest(f"dynamodb:{operation}", _table_arn(params["TableName"]), _leading_keys(pk))]
    if operation in {"Query", "Scan"}:
        arn = _table_arn(params["TableName"])
        if params.get("IndexName"):
            arn += f"/index/{params['IndexName']}"
        return [IamRequest(f"dynamodb:{operation}", arn)]
    if operation == "BatchGetItem":
        return [
            IamRequest(
                "dynamodb:BatchGetItem",
                _table_arn(table),
                _leading_keys(*(key["pk"]["S"] for key in request["Keys"])),
            )
            for table, request in params["RequestItems"].items()
        ]
    if operation == "TransactWriteItems":
        requests = []
        for entry in params["TransactItems"]:
            ((kind, body),) = entry.items()
            action, where = _TRANSACT_ACTIONS[kind]
            requests.append(
                IamRequest(
                    f"dynamodb:{action}",
                    _table_arn(body["TableName"]),
                    _leading_keys(body[where]["pk"]["S"]),
                )
            )
        return requests
    if operation == "TransactGetItems":
        return [
            IamRequest(
                "dynamodb:GetItem",
                _table_arn(entry["Get"]["TableName"]),
                _leading_keys(entry["Get"]["Key"]["pk"]["S"]),
            )
            for entry in params["TransactItems"]
        ]
    raise NotImplementedError(f"dynamodb:{operation}: teach tests/iam.py its IAM requests")


def _s3(operation: str, params: dict[str, Any], status: int | None) -> list[IamRequest]:
    bucket_arn = f"arn:{PARTITION}:s3:::{params['Bucket']}"
    if operation in {"GetObject", "HeadObject"}:
        requests = [IamRequest("s3:GetObject", f"{bucket_arn}/{params['Key']}")]
        if status == 404:
            # S3 answers 404 for a missing key only to a caller that may list the bucket; to
            # anyone else the same request is 403 AccessDenied.
            requests.append(IamRequest("s3:ListBucket", bucket_arn))
        return requests
    if operation == "PutObject":
        return [IamRequest("s3:PutObject", f"{bucket_arn}/{params['Key']}")]
    if operation == "DeleteObject":
        return [IamRequest("s3:DeleteObject", f"{bucket_arn}/{params['Key']}")]
    if operation == "DeleteObjects":
        return [
            IamRequest("s3:DeleteObject", f"{bucket_arn}/{entry['Key']}")
            for entry in params["Delete"]["Objects"]
        ]
    if operation in {"ListObjectsV2", "ListObjects"}:
        return [
            IamRequest("s3:ListBucket", bucket_arn, (("s3:prefix", (params.get("Prefix", ""),)),))
        ]
    raise NotImplementedError(f"s3:{operation}: teach tests/iam.py its IAM requests")


def _queue_arn(url: str) -> str:
    account, name = url.rstrip("/").split("/")[-2:]
    return f"arn:{PARTITION}:sqs:{REGION}:{account}:{name}"


def iam_requests(call: RecordedCall) -> list[IamRequest]:
    service, operation, params = call.service, call.operation, call.params
    if service == "dynamodb":
        return _dynamodb(operation, params)
    if service == "s3":
        return _s3(operation, params, call.status)
    if service == "sqs" and operation in {"SendMessage", "SendMessageBatch"}:
        return [IamRequest("sqs:SendMessage", _queue_arn(params["QueueUrl"]))]
    if service == "events" and operation == "PutEvents":
        buses = {entry.get("EventBusName") or "default" for entry in params["Entries"]}
        return [
            IamRequest(
                "events:PutEvents",
                bus
                if bus.startswith("arn:")
                else f"arn:{PARTITION}:events:{REGION}:{ACCOUNT}:event-bus/{bus}",
            )
            for bus in sorted(buses)
        ]
    if service == "ssm" and operation == "GetParameter":
        name = params["Name"]
        separator = "" if name.startswith("/") else "/"
        return [
            IamRequest(
                "ssm:GetParameter", f"arn:{PARTITION}:ssm:{REGION}:{ACCOUNT}:parameter{separator}{name}"
            )
        ]
    if service == "cloudwatch" and operation == "GetMetricData":
        # No resource-level permission: IAM authorises it on "*" alone.
        return [IamRequest("cloudwatch:GetMetricData", "*")]
    if service == "cloudwatch" and operation == "PutMetricData":
        return [
            IamRequest("cloudwatch:PutMetricData", "*", (("cloudwatch:namespace", (params["Namespace"],)),))
        ]
    raise NotImplementedError(f"{service}:{operation}: teach tests/iam.py its IAM requests")


# --- template.yaml -> policy statements --------------------------------------------------------


class _TaggedLoader(yaml.SafeLoader):
    """CloudFormation's short forms as their long forms: !Sub x -> {"Fn::Sub": x}."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_TaggedLoader.add_multi_constructor("!", _tagged)


def load_template(path: Path) -> dict[str, Any]:
    """The template with its Fn::ForEach loops expanded (tests/language_extensions.py)."""
    from tests.language_extensions import expand_for_each

    return expand_for_each(yaml.load(path.read_text(), _TaggedLoader))


@dataclass
class Resolver:
    """Resolves intrinsic functions with the test's physical resources.

    `refs` maps a logical id to what !Ref gives; `attributes` maps "LogicalId.Attribute" to what
    !GetAtt gives. Parameters take their template defaults unless `parameters` names them."""

    template: dict[str, Any]
    refs: dict[str, str]
    attributes: dict[str, str]
    parameters: dict[str, str] = field(default_factory=dict)

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::Partition": PARTITION,
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.template.get("Parameters", {}):
            return str(self.template["Parameters"][name]["Default"])
        if name in self.refs:
            return self.refs[name]
        raise KeyError(f"!Ref {name}: the test gave this resource no physical name")

    def get_att(self, logical_id: str, attribute: str) -> str:
        key = f"{logical_id}.{attribute}"
        if key not in self.attributes:
            raise KeyError(f"!GetAtt {key}: the test gave this attribute no value")
        return self.attributes[key]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((name, argument),) = value.items()
            if name == "Ref":
                return self.ref(argument)
            if name == "Fn::GetAtt":
                return self.get_att(*argument)
            if name == "Fn::Sub":
                return self._sub(argument)
            if name == "Fn::Select":
                index, items = argument
                return self.resolve(items)[int(self.resolve(index))]
            if name == "Fn::Split":
                separator, text = argument
                return self.resolve(text).split(separator)
            if name.startswith("Fn::"):
                raise NotImplementedError(f"{name}: teach tests/iam.py to resolve it")
        return {name: self.resolve(item) for name, item in value.items()}

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        variables = {name: self.resolve(item) for name, item in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return variables[name]
            if "." in name and not name.startswith("AWS::"):
                return self.get_att(*name.split(".", 1))
            return self.ref(name)

        return re.sub(r"\$\{([^}!]+)\}", replace, text)


# The SAM policy templates this template uses, as SAM expands them (policy_templates.json of
# aws-sam-translator). A template not listed here fails the test until it is added.
_SAM_POLICY_TEMPLATES: dict[str, list[dict[str, Any]]] = {
    "SQSSendMessagePolicy": [
        {
            "Effect": "Allow",
            "Action": ["sqs:SendMessage*"],
            "Resource": {
                "Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}"
            },
        }
    ],
    "DynamoDBStreamReadPolicy": [
        {
            "Effect": "Allow",
            "Action": [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
            ],
            "Resource": {
                "Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:"
                "table/${TableName}/stream/${StreamName}"
            },
        },
        {
            "Effect": "Allow",
            "Action": ["dynamodb:ListStreams"],
            "Resource": {
                "Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:"
                "table/${TableName}/stream/*"
            },
        },
    ],
}


def function_policy(resolver: Resolver, logical_id: str) -> list[dict[str, Any]]:
    """Every statement of the function's `Policies`, resolved."""
    properties = resolver.template["Resources"][logical_id]["Properties"]
    statements: list[dict[str, Any]] = []
    for policy in properties.get("Policies", []):
        if not isinstance(policy, dict):
            raise NotImplementedError(f"{logical_id}: managed policy {policy!r} is not modelled")
        if "Statement" in policy:
            statements.extend(resolver.resolve(policy["Statement"]))
            continue
        ((name, arguments),) = policy.items()
        if name not in _SAM_POLICY_TEMPLATES:
            raise NotImplementedError(f"SAM policy template {name}: add it to tests/iam.py")
        values = {argument: resolver.resolve(value) for argument, value in arguments.items()}
        scoped = Resolver(resolver.template, {**resolver.refs, **values}, resolver.attributes)
        statements.extend(scoped.resolve(_SAM_POLICY_TEMPLATES[name]))
    return statements


# --- Evaluation ---------------------------------------------------------------------------------


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _wildcard(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    if not case_sensitive:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern)


def _condition_holds(operator: str, key: str, expected: list[str], request: IamRequest) -> bool:
    qualifier, _, test = operator.rpartition(":")
    if test.endswith("IfExists"):
        raise NotImplementedError(f"{operator}: teach tests/iam.py ...IfExists")
    matchers = {
        "StringEquals": lambda p, v: p == v,
        "StringNotEquals": lambda p, v: p != v,
        "StringLike": lambda p, v: _wildcard(p, v, case_sensitive=True),
        "StringNotLike": lambda p, v: not _wildcard(p, v, case_sensitive=True),
        "Bool": lambda p, v: p.lower() == v.lower(),
    }
    if test not in matchers:
        raise NotImplementedError(f"condition operator {operator}: teach tests/iam.py")
    negated = test in {"StringNotEquals", "StringNotLike"}
    match = matchers[test]
    values = request.condition_values(key)

    def one(value: str) -> bool:
        # A negated operator holds when the value matches none of the patterns.
        results = [match(pattern, value) for pattern in expected]
        return all(results) if negated else any(results)

    if qualifier == "ForAnyValue":
        return bool(values) and any(one(value) for value in values)
    if qualifier == "ForAllValues":
        return values is None or all(one(value) for value in values)
    if qualifier:
        raise NotImplementedError(f"condition qualifier {qualifier}")
    if values is None:
        return negated  # a missing key fails StringLike and passes StringNotLike, as in IAM
    if len(values) != 1:
        raise NotImplementedError(f"{key} has several values: use ForAnyValue or ForAllValues")
    return one(values[0])


def _statement_applies(statement: dict[str, Any], request: IamRequest) -> bool:
    if "NotAction" in statement or "NotResource" in statement:
        raise NotImplementedError("NotAction / NotResource: teach tests/iam.py")
    if not any(
        _wildcard(action, request.action, case_sensitive=False)
        for action in _as_list(statement["Action"])
    ):
        return False
    if not any(
        _wildcard(resource, request.resource, case_sensitive=True)
        for resource in _as_list(statement["Resource"])
    ):
        return False
    for operator, keys in statement.get("Condition", {}).items():
        for key, expected in keys.items():
            if not _condition_holds(operator, key, _as_list(expected), request):
                return False
    return True


def is_allowed(statements: list[dict[str, Any]], request: IamRequest) -> bool:
    applicable = [s for s in statements if _statement_applies(s, request)]
    if any(s["Effect"] == "Deny" for s in applicable):
        return False
    return any(s["Effect"] == "Allow" for s in applicable)
