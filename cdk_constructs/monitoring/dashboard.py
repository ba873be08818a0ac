"""The dashboard of one system and stage (one per ops stack)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aws_cdk import Fn
from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from cdk_constructs.monitoring.segment import Graph, TableSegment
from tableforge.naming import alarm_prefix, topic_name
from tableforge.stages import StageConfig


class OpsDashboard(Construct):
    """A dashboard of throttles, latency, consumed capacity and errors: a row per table, up to four graphs.

    Built only where the stage's monitoring profile has ``dashboard`` (prod by default:
    $3.00 a month each). Latency and errors show the operations the table's consumers are
    granted; a graph with nothing to show is left out (see ``TableSegment.graphs``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        system: str,
        segments: Sequence[TableSegment],
        stage: StageConfig,
        dashboard_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        widgets = [_header(system, stage)]
        for row, segment in enumerate(segments):
            for column, graph in enumerate(segment.graphs()):
                widgets.append(_graph_widget(segment.table, graph, row, column))
        cw.CfnDashboard(
            self,
            "Dashboard",
            dashboard_name=dashboard_name,
            dashboard_body=Fn.sub(json.dumps({"widgets": widgets}, separators=(",", ":"))),
        )


def _header(system: str, stage: StageConfig) -> dict[str, Any]:
    m = stage.monitoring
    return {
        "type": "text",
        "x": 0,
        "y": 0,
        "width": 24,
        "height": 2,
        "properties": {
            "markdown": f"# {system} ({stage.name})\nPer table: throttle events, latency "
            f"({m.latency_statistic}), consumed capacity and system errors. "
            f"Alarms are named {alarm_prefix(system, stage.name)}*; they notify {topic_name(system, stage.name)}."
        },
    }


def _graph_widget(table: str, graph: Graph, row: int, column: int) -> dict[str, Any]:
    """One 6 x 6 graph: a row per table under the header, its graphs left to right."""
    # Substituted by CloudFormation: one Fn::Sub instead of a Fn::Join split at
    # every widget when the app's region is not fixed at synth time.
    region = "${AWS::Region}"
    return {
        "type": "metric",
        "x": column * 6,
        "y": 2 + row * 6,
        "width": 6,
        "height": 6,
        "properties": {
            "title": f"{table}: {graph.title}",
            "region": region,
            "view": "timeSeries",
            "period": 300,
            "metrics": graph.metrics,
            **graph.extra,
        },
    }
