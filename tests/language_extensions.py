"""Fn::ForEach (the AWS::LanguageExtensions transform) expanded as CloudFormation expands it,
so tests read template.yaml's generated resources under their real logical ids.

A loop `Fn::ForEach::Name: [Identifier, Collection, {KeyTemplate: fragment}]` in Resources,
Conditions or Outputs becomes one entry per item of the collection (a list, or a Ref to a
CommaDelimitedList parameter, taking the parameter's default unless `parameters` names it):
`${Identifier}` in a key is the item, `&{Identifier}` the item with every character that is not a
letter or digit removed; in the fragment, `{"Ref": Identifier}` is the item and `${Identifier}`
in an Fn::Sub string is the item. tests/unit/test_drift_alarm.py checks this expansion against
cfn-lint's own.
"""

from __future__ import annotations

import re
from typing import Any

LOOP = "Fn::ForEach::"
SECTIONS = ("Conditions", "Resources", "Outputs")


def expand_for_each(template: dict[str, Any], parameters: dict[str, str] | None = None) -> dict[str, Any]:
    parameters = parameters or {}
    expanded = dict(template)
    for section in SECTIONS:
        if section in template:
            expanded[section] = _expand_section(template, template[section], parameters)
    return expanded


def _expand_section(template: dict, section: dict, parameters: dict[str, str]) -> dict:
    out: dict[str, Any] = {}
    for key, value in section.items():
        if not key.startswith(LOOP):
            out[key] = value
            continue
        identifier, collection, fragments = value
        for item in _collection(template, collection, parameters):
            for key_template, fragment in fragments.items():
                name = key_template.replace("${" + identifier + "}", item).replace(
                    "&{" + identifier + "}", re.sub(r"[^A-Za-z0-9]", "", item)
                )
                if name in out:
                    raise ValueError(f"{key} makes {name} twice")
                out[name] = _substitute(fragment, identifier, item)
    return out


def _collection(template: dict, collection: Any, parameters: dict[str, str]) -> list[str]:
    if isinstance(collection, list):
        return [str(item) for item in collection]
    if isinstance(collection, dict) and set(collection) == {"Ref"}:
        spec = template["Parameters"][collection["Ref"]]
        if spec["Type"] != "CommaDelimitedList":
            raise NotImplementedError(f"Fn::ForEach over a {spec['Type']} parameter")
        raw = parameters.get(collection["Ref"], spec["Default"])
        return [item.strip() for item in str(raw).split(",")]
    raise NotImplementedError(f"Fn::ForEach collection {collection!r}: teach tests/language_extensions.py")


def _substitute(value: Any, identifier: str, item: str) -> Any:
    if isinstance(value, list):
        return [_substitute(v, identifier, item) for v in value]
    if not isinstance(value, dict):
        return value
    if value == {"Ref": identifier}:
        return item
    if set(value) == {"Fn::Sub"}:
        argument = value["Fn::Sub"]
        if isinstance(argument, str):
            return {"Fn::Sub": argument.replace("${" + identifier + "}", item)}
        text, variables = argument
        return {"Fn::Sub": [text.replace("${" + identifier + "}", item), _substitute(variables, identifier, item)]}
    return {key: _substitute(v, identifier, item) for key, v in value.items()}
