"""The IAM documents of the access matrix, in plain Python (no aws-cdk import).

:class:`cdk_constructs.access.ConsumerRole` hands these to CloudFormation L1
resources in one call each, so a role costs a handful of jsii round trips
however many tables it uses; the access report renders the same statements.

Table ARNs are ``Fn::Sub`` strings built from the physical table name
(``<system>-<table>-<stage>``), so the access stack does not import anything
from the data stacks. The only cross-stack reference is a customer-managed
KMS key's ARN, where a stage uses one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from tableforge.catalog import (
    MUTATING_ACTIONS,
    ConsumerSpec,
    Grant,
    TableSpec,
    leading_key_template,
)
from tableforge.naming import SUB_PSEUDO, table_name
from tableforge.naming import table_arn as _table_arn

POLICY_VERSION = "2012-10-17"
#: The ARN of a table in the stack's own account, region and partition.
TABLE_ARN = _table_arn("", **SUB_PSEUDO)
#: IAM quota: a customer managed policy document is at most 6,144 characters
#: (whitespace not counted). We count the unresolved Fn::Sub form, which is
#: longer than the deployed ARN (the pseudo parameters are longer than any
#: account ID, and the partition placeholder longer than any partition name).
MAX_POLICY_CHARS = 6144
#: IAM quota: managed policies attached to one role (default 10, raisable to 20).
MAX_POLICIES_PER_ROLE = 10
#: A token (a KMS key ARN from another stack) is counted as this many characters;
#: the longest KMS key ARN (aws-us-gov partition, 14-character region) is ~90.
TOKEN_CHARS = 128

Statement = dict[str, Any]

_SERVICE_PRINCIPALS = {"lambda": "lambda.amazonaws.com", "ecs_task": "ecs-tasks.amazonaws.com"}


class PolicyTooLargeError(ValueError):
    """The matrix gives one consumer more than its role's policies can hold."""


def table_arn(physical_name: str) -> dict[str, str]:
    return {"Fn::Sub": TABLE_ARN + physical_name}


def index_arn(physical_name: str, index: str) -> dict[str, str]:
    return {"Fn::Sub": f"{TABLE_ARN}{physical_name}/index/{index}"}


def leading_keys_condition(spec: TableSpec, principal_tag: str) -> dict[str, Any]:
    """``dynamodb:LeadingKeys`` limited to the tenant's own partition key value.

    ``USER#{userId}`` becomes ``USER#${aws:PrincipalTag/user_id}``. When the
    request carries no such tag the variable does not resolve and the request
    is denied, so an untagged session can read nothing.
    """
    template = leading_key_template(spec)
    if template is None:  # rejected when the catalog is loaded
        raise ValueError(f"partition key pattern {spec.partition_key.pattern!r} has no single placeholder")
    value = template.format("${aws:PrincipalTag/" + principal_tag + "}")
    return {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [value]}}


def policy_statements(
    *,
    system: str,
    consumer: ConsumerSpec,
    tables: Mapping[str, TableSpec],
    stage: str,
    key_arns: Mapping[str, Any] | None = None,
) -> list[Statement]:
    """The consumer's statements: exact actions on exact table and index ARNs.

    Grants with the same actions and condition share one statement. ``key_arns``
    maps a table to its customer-managed KMS key, when it has one.
    """
    groups: dict[tuple[tuple[str, ...], str], list[Any]] = {}
    conditions: dict[str, Any] = {}

    def add(actions: Sequence[str], condition: dict[str, Any] | None, resource: Any) -> None:
        condition_key = json.dumps(condition, sort_keys=True) if condition else ""
        conditions[condition_key] = condition
        groups.setdefault((tuple(actions), condition_key), []).append(resource)

    kms: dict[tuple[str, ...], list[Any]] = {}
    for grant in consumer.access:
        spec = tables[grant.table]
        physical = table_name(system, grant.table, stage)
        condition = None
        if grant.tenant_scoped:
            assert consumer.tenant is not None  # checked when the catalog is loaded
            condition = leading_keys_condition(spec, consumer.tenant.principal_tag)
        add(grant.item_actions(), condition, table_arn(physical))
        for index in grant.indexes:
            add(grant.index_actions(), None, index_arn(physical, index))
        key = (key_arns or {}).get(grant.table)
        if key is not None:
            _add_key(kms, grant, key)

    statements: list[Statement] = []
    for number, ((actions, condition_key), resources) in enumerate(groups.items(), start=1):
        statement: Statement = {
            "Sid": f"DynamoDB{number}",
            "Effect": "Allow",
            "Action": [f"dynamodb:{a}" for a in actions],
            "Resource": _unique(resources),
        }
        if conditions[condition_key]:
            statement["Condition"] = conditions[condition_key]
        statements.append(statement)
    for number, (actions, keys) in enumerate(kms.items(), start=1):
        statements.append(
            {"Sid": f"TableKey{number}", "Effect": "Allow", "Action": list(actions), "Resource": _unique(keys)}
        )
    return statements


def _add_key(kms: dict[tuple[str, ...], list[Any]], grant: Grant, key: Any) -> None:
    # DynamoDB decrypts the table key for every request; writes also need a data key.
    writes = bool(set(grant.item_actions()) & MUTATING_ACTIONS)
    actions = ("kms:Decrypt", "kms:GenerateDataKey") if writes else ("kms:Decrypt",)
    kms.setdefault(actions, []).append(key)


def _unique(items: list[Any]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for item in items:
        marker = json.dumps(item, sort_keys=True)
        if marker not in seen:
            seen.add(marker)
            out.append(item)
    return out


def policy_chars(document: Mapping[str, Any]) -> int:
    """Characters IAM counts for ``document`` (or a statement): no whitespace, tokens at their upper bound."""
    total = len(json.dumps(document, separators=(",", ":")))
    text = json.dumps(document)
    # A token string like "${Token[TOKEN.123]}" stands for an ARN of up to TOKEN_CHARS.
    tokens = text.count("${Token[")
    return total + tokens * TOKEN_CHARS


def _document(statements: list[Statement]) -> dict[str, Any]:
    return {"Version": POLICY_VERSION, "Statement": statements}


def split_documents(statements: list[Statement], *, max_chars: int = MAX_POLICY_CHARS) -> list[dict[str, Any]]:
    """Pack statements into as few documents of at most ``max_chars`` as a first fit allows.

    A statement too large on its own is cut into statements over fewer resources.
    Sizes add up exactly: a document is its empty shell plus its statements and
    the commas between them.
    """
    shell = policy_chars(_document([]))
    pieces: list[Statement] = []
    for statement in statements:
        pieces.extend(_fit(statement, max_chars))
    documents: list[tuple[list[Statement], int]] = []
    for piece in pieces:
        size = policy_chars(piece)
        for number, (doc, used) in enumerate(documents):
            if used + 1 + size <= max_chars:
                doc.append(piece)
                documents[number] = (doc, used + 1 + size)
                break
        else:
            documents.append(([piece], shell + size))
    return [_document(doc) for doc, _ in documents]


def _fit(statement: Statement, max_chars: int) -> list[Statement]:
    if policy_chars(_document([statement])) <= max_chars:
        return [statement]
    resources = statement["Resource"]
    if len(resources) < 2:
        raise PolicyTooLargeError(f"statement {statement.get('Sid')} alone exceeds {max_chars} characters")
    half = len(resources) // 2
    first = {**statement, "Sid": f"{statement['Sid']}a", "Resource": resources[:half]}
    second = {**statement, "Sid": f"{statement['Sid']}b", "Resource": resources[half:]}
    return _fit(first, max_chars) + _fit(second, max_chars)


ACCOUNT_ROOT = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}


def role_arn(role_name: str) -> dict[str, str]:
    """The ARN of a role by its fixed name: no reference to the role resource, so no cycle."""
    return {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/" + role_name}


def trust_policy(consumer: ConsumerSpec, *, role_name: str) -> dict[str, Any]:
    """Who may assume the role.

    * Lambda or ECS task: the service principal (ECS with the account as source,
      against confused deputies).
    * People (``account``): principals of this account, with MFA.
    * Tenant-scoped consumers, in addition: the role itself, re-assumed per
      request with the tenant's session tag (``sts:TagSession``, tag required).
      The service's own, untagged session cannot satisfy any LeadingKeys
      condition, so it reaches only the consumer's non-tenant grants.
    """
    if consumer.principal == "account":
        statement: Statement = {
            "Effect": "Allow",
            "Principal": {"AWS": ACCOUNT_ROOT},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    else:
        statement = {
            "Effect": "Allow",
            "Principal": {"Service": _SERVICE_PRINCIPALS[consumer.principal]},
            "Action": "sts:AssumeRole",
        }
        if consumer.principal == "ecs_task":
            statement["Condition"] = {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    statements = [statement]
    if consumer.tenant is not None:
        tag = consumer.tenant.principal_tag
        statements.append(
            {
                "Sid": "TenantSession",
                "Effect": "Allow",
                "Principal": {"AWS": ACCOUNT_ROOT},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {
                    "ArnEquals": {"aws:PrincipalArn": role_arn(role_name)},
                    "Null": {f"aws:RequestTag/{tag}": "false"},
                },
            }
        )
    return _document(statements)


def tenant_session_statement(consumer: ConsumerSpec, *, role_name: str) -> Statement | None:
    """A tenant-scoped role may re-assume itself, setting only the tenant tag."""
    if consumer.tenant is None:
        return None
    return {
        "Sid": "TenantSession",
        "Effect": "Allow",
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Resource": [role_arn(role_name)],
        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": [consumer.tenant.principal_tag]}},
    }
