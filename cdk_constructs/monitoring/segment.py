"""One table's monitoring segment: its alarms and its dashboard graphs, from one set of metric definitions.

As in cdk-monitoring-constructs' per-resource segments, the segment holds the
table's metric factory (:class:`TableMetrics`) and both the alarm rules and the
four graphs of the table's dashboard row take their metrics from it, so a graph
shows the metric its alarm watches. Plain data, no jsii.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cdk_constructs.monitoring.metrics import TableMetrics
from cdk_constructs.monitoring.rules import UNITS, AlarmDef, on_demand_caps, table_alarms, watched_operations
from tableforge.catalog import TableSpec
from tableforge.resolve import resolve_table
from tableforge.stages import StageConfig


@dataclass(frozen=True)
class Graph:
    """One graph of a table's dashboard row."""

    #: Shown after ``<table>: ``.
    title: str
    #: CloudWatch dashboard metric lines (metrics and math expressions).
    metrics: list[list[Any]]
    #: More widget properties: stacking, annotations.
    extra: dict[str, Any]


@dataclass(frozen=True)
class TableSegment:
    """The alarms and the graphs of one table of a system and stage."""

    table: str
    spec: TableSpec
    stage: StageConfig
    metrics: TableMetrics
    #: The operations the access matrix grants on the table (errors and latency cover only these).
    operations: frozenset[str] = frozenset()

    def alarms(self) -> list[AlarmDef]:
        """Every alarm the table calls for (see :func:`~cdk_constructs.monitoring.rules.table_alarms`)."""
        return table_alarms(
            table=self.table, spec=self.spec, metrics=self.metrics, stage=self.stage, operations=self.operations
        )

    def graphs(self) -> list[Graph]:
        """Throttle events, latency, consumed capacity and system errors, left to right.

        Latency and errors show the granted operations, as the alarms do; a graph with
        nothing to show (a table nobody is granted) is left out.
        """
        m = self.stage.monitoring
        latency = [
            self.metrics.latency(op, m.latency_statistic).graph_line(label=op)
            for op in watched_operations(m.latency_operations, self.operations)
        ]
        errors = [
            self.metrics.system_errors(op).graph_line(label=op)
            for op in watched_operations(m.system_error_operations, self.operations)
        ]
        graphs = [
            Graph("throttle events", self._throttles(), {"stacked": False}),
            Graph(f"latency {m.latency_statistic} (ms)", latency, {}),
            self._capacity(),
            Graph("system errors", errors, {"stacked": True}),
        ]
        return [graph for graph in graphs if graph.metrics]

    def _throttles(self) -> list[list[Any]]:
        lines = [self.metrics.throttle_events(unit).graph_line(label=unit.lower()) for unit in UNITS]
        for gsi in self.spec.gsis:
            for unit in UNITS:
                metric = self.metrics.throttle_events(unit, gsi.name)
                lines.append(metric.graph_line(label=f"{gsi.name} {unit.lower()}"))
        return lines

    def _capacity(self) -> Graph:
        # Consumed is a per-period Sum: per second it compares with provisioned units and caps.
        lines: list[list[Any]] = [
            [{"expression": "cr / PERIOD(cr)", "label": "read units/s", "id": "r"}],
            [{"expression": "cw / PERIOD(cw)", "label": "write units/s", "id": "w"}],
            self.metrics.consumed_capacity("Read").graph_line(id="cr", visible=False),
            self.metrics.consumed_capacity("Write").graph_line(id="cw", visible=False),
        ]
        extra: dict[str, Any] = {}
        if self.spec.provisioned:
            lines += [
                self.metrics.provisioned_capacity(unit).graph_line(label=f"provisioned {unit.lower()}")
                for unit in UNITS
            ]
        else:
            caps = [
                {"label": f"max {unit.lower()} units/s", "value": cap}
                for unit, cap in on_demand_caps(self.stage)
                if cap
            ]
            if caps:
                extra = {"annotations": {"horizontal": caps}}
        return Graph("consumed capacity", lines, extra)


def table_segments(
    *,
    system: str,
    tables: Mapping[str, TableSpec],
    stage: StageConfig,
    operations: Mapping[str, frozenset[str]],
) -> list[TableSegment]:
    """One :class:`TableSegment` per table, in catalog order; ``operations`` from the access matrix."""
    return [
        TableSegment(
            table,
            spec,
            stage,
            TableMetrics(resolve_table(system, table, stage).physical_name),
            operations.get(table, frozenset()),
        )
        for table, spec in tables.items()
    ]
