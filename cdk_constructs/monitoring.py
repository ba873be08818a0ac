"""Billing-aware alarms, the alarm topic, dashboards and a budget for one system and stage.

Everything here is declared from the catalog and the stage's ``MonitoringConfig``;
nothing asks which stage it is. The alarm rules are plain Python
(:func:`table_alarms`), readable in one place, and each alarm becomes one L1
resource built from a plain dict: a stage has hundreds of alarms, and every L2
``Metric``/``MathExpression``/``Alarm`` call (and every typed L1 property
struct) is a round trip into jsii that synth time pays for.

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

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import Aws, CfnOutput, CfnResource, Fn
from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from tableforge.catalog import TableSpec, physical_table_name
from tableforge.errors import StageError
from tableforge.stages import MonitoringConfig, StageConfig

NAMESPACE = "AWS/DynamoDB"
ALARM_TYPE = "AWS::CloudWatch::Alarm"
#: The only principals that may publish to a system's alarm topic and use its key.
PUBLISHER_SERVICES = ("cloudwatch.amazonaws.com", "budgets.amazonaws.com")
#: CloudWatch: a composite alarm's rule may name at most 100 alarms.
MAX_ALARMS_PER_COMPOSITE_RULE = 100
#: CloudWatch: a composite alarm's rule is at most 10,240 characters; alarm names at most 255.
MAX_RULE_CHARS = 10_240
MAX_ALARM_NAME = 255
#: Budget notifications: (type, percent of the budget), as the issue and 002 ask.
BUDGET_NOTIFICATIONS = (("ACTUAL", 50), ("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100))
#: KMS actions a publisher needs to write to an encrypted topic.
PUBLISHER_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")
#: Key administration for the account (KMS refuses a key nobody can administer);
#: deliberately no Encrypt/Decrypt/GenerateDataKey, so only the publishers use it.
KEY_ADMIN_ACTIONS = (
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
)


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


def health_rules(
    alarm_names: Sequence[str], limit: int = MAX_ALARMS_PER_COMPOSITE_RULE, max_chars: int = MAX_RULE_CHARS
) -> list[list[str]]:
    """Consecutive groups of alarm names, each small enough for one composite rule.

    A group holds at most ``limit`` names and its ``ALARM("a") OR ...`` rule at
    most ``max_chars`` characters (long table names reach that before 100 names).
    """
    groups: list[list[str]] = []
    length = 0
    for name in alarm_names:
        term = len(_any_alarm([name]))
        if not groups or len(groups[-1]) == limit or length + len(" OR ") + term > max_chars:
            groups.append([])
            length = -len(" OR ")
        groups[-1].append(name)
        length += len(" OR ") + term
    return groups


def _any_alarm(names: Sequence[str]) -> str:
    return " OR ".join(f'ALARM("{name}")' for name in names)


# --- the construct -------------------------------------------------------------------------


def topic_name(system: str, stage: str) -> str:
    return f"{system}-{stage}-alarms"


class AlarmTopic(Construct):
    """The encrypted SNS topic every alarm and the budget of one system and stage notify.

    Defaults: topic ``<system>-<stage>-alarms`` with its own KMS key (rotation
    on); topic and key policies let only ``cloudwatch.amazonaws.com`` and
    ``budgets.amazonaws.com`` publish (the account keeps key *administration*,
    which KMS requires); non-TLS publishing is denied; the stage's email/HTTPS
    subscriptions, none by default (the topic exists without them).
    """

    def __init__(self, scope: Construct, construct_id: str, *, system: str, stage: StageConfig) -> None:
        super().__init__(scope, construct_id)
        account, partition = Aws.ACCOUNT_ID, Aws.PARTITION
        name = topic_name(system, stage.name)
        key = kms.CfnKey(
            self,
            "Key",
            description=f"{name} topic (SNS server-side encryption)",
            enable_key_rotation=True,
            key_policy=_key_policy(account, partition),
        )
        topic = sns.CfnTopic(self, "Topic", topic_name=name, kms_master_key_id=key.attr_arn)
        self.topic_arn: str = topic.ref
        sns.CfnTopicPolicy(
            self, "Policy", topics=[self.topic_arn], policy_document=_topic_policy(self.topic_arn, account)
        )
        for sub in stage.monitoring.subscriptions:
            digest = hashlib.sha256(f"{sub.protocol}:{sub.endpoint}".encode()).hexdigest()[:8]
            # The ID follows the endpoint, so reordering the list re-subscribes nobody.
            sns.CfnSubscription(
                self, f"Subscription{digest}", topic_arn=self.topic_arn, protocol=sub.protocol, endpoint=sub.endpoint
            )
        CfnOutput(self, "Arn", value=self.topic_arn, description=f"{name}: where alarms and the budget notify")


class TableAlarms(Construct):
    """The alarms of some tables of one system (see :func:`table_alarms`).

    Each alarm is one ``AWS::CloudWatch::Alarm`` L1 (``CfnResource`` with plain
    CloudFormation properties: the typed ``CfnAlarm`` costs about 2 s more synth
    CPU at ~750 alarms, and the schema is still checked by CDK's template
    validation and by cfn-lint in tests/ops). Each is named
    ``<system>-<stage>-<table>-...`` and has an alarm action and an OK action on
    ``topic_arn``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        system: str,
        tables: Mapping[str, TableSpec],
        stage: StageConfig,
        topic_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        prefix = f"{system}-{stage.name}-"
        #: (full alarm name, its CfnAlarm), in catalog order.
        self.alarms: list[tuple[str, CfnResource]] = []
        self.metric_count = 0
        actions = [topic_arn]
        for table, spec in tables.items():
            table_scope = Construct(self, pascal(table))
            physical = physical_table_name(system, table, stage.name)
            for alarm in table_alarms(table=table, spec=spec, physical_name=physical, stage=stage):
                name = prefix + alarm.name
                if len(name) > MAX_ALARM_NAME:
                    raise StageError(
                        f"alarm name {name!r} is {len(name)} characters; CloudWatch allows {MAX_ALARM_NAME}",
                        item=f"table '{table}'",
                        field="name",
                    )
                resource = CfnResource(
                    table_scope,
                    alarm.construct_id,
                    type=ALARM_TYPE,
                    properties={
                        "AlarmName": name,
                        "AlarmDescription": alarm.description,
                        "ActionsEnabled": True,
                        "AlarmActions": actions,
                        "OKActions": actions,
                        **alarm.props,
                    },
                )
                self.alarms.append((name, resource))
                self.metric_count += alarm.metric_count


class SystemHealth(Construct):
    """One composite ``<system>-<stage>-system-health`` alarm: ALARM when any alarm is.

    A rule may name at most 100 alarms, so above that the alarms are grouped
    into ``<system>-<stage>-health-part-N`` composites that the health alarm
    combines. Every composite has alarm and OK actions on the topic, like every
    other alarm.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        system: str,
        stage: StageConfig,
        alarms: Sequence[tuple[str, CfnResource]],
        topic_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        prefix = f"{system}-{stage.name}-"
        actions = [topic_arn]
        names = [name for name, _ in alarms]
        groups = health_rules(names)
        children: list[tuple[str, list[Any]]] = []
        if len(groups) <= 1:
            children = [(name, [resource]) for name, resource in alarms]
        else:
            start = 0
            for number, group in enumerate(groups, start=1):
                name = f"{prefix}health-part-{number}"
                part = cw.CfnCompositeAlarm(
                    self,
                    f"Part{number}",
                    alarm_name=name,
                    alarm_rule=_any_alarm(group),
                    alarm_description=f"Part {number} of {len(groups)} of {prefix}system-health "
                    f"(a composite rule names at most {MAX_ALARMS_PER_COMPOSITE_RULE} alarms)",
                    actions_enabled=True,
                    alarm_actions=actions,
                    ok_actions=actions,
                )
                # Groups are consecutive slices of ``alarms``.
                _depends_on(part, [resource for _, resource in alarms[start : start + len(group)]])
                start += len(group)
                children.append((name, [part]))
        health = cw.CfnCompositeAlarm(
            self,
            "Alarm",
            alarm_name=f"{prefix}system-health",
            # An empty system still gets a valid rule: FALSE never alarms.
            alarm_rule=_any_alarm([name for name, _ in children]) or "FALSE",
            alarm_description=f"Any of the {len(names)} alarms of {system} ({stage.name}) is in ALARM",
            actions_enabled=True,
            alarm_actions=actions,
            ok_actions=actions,
        )
        _depends_on(health, [r for _, resources in children for r in resources])
        self.composite_count = 1 + (len(groups) if len(groups) > 1 else 0)


def _depends_on(resource: Construct, others: Sequence[Construct]) -> None:
    # Rules name alarms by string and CloudWatch refuses a rule naming an alarm that
    # does not exist yet, so the order is spelled out: one call per composite, and
    # CDK turns it into DependsOn (same stack) or a stack dependency (other shards).
    if others:
        resource.node.add_dependency(*others)


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


class CostBudget(Construct):
    """A monthly COST budget of one system and stage, filtered by the tags ``system`` AND ``stage``.

    The amount is ``stage.monitoring.budget_usd(system)``; notifications go to
    the topic at 50, 80 and 100% of ACTUAL and 100% of FORECASTED spend. The tags
    must be activated as cost-allocation tags in the Billing console (once per
    account) before the budget sees any spend.
    """

    def __init__(self, scope: Construct, construct_id: str, *, system: str, stage: StageConfig, topic_arn: str) -> None:
        super().__init__(scope, construct_id)
        B = budgets.CfnBudget
        tags = [
            B.ExpressionProperty(tags=B.TagValuesProperty(key=key, values=[value], match_options=["EQUALS"]))
            for key, value in (("system", system), ("stage", stage.name))
        ]
        B(
            self,
            "Budget",
            budget=B.BudgetDataProperty(
                budget_name=f"{system}-{stage.name}-monthly",
                budget_type="COST",
                time_unit="MONTHLY",
                budget_limit=B.SpendProperty(amount=stage.monitoring.budget_usd(system), unit="USD"),
                # Both tags must match: CostFilters would OR them, a FilterExpression ANDs.
                filter_expression=B.ExpressionProperty(and_=tags),
            ),
            notifications_with_subscribers=[
                B.NotificationWithSubscribersProperty(
                    notification=B.NotificationProperty(
                        notification_type=kind,
                        comparison_operator="GREATER_THAN",
                        threshold=percent,
                        threshold_type="PERCENTAGE",
                    ),
                    subscribers=[B.SubscriberProperty(subscription_type="SNS", address=topic_arn)],
                )
                for kind, percent in BUDGET_NOTIFICATIONS
            ],
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


def _key_policy(account: str, partition: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                # KMS rejects a key policy that nobody could change; administration only.
                "Sid": "AccountAdministersKey",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": list(KEY_ADMIN_ACTIONS),
                "Resource": "*",
            },
            {
                "Sid": "AlarmAndBudgetPublishersUseKey",
                "Effect": "Allow",
                "Principal": {"Service": list(PUBLISHER_SERVICES)},
                "Action": list(PUBLISHER_KEY_ACTIONS),
                "Resource": "*",
            },
        ],
    }


def _topic_policy(topic_arn: str, account: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AlarmAndBudgetPublishers",
                "Effect": "Allow",
                "Principal": {"Service": list(PUBLISHER_SERVICES)},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                # Only this account's alarms and budgets (confused-deputy guard).
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            },
            {
                "Sid": "DenyPublishWithoutTls",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }
