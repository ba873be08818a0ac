"""The metric alarms of a system's tables: one ``AWS::CloudWatch::Alarm`` per :class:`AlarmDef`."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import CfnResource
from constructs import Construct

from cdk_constructs.monitoring.rules import pascal, table_alarms
from tableforge.catalog import TableSpec, physical_table_name
from tableforge.errors import StageError
from tableforge.stages import StageConfig

ALARM_TYPE = "AWS::CloudWatch::Alarm"
#: CloudWatch: alarm names are at most 255 characters.
MAX_ALARM_NAME = 255


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
