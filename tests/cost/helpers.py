"""Small template builders for the hand-computed cost cases (no synth needed)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from cost.estimate import estimate_stacks
from cost.prices import load_price_book
from cost.usage import parse_usage
from tableforge.assembly import StackTemplate

CENT = Decimal("0.01")


def cents(value: Decimal | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def stack(resources: dict[str, Any], name: str = "Test/Data", stage: str | None = "Test") -> StackTemplate:
    # No manifest next to this path: the stack has no concrete region, so us-east-1 is used.
    return StackTemplate(
        display_name=name,
        stack_name=name,
        artifact_id=name,
        stage=stage,
        template_path=Path("/nonexistent") / f"{name.replace('/', '')}.template.json",
        template={"Resources": resources},
    )


def tags(system: str, table: str, stage: str = "test") -> list[dict[str, str]]:
    return [{"Key": "stage", "Value": stage}, {"Key": "system", "Value": system}, {"Key": "table", "Value": table}]


def gsi(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [{"AttributeName": name + "_pk", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
        **extra,
    }


def global_table(
    system: str,
    table: str,
    *,
    billing: str = "PAY_PER_REQUEST",
    gsis: list[dict[str, Any]] | None = None,
    replicas: list[dict[str, Any]] | None = None,
    pitr: bool = True,
    table_class: str = "STANDARD",
    **props: Any,
) -> dict[str, Any]:
    """A GlobalTable as TableV2 emits it; tags sit on the first replica."""
    if replicas is None:
        replicas = [{"Region": "us-east-1"}]
    replicas = [
        {
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": pitr},
            "TableClass": table_class,
            **r,
        }
        for r in replicas
    ]
    replicas[0]["Tags"] = tags(system, table)
    return {
        "Type": "AWS::DynamoDB::GlobalTable",
        "Properties": {
            "BillingMode": billing,
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": gsis or [],
            "Replicas": replicas,
            "TableName": f"{system}-{table}-test",
            **props,
        },
    }


def classic_table(system: str, table: str, *, pitr: bool = False, **props: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "TableName": f"{system}-{table}-test",
        "Tags": tags(system, table),
        **props,
    }
    if pitr:
        properties["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": True}
    return {"Type": "AWS::DynamoDB::Table", "Properties": properties}


def run(
    resources: dict[str, Any], usage: dict[str, Any] | None = None, *, book: Any = None, **kwargs: Any
) -> dict[str, Any]:
    files = [parse_usage({"version": 1, "resource_usage": usage}, path="test-usage.yaml")] if usage else []
    return estimate_stacks([stack(resources)], book=book or load_price_book(), usage_files=files, **kwargs)


def table_entry(result: dict[str, Any], table: str) -> dict[str, Any]:
    matches = [t for t in result["tables"] if t["table"] == table]
    assert len(matches) == 1, [t["table"] for t in result["tables"]]
    return matches[0]


def component(entry: dict[str, Any], name: str) -> dict[str, Any]:
    matches = [c for c in entry["components"] if c["name"] == name]
    assert len(matches) == 1, [c["name"] for c in entry["components"]]
    return matches[0]
