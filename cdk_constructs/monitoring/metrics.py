"""The DynamoDB metrics tableforge reads, defined once for a table's alarms and its graphs (plain data, no jsii).

A :class:`Metric` is a metric name, a statistic and dimensions, and renders
itself three ways: the metric fields of a single-metric alarm, a query of a
metric-math alarm, and a line of a dashboard graph. :class:`TableMetrics` is the
per-table factory (like cdk-monitoring-constructs' ``DynamoTableMetricFactory``):
an alarm and the graph beside it take their metric from the same method, so
they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NAMESPACE = "AWS/DynamoDB"


@dataclass(frozen=True)
class Metric:
    """One ``AWS/DynamoDB`` metric with its statistic; the period is the alarm's or the dashboard's."""

    name: str
    stat: str
    #: (dimension name, value) pairs, in CloudWatch's order: ``TableName`` first.
    dimensions: tuple[tuple[str, str], ...]

    def alarm_fields(self) -> dict[str, Any]:
        """Namespace, MetricName, Dimensions and Statistic of a single-metric ``AWS::CloudWatch::Alarm``."""
        return {"Namespace": NAMESPACE, "MetricName": self.name, "Dimensions": self._dims(), "Statistic": self.stat}

    def query(self, query_id: str, period: int) -> dict[str, Any]:
        """A metric-math alarm's query; not returned (the alarm's expression is)."""
        return {
            "Id": query_id,
            "ReturnData": False,
            "MetricStat": {
                "Metric": {"Namespace": NAMESPACE, "MetricName": self.name, "Dimensions": self._dims()},
                "Period": period,
                "Stat": self.stat,
            },
        }

    def graph_line(self, **options: Any) -> list[Any]:
        """A dashboard graph's metric: ``[namespace, name, dimension, value, ..., {"stat": ..., **options}]``."""
        return [
            NAMESPACE,
            self.name,
            *(part for pair in self.dimensions for part in pair),
            {"stat": self.stat, **options},
        ]

    def _dims(self) -> list[dict[str, str]]:
        return [{"Name": name, "Value": value} for name, value in self.dimensions]


@dataclass(frozen=True)
class TableMetrics:
    """The metrics of one table by its physical name; ``index`` (a GSI name) where CloudWatch has that dimension.

    ``unit`` is ``Read`` or ``Write``. SystemErrors and SuccessfulRequestLatency
    have no GSI dimension, only ``Operation``.
    """

    physical: str

    def throttle_events(self, unit: str, index: str | None = None) -> Metric:
        return Metric(f"{unit}ThrottleEvents", "Sum", self._on(index))

    def consumed_capacity(self, unit: str, index: str | None = None) -> Metric:
        return Metric(f"Consumed{unit}CapacityUnits", "Sum", self._on(index))

    def provisioned_capacity(self, unit: str, index: str | None = None) -> Metric:
        return Metric(f"Provisioned{unit}CapacityUnits", "Average", self._on(index))

    def system_errors(self, operation: str) -> Metric:
        return Metric("SystemErrors", "Sum", (("TableName", self.physical), ("Operation", operation)))

    def latency(self, operation: str, statistic: str) -> Metric:
        return Metric("SuccessfulRequestLatency", statistic, (("TableName", self.physical), ("Operation", operation)))

    def replication_latency(self, region: str) -> Metric:
        return Metric("ReplicationLatency", "Average", (("TableName", self.physical), ("ReceivingRegion", region)))

    def _on(self, index: str | None) -> tuple[tuple[str, str], ...]:
        table = ("TableName", self.physical)
        return (table, ("GlobalSecondaryIndexName", index)) if index else (table,)
