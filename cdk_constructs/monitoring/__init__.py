"""Billing-aware alarms, the alarm topic, dashboards and a budget for one system and stage.

Everything here is declared from the catalog and the stage's ``MonitoringConfig``;
nothing asks which stage it is. The alarm rules are plain Python
(:func:`~cdk_constructs.monitoring.rules.table_alarms`), readable in one place,
and each alarm becomes one L1 resource built from a plain dict: a stage has
hundreds of alarms, and every L2 ``Metric``/``MathExpression``/``Alarm`` call
(and every typed L1 property struct) is a round trip into jsii that synth time
pays for.

One module per job:

- ``metrics``: the DynamoDB metrics, one factory per table (:class:`TableMetrics`), plain data;
- ``rules``: which alarms a table gets (:class:`AlarmDef`), plain data;
- ``segment``: one table's alarms and dashboard graphs from its metrics (:class:`TableSegment`);
- ``alarms``: :class:`TableAlarms`, one ``AWS::CloudWatch::Alarm`` per rule;
- ``topic``: :class:`AlarmTopic`, the encrypted SNS topic everything notifies;
- ``health``: :class:`SystemHealth`, the composite over all alarms;
- ``dashboard``: :class:`OpsDashboard`;
- ``budget``: :class:`CostBudget`.
"""

from cdk_constructs.monitoring.alarms import TableAlarms
from cdk_constructs.monitoring.budget import CostBudget
from cdk_constructs.monitoring.dashboard import OpsDashboard
from cdk_constructs.monitoring.health import SystemHealth, health_rules
from cdk_constructs.monitoring.metrics import TableMetrics
from cdk_constructs.monitoring.rules import AlarmDef, table_alarms
from cdk_constructs.monitoring.segment import TableSegment, table_segments
from cdk_constructs.monitoring.topic import AlarmTopic

__all__ = [
    "AlarmDef",
    "AlarmTopic",
    "CostBudget",
    "OpsDashboard",
    "SystemHealth",
    "TableAlarms",
    "TableMetrics",
    "TableSegment",
    "health_rules",
    "table_alarms",
    "table_segments",
]
