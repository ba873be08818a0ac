"""Read roles and their effective DynamoDB access back out of synthesized templates.

Nothing here looks at the catalog: it parses what CloudFormation would deploy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

ARN_RE = re.compile(
    r"^arn:\$\{AWS::Partition\}:dynamodb:\$\{AWS::Region\}:\$\{AWS::AccountId\}:table/"
    r"(?P<table>[A-Za-z0-9_.-]+?)(?:/index/(?P<index>[A-Za-z0-9_.-]+))?$"
)
POLICY_TYPES = ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy")


def roles(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Role name -> {"trust": document, "statements": [...]} for every role in the template."""
    resources = template.get("Resources", {})
    by_logical_id: dict[str, dict[str, Any]] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::IAM::Role":
            props = resource["Properties"]
            # Everything a role can do must come from the policies below.
            assert not props.get("Policies"), f"{logical_id} has inline policies"
            assert not props.get("ManagedPolicyArns"), f"{logical_id} attaches other managed policies"
            by_logical_id[logical_id] = {
                "name": props["RoleName"],
                "trust": props["AssumeRolePolicyDocument"],
                "statements": [],
                "policies": 0,
            }
    for resource in resources.values():
        if resource["Type"] in POLICY_TYPES:
            for ref in resource["Properties"].get("Roles", []):
                role = by_logical_id[ref["Ref"]]
                role["statements"].extend(resource["Properties"]["PolicyDocument"]["Statement"])
                role["policies"] += 1
    return {role["name"]: role for role in by_logical_id.values()}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def resource_name(resource: Any, *, system: str, stage: str) -> str:
    """``users`` or ``users/index/email-index`` for our own table ARNs; anything else verbatim."""
    if isinstance(resource, dict) and set(resource) == {"Fn::Sub"} and isinstance(resource["Fn::Sub"], str):
        match = ARN_RE.match(resource["Fn::Sub"])
        if match:
            physical = match["table"]
            prefix, suffix = f"{system}-", f"-{stage}"
            if physical.startswith(prefix) and physical.endswith(suffix):
                table = physical[len(prefix) : -len(suffix)]
                return f"{table}/index/{match['index']}" if match["index"] else table
    return repr(resource)


def grants(statements: list[dict[str, Any]], *, system: str, stage: str) -> Iterator[tuple[str, str, Any]]:
    """(action, resource, condition) for every Allow in the statements."""
    for statement in statements:
        assert statement["Effect"] == "Allow", statement
        assert "NotAction" not in statement and "NotResource" not in statement, statement
        for action in _as_list(statement["Action"]):
            for resource in _as_list(statement["Resource"]):
                yield action, resource_name(resource, system=system, stage=stage), statement.get("Condition")


def effective_dynamodb(statements: list[dict[str, Any]], *, system: str, stage: str) -> dict[str, set[str]]:
    """Resource -> DynamoDB actions (without the ``dynamodb:`` prefix), as the policy allows them."""
    out: dict[str, set[str]] = {}
    for action, resource, _ in grants(statements, system=system, stage=stage):
        if action.startswith("dynamodb:"):
            out.setdefault(resource, set()).add(action.removeprefix("dynamodb:"))
        elif not action.startswith(("kms:", "sts:")):
            # kms: and sts: grants are checked by their own tests; anything else is extra.
            out.setdefault(resource, set()).add(action)
    return out


def wildcard_problems(statements: list[dict[str, Any]]) -> list[str]:
    """Statements with a wildcard action or a ``*`` resource."""
    problems = []
    for statement in statements:
        for action in _as_list(statement.get("Action", [])):
            if "*" in action or "?" in action:
                problems.append(f"{statement.get('Sid')}: action {action}")
        for resource in _as_list(statement.get("Resource", [])):
            text = resource if isinstance(resource, str) else str(resource)
            if resource == "*" or "*" in text:
                problems.append(f"{statement.get('Sid')}: resource {text}")
    return problems
