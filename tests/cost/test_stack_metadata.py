"""Which system and stage a stack's resources are priced under: the tableforge:stack metadata.

PRICING.md figures used below: CloudWatch standard alarm $0.10 (first 10 free), dashboard $3.00
(first 3 free). Every expected value is written as the arithmetic.
"""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

from cost.estimate import estimate_stacks, template_stack
from cost.prices import load_price_book
from tableforge.assembly import StackTemplate, stack_metadata
from tests.cost.helpers import global_table, tags


def _stack(name: str, construct_stage: str | None, resources: dict[str, Any], **meta: str) -> StackTemplate:
    """A stack under the stage construct ``construct_stage``; ``meta`` is its tableforge:stack metadata, if any."""
    template: dict[str, Any] = {"Resources": resources}
    if meta:
        template["Metadata"] = stack_metadata(**meta)
    return StackTemplate(
        display_name=name,
        stack_name=name.replace("/", "-"),
        artifact_id=name.replace("/", ""),
        stage=construct_stage,
        template_path=Path("/nonexistent") / f"{name.replace('/', '')}.template.json",
        template=template,
    )


def _alarms(n: int) -> dict[str, Any]:
    return {f"Alarm{i}": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Period": 300}} for i in range(n)}


def test_monitoring_stack_system_and_stage_come_from_its_metadata() -> None:
    """Neither the display name ("Blue/Monitoring") nor the construct ID ("Blue") says shop/prod; the metadata does."""
    orders = global_table("shop", "orders", pitr=False)
    orders["Properties"]["Replicas"][0]["Tags"] = tags("shop", "orders", stage="prod")
    data = _stack("Blue/Tables", "Blue", {"OrdersTable": orders}, system="shop", stage="prod", kind="data")
    ops = _stack(
        "Blue/Monitoring",
        "Blue",
        {**_alarms(11), "Dash": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {}}},
        system="shop",
        stage="prod",
        kind="ops",
    )
    result = estimate_stacks([data, ops], book=load_price_book(), usage_files=[], stage="prod")

    monitoring = 11 * D("0.10") + 1 * D("3.00")  # $4.10
    [entry] = result["monitoring"]
    assert (entry["system"], entry["stage"], entry["stacks"]) == ("shop", "prod", ["Blue/Monitoring"])
    assert D(entry["monthly_usd"]) == monitoring
    assert result["totals"] == [{"system": "shop", "stage": "prod", "monthly_usd": "4.1000"}]
    assert [(t["system"], t["stage"]) for t in result["tables"]] == [("shop", "prod")]


def test_lone_template_without_metadata_takes_system_and_stage_from_its_tables(tmp_path: Path) -> None:
    """A --template file has no tableforge:stack metadata: its tables' system and stage tags stand in."""
    path = tmp_path / "Shop.template.json"
    resources = {"OrdersTable": global_table("shop", "orders", pitr=False), **_alarms(12)}
    path.write_text(json.dumps({"Resources": resources}))
    result = estimate_stacks([template_stack(path)], book=load_price_book(), usage_files=[])

    [entry] = result["monitoring"]
    assert (entry["system"], entry["stage"]) == ("shop", "test")  # the table's tags (helpers.tags)
    assert D(entry["monthly_usd"]) == 12 * D("0.10")  # $1.20
    assert result["totals"] == [{"system": "shop", "stage": "test", "monthly_usd": "1.2000"}]


def test_stack_without_metadata_or_tagged_tables_is_priced_under_dash() -> None:
    ops = _stack("Test/Ops", "Test", _alarms(1))
    result = estimate_stacks([ops], book=load_price_book(), usage_files=[])
    [entry] = result["monitoring"]
    assert (entry["system"], entry["stage"]) == ("-", "-")
    assert D(entry["monthly_usd"]) == D("0.10")
