"""The dashboard of one system and stage (one per ops stack)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_cdk import Fn
from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from cdk_constructs.monitoring.rules import NAMESPACE
from cdk_constructs.monitoring.topic import topic_name
from tableforge.catalog import TableSpec, physical_table_name
from tableforge.stages import MonitoringConfig, StageConfig


class OpsDashboard(Construct):
    """A dashboard of throttles, latency, consumed capacity and errors, four graphs per table."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        system: str,
        tables: Mapping[str, TableSpec],
        stage: StageConfig,
        dashboard_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        # Substituted by CloudFormation: one Fn::Sub instead of a Fn::Join split at
        # every widget when the app's region is not fixed at synth time.
        region = "${AWS::Region}"
        m = stage.monitoring
        widgets: list[dict[str, Any]] = [
            {
                "type": "text",
                "x": 0,
                "y": 0,
                "width": 24,
                "height": 2,
                "properties": {
                    "markdown": f"# {system} ({stage.name})\nPer table: throttle events, latency "
                    f"({m.latency_statistic}), consumed capacity and system errors. "
                    f"Alarms are named {system}-{stage.name}-*; they notify {topic_name(system, stage.name)}."
                },
            }
        ]
        caps = {"read": stage.on_demand_max_read_request_units, "write": stage.on_demand_max_write_request_units}
        for row, (table, spec) in enumerate(tables.items()):
            physical = physical_table_name(system, table, stage.name)
            for column, (title, metrics, extra) in enumerate(_table_widgets(physical, spec, m, caps)):
                widgets.append(
                    {
                        "type": "metric",
                        "x": column * 6,
                        "y": 2 + row * 6,
                        "width": 6,
                        "height": 6,
                        "properties": {
                            "title": f"{table}: {title}",
                            "region": region,
                            "view": "timeSeries",
                            "period": 300,
                            "metrics": metrics,
                            **extra,
                        },
                    }
                )
        cw.CfnDashboard(
            self,
            "Dashboard",
            dashboard_name=dashboard_name,
            dashboard_body=Fn.sub(json.dumps({"widgets": widgets}, separators=(",", ":"))),
        )


def _table_widgets(
    physical: str, spec: TableSpec, m: MonitoringConfig, caps: Mapping[str, int | None]
) -> list[tuple[str, list[list[Any]], dict[str, Any]]]:
    """(title, metrics, extra properties) of the four graphs of one table."""
    t = ["TableName", physical]
    throttles: list[list[Any]] = [
        [NAMESPACE, "ReadThrottleEvents", *t, {"stat": "Sum", "label": "read"}],
        [NAMESPACE, "WriteThrottleEvents", *t, {"stat": "Sum", "label": "write"}],
    ]
    for gsi in spec.gsis:
        for kind in ("Read", "Write"):
            throttles.append(
                [
                    NAMESPACE,
                    f"{kind}ThrottleEvents",
                    *t,
                    "GlobalSecondaryIndexName",
                    gsi.name,
                    {"stat": "Sum", "label": f"{gsi.name} {kind.lower()}"},
                ]
            )
    latency = [
        [NAMESPACE, "SuccessfulRequestLatency", *t, "Operation", op, {"stat": m.latency_statistic, "label": op}]
        for op in m.latency_operations
    ]
    consumed: list[list[Any]] = [
        [{"expression": "cr / PERIOD(cr)", "label": "read units/s", "id": "r"}],
        [{"expression": "cw / PERIOD(cw)", "label": "write units/s", "id": "w"}],
        [NAMESPACE, "ConsumedReadCapacityUnits", *t, {"stat": "Sum", "id": "cr", "visible": False}],
        [NAMESPACE, "ConsumedWriteCapacityUnits", *t, {"stat": "Sum", "id": "cw", "visible": False}],
    ]
    consumed_extra: dict[str, Any] = {}
    if spec.provisioned:
        consumed += [
            [NAMESPACE, "ProvisionedReadCapacityUnits", *t, {"stat": "Average", "label": "provisioned read"}],
            [NAMESPACE, "ProvisionedWriteCapacityUnits", *t, {"stat": "Average", "label": "provisioned write"}],
        ]
    else:
        lines = [{"label": f"max {kind} units/s", "value": cap} for kind, cap in caps.items() if cap]
        if lines:
            consumed_extra = {"annotations": {"horizontal": lines}}
    errors = [
        [NAMESPACE, "SystemErrors", *t, "Operation", op, {"stat": "Sum", "label": op}]
        for op in m.system_error_operations
    ]
    return [
        ("throttle events", throttles, {"stacked": False}),
        (f"latency {m.latency_statistic} (ms)", latency, {}),
        ("consumed capacity", consumed, consumed_extra),
        ("system errors", errors, {"stacked": True}),
    ]
