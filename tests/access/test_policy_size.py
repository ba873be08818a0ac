"""A generated large matrix: policies stay within IAM's limits, split, and lose nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from cdk_constructs.access import ConsumerRole, PolicyTooLargeError, policy_statements, split_documents
from tableforge.catalog import ConsumerSpec, SystemCatalog

#: IAM's documented quotas (IAM User Guide, "IAM and AWS STS quotas").
MANAGED_POLICY_MAX_CHARS = 6144
MANAGED_POLICIES_PER_ROLE = 10
READ_WRITE = {"GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}


def _large_system(tables: int, gsis: int) -> SystemCatalog:
    """``tables`` tables with ``gsis`` indexes each, one consumer with read-write and Scan on all of it."""
    return SystemCatalog.model_validate(
        {
            "system": "bigsystem",
            "description": "generated",
            "tables": {
                f"table-number-{n:04d}": {
                    "description": "generated",
                    "source": [{"doc": "generated", "section": "generated"}],
                    "partition_key": {"name": "pk"},
                    "billing": {"mode": "on_demand"},
                    "gsis": [
                        {"name": f"index-{g:02d}", "partition_key": {"name": f"a{g}"}, "purpose": "generated"}
                        for g in range(gsis)
                    ],
                }
                for n in range(tables)
            },
            "consumers": {
                "everything": {
                    "description": "generated",
                    "source": [{"doc": "generated", "section": "generated"}],
                    "principal": "lambda",
                    "access": [
                        {
                            "table": f"table-number-{n:04d}",
                            "level": "read-write",
                            "scan": True,
                            "indexes": [f"index-{g:02d}" for g in range(gsis)],
                        }
                        for n in range(tables)
                    ],
                }
            },
        }
    )


def _pairs(documents: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {
        (action, resource["Fn::Sub"].rsplit(":table/", 1)[1])
        for document in documents
        for statement in document["Statement"]
        for action in statement["Action"]
        for resource in statement["Resource"]
    }


def test_a_large_matrix_is_split_within_iam_limits() -> None:
    tables, gsis = 60, 5
    system = _large_system(tables, gsis)
    consumer = system.consumers["everything"]
    statements = policy_statements(system="bigsystem", consumer=consumer, tables=system.tables, stage="prod")
    documents = split_documents(statements)
    assert 1 < len(documents) <= MANAGED_POLICIES_PER_ROLE
    for document in documents:
        # IAM counts characters without whitespace.
        assert len(json.dumps(document, separators=(",", ":"))) <= MANAGED_POLICY_MAX_CHARS
    expected = {
        (f"dynamodb:{action}", f"bigsystem-table-number-{n:04d}-prod")
        for n in range(tables)
        for action in READ_WRITE | {"Scan"}
    } | {
        (f"dynamodb:{action}", f"bigsystem-table-number-{n:04d}-prod/index/index-{g:02d}")
        for n in range(tables)
        for g in range(gsis)
        for action in ("Query", "Scan")
    }
    assert _pairs(documents) == expected


def test_the_role_attaches_every_split_policy() -> None:
    system = _large_system(60, 5)
    stack = Stack(App(), "Big")
    role = ConsumerRole(
        stack,
        "Everything",
        system="bigsystem",
        name="everything",
        consumer=system.consumers["everything"],
        tables=system.tables,
        stage="prod",
    )
    template = Template.from_stack(stack)
    policies = template.find_resources("AWS::IAM::ManagedPolicy")
    assert len(policies) == len(role.documents) > 1
    for policy in policies.values():
        assert policy["Properties"]["Roles"] == [{"Ref": stack.get_logical_id(role.role)}]
        assert len(json.dumps(policy["Properties"]["PolicyDocument"], separators=(",", ":"))) <= 6144
    template.resource_count_is("AWS::IAM::Policy", 0)


def test_a_matrix_too_large_for_one_role_is_refused() -> None:
    system = _large_system(300, 20)
    with pytest.raises(PolicyTooLargeError, match="needs .* policies .* a role holds 10"):
        ConsumerRole(
            Stack(App(), "Huge"),
            "Everything",
            system="bigsystem",
            name="everything",
            consumer=system.consumers["everything"],
            tables=system.tables,
            stage="prod",
        )


def test_a_single_oversized_statement_is_cut_by_resources() -> None:
    system = _large_system(80, 0)
    consumer: ConsumerSpec = system.consumers["everything"]
    [statement] = policy_statements(system="bigsystem", consumer=consumer, tables=system.tables, stage="prod")
    documents = split_documents([statement], max_chars=2000)
    assert len(documents) > 1
    assert all(len(json.dumps(d, separators=(",", ":"))) <= 2000 for d in documents)
    assert _pairs(documents) == _pairs([{"Statement": [statement]}])
