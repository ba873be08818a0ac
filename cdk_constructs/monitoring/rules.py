"""The alarm rules: which alarms a table gets, as plain data (no jsii).

Each rule takes its metrics from the table's :class:`TableMetrics`, the same
definitions the table's dashboard graphs use (``segment``).

What a table can get, as the stage's ``MonitoringProfile`` selects (README
"Operations" has which stage watches what):

===========================  ============================================  ============
alarm                        metric                                        missing data
===========================  ============================================  ============
read-throttle (+ each GSI)   ReadThrottleEvents Sum                        notBreaching
write-throttle (+ each GSI)  WriteThrottleEvents Sum                       notBreaching
system-errors                SUM(FILL(METRICS(), 0)) of SystemErrors, one  notBreaching
                             metric per granted operation (at most 10)
latency                      MAX(METRICS()) of SuccessfulRequestLatency    notBreaching
                             pNN, one metric per granted main operation
read/write-utilization       100 * consumed per second / provisioned       missing
                             (provisioned only; table and each GSI)
read/write-cap               Consumed*CapacityUnits Sum per minute vs a    notBreaching
                             share of the max (on-demand with a max only)
replication-latency-<region> ReplicationLatency Average (replicas only)    notBreaching
===========================  ============================================  ============

SystemErrors and SuccessfulRequestLatency exist only per table and operation
(CloudWatch has no GSI dimension for them; a query on an index is the table's
``Query``), so those two alarms are per table; throttles and utilization are
also per GSI.

Missing data: DynamoDB publishes throttle events, SystemErrors, latency and
replication latency only when something happens, so no data means "nothing
happened" (notBreaching). Consumed capacity is published even for an idle
provisioned table, so a utilization alarm without data means the table stopped
reporting; it goes to INSUFFICIENT_DATA ("missing") instead of claiming health.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cdk_constructs.monitoring.metrics import Metric, TableMetrics
from tableforge.catalog import TableSpec
from tableforge.stages import MonitoringConfig, StageConfig

#: The two capacity sides, as CloudWatch spells them in metric names.
UNITS = ("Read", "Write")


@dataclass(frozen=True)
class AlarmDef:
    """One metric alarm, before it becomes an ``AWS::CloudWatch::Alarm`` resource."""

    #: Construct ID under the table's scope, e.g. ``ReadThrottle`` or ``EmailIndexReadThrottle``.
    construct_id: str
    #: The alarm's name suffix after :func:`alarm_name_prefix`.
    name: str
    description: str
    #: AWS::CloudWatch::Alarm properties: the metric(s), threshold, periods, missing data.
    props: Mapping[str, Any]
    #: Metrics the alarm reads (CloudWatch bills per alarm metric).
    metric_count: int


def pascal(name: str) -> str:
    """``email-index`` / ``email_index`` / ``email.index`` -> ``EmailIndex``."""
    parts = name.replace("_", "-").replace(".", "-").split("-")
    return "".join(part[:1].upper() + part[1:] for part in parts if part)


def on_demand_caps(stage: StageConfig) -> tuple[tuple[str, int | None], ...]:
    """(unit, the stage's on-demand max request units per second or None), read then write."""
    return (("Read", stage.on_demand_max_read_request_units), ("Write", stage.on_demand_max_write_request_units))


# --- alarm properties (plain data, no jsii) ------------------------------------------------


def _expression(expression: str, label: str) -> dict[str, Any]:
    return {"Id": "e1", "Expression": expression, "Label": label, "ReturnData": True}


def _single(metric: Metric, period: int, periods: int, threshold: float, missing: str) -> dict[str, Any]:
    return {
        **metric.alarm_fields(),
        "Period": period,
        "EvaluationPeriods": periods,
        "DatapointsToAlarm": periods,
        "Threshold": threshold,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": missing,
    }


def _math(queries: list[dict[str, Any]], periods: int, threshold: float, missing: str) -> dict[str, Any]:
    return {
        "Metrics": queries,
        "EvaluationPeriods": periods,
        "DatapointsToAlarm": periods,
        "Threshold": threshold,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": missing,
    }


def _where(physical: str, index: str | None) -> str:
    return f"index {index} of {physical}" if index else physical


def _index_id(index: str | None) -> str:
    """Construct ID prefix of an alarm on a GSI: ``EmailIndex`` (nothing for the table itself)."""
    return pascal(index) if index else ""


def _index_name(index: str | None) -> str:
    """Alarm name infix of an alarm on a GSI: ``gsi-email-index-`` (nothing for the table itself)."""
    return f"gsi-{index}-" if index else ""


# --- the alarm rules -------------------------------------------------------------------


def watched_operations(wanted: Sequence[str], granted: Collection[str]) -> list[str]:
    """The stage's ``wanted`` operations that some consumer is granted, in the stage's order."""
    return [op for op in wanted if op in granted]


def table_alarms(
    *, table: str, spec: TableSpec, metrics: TableMetrics, stage: StageConfig, operations: Collection[str]
) -> list[AlarmDef]:
    """Every alarm one table calls for, by billing mode and the stage's profile (see the module docstring).

    ``operations`` are the DynamoDB operations the access matrix grants on the table
    (:func:`tableforge.resolve.granted_operations`): SystemErrors and latency alarms
    cover those only, and a table nobody is granted gets neither.
    """
    m = stage.monitoring
    watch = m.profile
    indexes = [None, *(gsi.name for gsi in spec.gsis)] if watch.gsi_throttles else [None]
    alarms = [alarm for index in indexes for alarm in _throttle_alarms(table, metrics, index, m)]
    errors = watched_operations(m.system_error_operations, operations) if watch.system_errors else []
    if errors:
        alarms.append(_system_errors_alarm(table, metrics, errors, m))
    latency = watched_operations(m.latency_operations, operations) if watch.latency else []
    if latency:
        alarms.append(_latency_alarm(table, metrics, latency, m))
    if spec.provisioned and watch.utilization:
        scopes = [None, *(gsi.name for gsi in spec.gsis)]
        alarms += [alarm for index in scopes for alarm in _utilization_alarms(table, metrics, index, m)]
    elif not spec.provisioned and watch.on_demand_caps:
        alarms += [_cap_alarm(table, metrics, unit, cap, m) for unit, cap in on_demand_caps(stage) if cap]
    if watch.replication_latency:
        alarms += [_replication_alarm(table, metrics, region, m) for region in stage.replica_regions]
    return alarms


def _throttle_alarms(table: str, metrics: TableMetrics, index: str | None, m: MonitoringConfig) -> list[AlarmDef]:
    out = []
    for unit in UNITS:
        metric = metrics.throttle_events(unit, index)
        out.append(
            AlarmDef(
                construct_id=f"{_index_id(index)}{unit}Throttle",
                name=f"{table}-{_index_name(index)}{unit.lower()}-throttle",
                description=f"{metric.name} on {_where(metrics.physical, index)} above {m.throttle_threshold:g} "
                f"per {m.throttle_period_seconds} s (no data = no throttling)",
                props=_single(
                    metric,
                    m.throttle_period_seconds,
                    m.throttle_evaluation_periods,
                    m.throttle_threshold,
                    "notBreaching",
                ),
                metric_count=1,
            )
        )
    return out


def _system_errors_alarm(table: str, metrics: TableMetrics, operations: list[str], m: MonitoringConfig) -> AlarmDef:
    # SystemErrors has only TableName+Operation dimensions: sum the operations. One
    # metric per operation keeps the alarm within CloudWatch's 10-metric limit.
    queries = [metrics.system_errors(op).query(f"m{i}", 300) for i, op in enumerate(operations, start=1)]
    expression = _expression("SUM(FILL(METRICS(), 0))", f"SystemErrors, {len(queries)} operations")
    return AlarmDef(
        construct_id="SystemErrors",
        name=f"{table}-system-errors",
        description=f"HTTP 500s on {metrics.physical} in {m.system_errors_evaluation_periods} consecutive 5-minute "
        f"periods ({', '.join(operations)})",
        props=_math(
            [expression, *queries], m.system_errors_evaluation_periods, m.system_errors_threshold, "notBreaching"
        ),
        metric_count=len(queries),
    )


def _latency_alarm(table: str, metrics: TableMetrics, operations: list[str], m: MonitoringConfig) -> AlarmDef:
    queries = [metrics.latency(op, m.latency_statistic).query(f"m{i}", 300) for i, op in enumerate(operations, start=1)]
    listed = ", ".join(operations)
    expression = _expression("MAX(METRICS())", f"slowest {m.latency_statistic} of {listed}")
    return AlarmDef(
        construct_id="Latency",
        name=f"{table}-latency",
        description=f"SuccessfulRequestLatency {m.latency_statistic} of {listed} on {metrics.physical} "
        f"above {m.latency_threshold_ms:g} ms for {m.latency_evaluation_periods} x 5 minutes",
        props=_math([expression, *queries], m.latency_evaluation_periods, m.latency_threshold_ms, "notBreaching"),
        metric_count=len(queries),
    )


def _utilization_alarms(table: str, metrics: TableMetrics, index: str | None, m: MonitoringConfig) -> list[AlarmDef]:
    out = []
    for unit in UNITS:
        kind = unit.lower()
        queries = [
            metrics.consumed_capacity(unit, index).query("consumed", 300),
            metrics.provisioned_capacity(unit, index).query("provisioned", 300),
        ]
        # Consumed is a per-period Sum; per second it compares with provisioned units.
        expression = _expression("100 * (FILL(consumed, 0) / PERIOD(consumed)) / provisioned", f"{kind} utilization %")
        out.append(
            AlarmDef(
                construct_id=f"{_index_id(index)}{unit}Utilization",
                name=f"{table}-{_index_name(index)}{kind}-utilization",
                description=f"Consumed/provisioned {kind} capacity of {_where(metrics.physical, index)} above "
                f"{m.utilization_threshold_percent:g}% for {m.utilization_evaluation_periods} x 5 minutes",
                props=_math(
                    [expression, *queries], m.utilization_evaluation_periods, m.utilization_threshold_percent, "missing"
                ),
                metric_count=2,
            )
        )
    return out


def _cap_alarm(table: str, metrics: TableMetrics, unit: str, cap: int, m: MonitoringConfig) -> AlarmDef:
    # Sum per minute vs the cap (request units per second) times 60 seconds.
    threshold = cap * 60 * m.on_demand_cap_share_percent / 100
    kind = unit.lower()
    return AlarmDef(
        construct_id=f"{unit}Cap",
        name=f"{table}-{kind}-cap",
        description=f"Consumed {kind} request units of {metrics.physical} above {m.on_demand_cap_share_percent:g}% "
        f"of the on-demand max ({cap}/s) for {m.on_demand_cap_evaluation_periods} minutes; DynamoDB throttles at 100%",
        props=_single(
            metrics.consumed_capacity(unit), 60, m.on_demand_cap_evaluation_periods, threshold, "notBreaching"
        ),
        metric_count=1,
    )


def _replication_alarm(table: str, metrics: TableMetrics, region: str, m: MonitoringConfig) -> AlarmDef:
    return AlarmDef(
        construct_id=f"ReplicationLatency{pascal(region)}",
        name=f"{table}-replication-latency-{region}",
        description=f"Average ReplicationLatency of {metrics.physical} to {region} above "
        f"{m.replication_latency_threshold_ms:g} ms for {m.replication_latency_evaluation_periods} x 5 minutes",
        props=_single(
            metrics.replication_latency(region),
            300,
            m.replication_latency_evaluation_periods,
            m.replication_latency_threshold_ms,
            "notBreaching",
        ),
        metric_count=1,
    )
