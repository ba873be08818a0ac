"""The alarm rules: which alarms a table gets, as plain data (no jsii).

What each table gets (README "Operations" says the same for people):

===========================  ============================================  ============
alarm                        metric                                        missing data
===========================  ============================================  ============
read-throttle (+ each GSI)   ReadThrottleEvents Sum                        notBreaching
write-throttle (+ each GSI)  WriteThrottleEvents Sum                       notBreaching
system-errors                SUM(FILL(METRICS(), 0)) of SystemErrors, one  notBreaching
                             metric per operation (at most 10)
latency                      MAX(METRICS()) of SuccessfulRequestLatency    notBreaching
                             pNN, one metric per main operation
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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tableforge.catalog import TableSpec
from tableforge.stages import MonitoringConfig, StageConfig

NAMESPACE = "AWS/DynamoDB"


@dataclass(frozen=True)
class AlarmDef:
    """One metric alarm, before it becomes an ``AWS::CloudWatch::Alarm`` resource."""

    #: Construct ID under the table's scope, e.g. ``ReadThrottle`` or ``EmailIndexReadThrottle``.
    construct_id: str
    #: The alarm's name suffix after ``<system>-<stage>-``.
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


# --- metric helpers (plain data, no jsii) ---------------------------------------------


def _dims(**dimensions: str) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in dimensions.items()]


def _query(query_id: str, metric: str, stat: str, period: int, **dimensions: str) -> dict[str, Any]:
    return {
        "Id": query_id,
        "ReturnData": False,
        "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": _dims(**dimensions)},
            "Period": period,
            "Stat": stat,
        },
    }


def _expression(expression: str, label: str) -> dict[str, Any]:
    return {"Id": "e1", "Expression": expression, "Label": label, "ReturnData": True}


def _single(
    metric: str, statistic: str, period: int, periods: int, threshold: float, missing: str, **dimensions: str
) -> dict[str, Any]:
    return {
        "Namespace": NAMESPACE,
        "MetricName": metric,
        "Dimensions": _dims(**dimensions),
        "Statistic": statistic,
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


# --- the alarm rules -------------------------------------------------------------------


def table_alarms(*, table: str, spec: TableSpec, physical_name: str, stage: StageConfig) -> list[AlarmDef]:
    """Every alarm one table calls for, by billing mode (see the module docstring)."""
    m = stage.monitoring
    alarms = [
        *_throttle_alarms(table, physical_name, None, m),
        *(a for gsi in spec.gsis for a in _throttle_alarms(table, physical_name, gsi.name, m)),
        _system_errors_alarm(table, physical_name, m),
        _latency_alarm(table, physical_name, m),
    ]
    if spec.provisioned:
        alarms += _utilization_alarms(table, physical_name, None, m)
        for gsi in spec.gsis:
            alarms += _utilization_alarms(table, physical_name, gsi.name, m)
    else:
        caps = (
            ("read", "Read", stage.on_demand_max_read_request_units),
            ("write", "Write", stage.on_demand_max_write_request_units),
        )
        alarms += [_cap_alarm(table, physical_name, kind, metric, cap, m) for kind, metric, cap in caps if cap]
    alarms += [_replication_alarm(table, physical_name, region, m) for region in stage.replica_regions]
    return alarms


def _throttle_alarms(table: str, physical: str, index: str | None, m: MonitoringConfig) -> list[AlarmDef]:
    dims = {"TableName": physical, **({"GlobalSecondaryIndexName": index} if index else {})}
    where = f"index {index} of {physical}" if index else physical
    out = []
    for kind, metric in (("read", "ReadThrottleEvents"), ("write", "WriteThrottleEvents")):
        out.append(
            AlarmDef(
                construct_id=f"{pascal(index) if index else ''}{kind.capitalize()}Throttle",
                name=f"{table}-{'gsi-' + index + '-' if index else ''}{kind}-throttle",
                description=f"{metric} on {where} above {m.throttle_threshold:g} per {m.throttle_period_seconds} s "
                "(no data = no throttling)",
                props=_single(
                    metric,
                    "Sum",
                    m.throttle_period_seconds,
                    m.throttle_evaluation_periods,
                    m.throttle_threshold,
                    "notBreaching",
                    **dims,
                ),
                metric_count=1,
            )
        )
    return out


def _system_errors_alarm(table: str, physical: str, m: MonitoringConfig) -> AlarmDef:
    # SystemErrors has only TableName+Operation dimensions: sum the operations. One
    # metric per operation keeps the alarm within CloudWatch's 10-metric limit.
    queries = [
        _query(f"m{i}", "SystemErrors", "Sum", 300, TableName=physical, Operation=op)
        for i, op in enumerate(m.system_error_operations, start=1)
    ]
    expression = _expression("SUM(FILL(METRICS(), 0))", f"SystemErrors, {len(queries)} operations")
    return AlarmDef(
        construct_id="SystemErrors",
        name=f"{table}-system-errors",
        description=f"HTTP 500s on {physical} in {m.system_errors_evaluation_periods} consecutive 5-minute periods "
        f"({', '.join(m.system_error_operations)})",
        props=_math(
            [expression, *queries], m.system_errors_evaluation_periods, m.system_errors_threshold, "notBreaching"
        ),
        metric_count=len(queries),
    )


def _latency_alarm(table: str, physical: str, m: MonitoringConfig) -> AlarmDef:
    queries = [
        _query(f"m{i}", "SuccessfulRequestLatency", m.latency_statistic, 300, TableName=physical, Operation=op)
        for i, op in enumerate(m.latency_operations, start=1)
    ]
    expression = _expression("MAX(METRICS())", f"slowest {m.latency_statistic} of {', '.join(m.latency_operations)}")
    return AlarmDef(
        construct_id="Latency",
        name=f"{table}-latency",
        description=f"SuccessfulRequestLatency {m.latency_statistic} of {', '.join(m.latency_operations)} on {physical} "
        f"above {m.latency_threshold_ms:g} ms for {m.latency_evaluation_periods} x 5 minutes",
        props=_math([expression, *queries], m.latency_evaluation_periods, m.latency_threshold_ms, "notBreaching"),
        metric_count=len(queries),
    )


def _utilization_alarms(table: str, physical: str, index: str | None, m: MonitoringConfig) -> list[AlarmDef]:
    dims = {"TableName": physical, **({"GlobalSecondaryIndexName": index} if index else {})}
    where = f"index {index} of {physical}" if index else physical
    out = []
    for kind, unit in (("read", "Read"), ("write", "Write")):
        queries = [
            _query("consumed", f"Consumed{unit}CapacityUnits", "Sum", 300, **dims),
            _query("provisioned", f"Provisioned{unit}CapacityUnits", "Average", 300, **dims),
        ]
        # Consumed is a per-period Sum; per second it compares with provisioned units.
        expression = _expression("100 * (FILL(consumed, 0) / PERIOD(consumed)) / provisioned", f"{kind} utilization %")
        out.append(
            AlarmDef(
                construct_id=f"{pascal(index) if index else ''}{unit}Utilization",
                name=f"{table}-{'gsi-' + index + '-' if index else ''}{kind}-utilization",
                description=f"Consumed/provisioned {kind} capacity of {where} above "
                f"{m.utilization_threshold_percent:g}% for {m.utilization_evaluation_periods} x 5 minutes",
                props=_math(
                    [expression, *queries], m.utilization_evaluation_periods, m.utilization_threshold_percent, "missing"
                ),
                metric_count=2,
            )
        )
    return out


def _cap_alarm(table: str, physical: str, kind: str, unit: str, cap: int, m: MonitoringConfig) -> AlarmDef:
    # Sum per minute vs the cap (request units per second) times 60 seconds.
    threshold = cap * 60 * m.on_demand_cap_share_percent / 100
    return AlarmDef(
        construct_id=f"{unit}Cap",
        name=f"{table}-{kind}-cap",
        description=f"Consumed {kind} request units of {physical} above {m.on_demand_cap_share_percent:g}% of the "
        f"on-demand max ({cap}/s) for {m.on_demand_cap_evaluation_periods} minutes; DynamoDB throttles at 100%",
        props=_single(
            f"Consumed{unit}CapacityUnits",
            "Sum",
            60,
            m.on_demand_cap_evaluation_periods,
            threshold,
            "notBreaching",
            TableName=physical,
        ),
        metric_count=1,
    )


def _replication_alarm(table: str, physical: str, region: str, m: MonitoringConfig) -> AlarmDef:
    return AlarmDef(
        construct_id=f"ReplicationLatency{pascal(region)}",
        name=f"{table}-replication-latency-{region}",
        description=f"Average ReplicationLatency of {physical} to {region} above "
        f"{m.replication_latency_threshold_ms:g} ms for {m.replication_latency_evaluation_periods} x 5 minutes",
        props=_single(
            "ReplicationLatency",
            "Average",
            300,
            m.replication_latency_evaluation_periods,
            m.replication_latency_threshold_ms,
            "notBreaching",
            TableName=physical,
            ReceivingRegion=region,
        ),
        metric_count=1,
    )
