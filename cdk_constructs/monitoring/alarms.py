"""The metric alarms of a system's tables: one ``AWS::CloudWatch::Alarm`` per :class:`AlarmDef`."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import CfnResource
from constructs import Construct

from cdk_constructs.monitoring.rules import AlarmDef, pascal
from cdk_constructs.monitoring.segment import TableSegment
from tableforge.errors import StageError
from tableforge.naming import alarm_name
from tableforge.stages import StageConfig

ALARM_TYPE = "AWS::CloudWatch::Alarm"
#: CloudWatch: alarm names are at most 255 characters.
MAX_ALARM_NAME = 255


class TableAlarms(Construct):
    """The alarms of some tables of one system (each segment's :meth:`TableSegment.alarms`).

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
        segments: Sequence[TableSegment],
        stage: StageConfig,
        topic_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        #: (full alarm name, its CfnAlarm), in catalog order.
        self.alarms: list[tuple[str, CfnResource]] = []
        self.metric_count = 0
        actions = [topic_arn]
        for segment in segments:
            table_scope = Construct(self, pascal(segment.table))
            for alarm in segment.alarms():
                name = alarm_name(system, stage.name, alarm.name)
                if len(name) > MAX_ALARM_NAME:
                    raise StageError(
                        f"alarm name {name!r} is {len(name)} characters; CloudWatch allows {MAX_ALARM_NAME}",
                        item=f"table '{segment.table}'",
                        field="name",
                    )
                self.alarms.append((name, _alarm(table_scope, name, alarm, actions)))
                self.metric_count += alarm.metric_count


def _alarm(scope: Construct, name: str, alarm: AlarmDef, actions: list[str]) -> CfnResource:
    return CfnResource(
        scope,
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
